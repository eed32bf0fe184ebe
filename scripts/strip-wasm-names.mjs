// Trunk post-build hook (Trunk.toml): removes the `name` custom section from the worker's
// WebAssembly module in a release build. The section only maps function indices to names (for
// stack traces and profilers); it is 145 KB of the worker's 1 MB (35 KB of its gzip). The page's
// module loses it already in wasm-opt; the worker skips wasm-opt, which makes the engine slower
// (docs/performance.md, "Events per second"), so its section is cut here, leaving every byte
// of code as rustc wrote it. Debug builds (scripts/serve.sh) keep it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const WORKER_WASM = 'archsim-worker_bg.wasm';

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

if (process.env.TRUNK_STAGING_DIR && process.env.TRUNK_PROFILE === 'release') {
  const file = join(process.env.TRUNK_STAGING_DIR, WORKER_WASM);
  const bytes = await readFile(file);
  const stripped = withoutNameSection(bytes);
  await writeFile(file, stripped);
  console.log(`strip-wasm-names: ${WORKER_WASM} ${bytes.length} -> ${stripped.length} bytes`);
}
