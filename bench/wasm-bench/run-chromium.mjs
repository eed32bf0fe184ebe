// Runs the archsim engine compiled to wasm32 in headless Chromium (the browser the app targets)
// on one design and prints the harness's JSON line.
// Usage: node run-chromium.mjs MODULE.wasm DESIGN.json [DURATION_MS]
// Needs playwright-core (the repository's package.json) and Chromium at CHROMIUM_BIN
// (default /usr/bin/chromium); nothing is downloaded.
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { designForBench, runHarness } from './harness.mjs';

const [wasmPath, designPath, durationMs] = process.argv.slice(2);
if (!wasmPath || !designPath) {
  console.error('usage: node run-chromium.mjs MODULE.wasm DESIGN.json [DURATION_MS]');
  process.exit(2);
}
const design = designForBench(readFileSync(designPath, 'utf8'), durationMs);
const wasmBase64 = readFileSync(wasmPath).toString('base64');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage();
  const text = await page.evaluate(
    async ({ harnessSource, wasmBase64, design }) => {
      const runHarness = (0, eval)(`(${harnessSource})`);
      const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
      return runHarness(bytes, design, () => performance.now());
    },
    { harnessSource: runHarness.toString(), wasmBase64, design },
  );
  console.log(text);
  process.exitCode = JSON.parse(text).error ? 1 : 0;
} finally {
  await browser.close();
}
