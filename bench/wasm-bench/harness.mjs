// The host side of the WASM bench protocol (see src/lib.rs), shared by run.mjs (node) and
// run-chromium.mjs (headless Chromium). `runHarness` must stay self-contained — no references
// to anything outside its body — because run-chromium.mjs ships its source text into the page.

/**
 * Instantiates the harness module, runs replication 0 of `designJson` (a string) and returns the
 * harness's JSON result as a string. `now` is the clock the module times itself with (ms).
 */
export async function runHarness(wasmBytes, designJson, now) {
  const { instance } = await WebAssembly.instantiate(wasmBytes, {
    env: { bench_now_ms: now },
  });
  const { memory, bench_input_buffer, bench_run, bench_output_ptr } = instance.exports;
  const input = new TextEncoder().encode(designJson);
  const inputPtr = bench_input_buffer(input.length);
  new Uint8Array(memory.buffer, inputPtr, input.length).set(input);
  const outputLen = bench_run();
  // Read the memory only now: the run may have grown it, which detaches earlier views.
  const output = new Uint8Array(memory.buffer, bench_output_ptr(), outputLen);
  return new TextDecoder().decode(output);
}

/** The design file's text with one replication and, when given, the duration override. */
export function designForBench(designText, durationMs) {
  const design = JSON.parse(designText);
  design.run = design.run ?? {};
  design.run.replications = 1;
  if (durationMs !== undefined) design.run.duration_ms = Number(durationMs);
  return JSON.stringify(design);
}
