// Trunk post-build hook (Trunk.toml): removes the `name` custom section from the app's
// WebAssembly module in a release build, and updates the module's integrity digest in
// index.html to match. The section only maps function indices to names (for stack traces and
// profilers): about a quarter of the module's bytes. wasm-opt would drop it too, but it is off
// (it slows the engine, which runs from this module in the worker; docs/performance.md), so it is
// cut here, leaving every byte of code as rustc wrote it. Debug builds (scripts/serve.sh) keep it,
// and so does a release build with ARCHSIM_KEEP_WASM_NAMES=1 (to profile it: bench/ui-long-tasks.mjs).
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Reads an unsigned LEB128 at `at`: [value, next offset]. */
function leb128(bytes, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

/** The module without its custom sections called `name`. */
export function withoutNameSection(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (!magic.every((b, i) => bytes[i] === b)) throw new Error('not a WebAssembly module');
  const kept = [bytes.subarray(0, 8)];
  let at = 8;
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const [size, body] = leb128(bytes, at);
    at = body + size;
    if (at > bytes.length) throw new Error(`section ${id} runs past the end of the module`);
    if (id === 0) {
      const [length, name] = leb128(bytes, body);
      if (new TextDecoder().decode(bytes.subarray(name, name + length)) === 'name') continue;
    }
    kept.push(bytes.subarray(start, at));
  }
  return Buffer.concat(kept);
}

const sri = (bytes) => `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

const staging = process.env.TRUNK_STAGING_DIR;
if (staging && process.env.TRUNK_PROFILE === 'release' && process.env.ARCHSIM_KEEP_WASM_NAMES !== '1') {
  const htmlFile = join(staging, 'index.html');
  let html = await readFile(htmlFile, 'utf8');
  for (const name of (await readdir(staging)).filter((f) => f.endsWith('_bg.wasm'))) {
    const file = join(staging, name);
    const bytes = await readFile(file);
    const stripped = withoutNameSection(bytes);
    if (stripped.length === bytes.length) continue;
    await writeFile(file, stripped);
    html = html.split(sri(bytes)).join(sri(stripped));
    console.log(`strip-wasm-names: ${name} ${bytes.length} -> ${stripped.length} bytes`);
  }
  await writeFile(htmlFile, html);
}
