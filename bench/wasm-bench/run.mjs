// Runs the archsim engine compiled to wasm32 on one design and prints the harness's JSON line.
// Usage: node run.mjs MODULE.wasm DESIGN.json [DURATION_MS]
// The duration override lets bench/run.sh give the WASM run exactly the native run's duration,
// so their report fingerprints must be equal.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [wasmPath, designPath, durationMs] = process.argv.slice(2);
if (!wasmPath || !designPath) {
  console.error('usage: node run.mjs MODULE.wasm DESIGN.json [DURATION_MS]');
  process.exit(2);
}
const design = JSON.parse(readFileSync(designPath, 'utf8'));
design.run = design.run ?? {};
design.run.replications = 1;
if (durationMs !== undefined) design.run.duration_ms = Number(durationMs);

const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {
  env: { bench_now_ms: () => performance.now() },
});
const { memory, bench_input_buffer, bench_run, bench_output_ptr } = instance.exports;

const input = new TextEncoder().encode(JSON.stringify(design));
const inputPtr = bench_input_buffer(input.length);
new Uint8Array(memory.buffer, inputPtr, input.length).set(input);
const outputLen = bench_run();
// Read the memory only now: the run may have grown it, detaching earlier views.
const output = new Uint8Array(memory.buffer, bench_output_ptr(), outputLen);
const text = new TextDecoder().decode(output);
console.log(text);
process.exit(JSON.parse(text).error ? 1 : 0);
