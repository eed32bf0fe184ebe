// Runs the archsim engine compiled to wasm32 in node on one design and prints the harness's
// JSON line. Usage: node run.mjs MODULE.wasm DESIGN.json [DURATION_MS]
// The duration override lets bench/compare.py give the WASM run exactly the native run's
// duration, so their report fingerprints must be equal.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { designForBench, runHarness } from './harness.mjs';

const [wasmPath, designPath, durationMs] = process.argv.slice(2);
if (!wasmPath || !designPath) {
  console.error('usage: node run.mjs MODULE.wasm DESIGN.json [DURATION_MS]');
  process.exit(2);
}
const design = designForBench(readFileSync(designPath, 'utf8'), durationMs);
const text = await runHarness(readFileSync(wasmPath), design, () => performance.now());
console.log(text);
process.exit(JSON.parse(text).error ? 1 : 0);
