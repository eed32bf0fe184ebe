// The app shell: a person opening archsim sees the header, the palette, the canvas, the
// properties panel, the run bar and the results area, and nothing in the console goes wrong.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';

/** The shell's regions, by the selectors the UI guarantees (see src/components). */
const SHELL_REGIONS = {
  root: '#app',
  header: 'header.app-header',
  palette: '#palette',
  canvas: '#canvas',
  properties: '#properties',
  runBar: '#run-bar',
  results: '#results',
};

let app;
before(async () => {
  app = await openApp();
});
after(async () => {
  await app?.close();
});

test('the page is titled archsim', async () => {
  assert.match(await app.page.title(), /archsim/i);
});

test('every shell region is present once and visible', async () => {
  // Screenshot first, so a failing run still leaves a picture of what was shown.
  await app.screenshot('shell');
  const missing = [];
  for (const [region, selector] of Object.entries(SHELL_REGIONS)) {
    const matches = app.page.locator(selector);
    const count = await matches.count();
    if (count !== 1) {
      missing.push(`${region} (${selector}): found ${count} elements, want 1`);
    } else if (!(await matches.isVisible())) {
      missing.push(`${region} (${selector}): present but not visible`);
    }
  }
  assert.deepEqual(missing, [], `shell regions wrong:\n  ${missing.join('\n  ')}`);
});

test('loading the app logs no error, panic or failed request', async () => {
  // Give any deferred start-up work (workers, timers) a moment to report.
  await app.page.waitForTimeout(500);
  app.assertNoProblems('opening the app');
});
