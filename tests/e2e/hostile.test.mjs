// Hostile designs in the browser (the fuzzer's reproductions, opened as a person would open a
// file someone sent): each is refused with its problem named, or runs to a stated budget while
// the tab stays responsive; text from the file is shown as text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openApp } from './harness.mjs';

const VIEWPORT = { width: 1400, height: 1000 };

let app;
before(async () => {
  app = await openApp({ viewport: VIEWPORT });
});
after(async () => {
  await app?.close();
});

async function mm1() {
  return JSON.parse(await readFile(new URL('../../examples/mm1.json', import.meta.url), 'utf8'));
}

async function importDesign(page, design, name = 'sent.json') {
  await page.setInputFiles('#import-file', {
    name,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(design)),
  });
}

/** The problems dialog's text, after importing `design` (which must be refused). */
async function refusal(page, design) {
  await importDesign(page, design);
  const dialog = page.locator('#problems-dialog');
  await dialog.waitFor();
  const text = await dialog.textContent();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  return text;
}

/** After importing `design` (which loads, to be fixed in the editor): Run is off and the reasons
 * listed under the run bar, joined. */
async function blockers(page, design) {
  await importDesign(page, design);
  await page.waitForFunction(() => document.querySelectorAll('#run-blockers li').length > 0);
  assert.equal(await page.locator('#run-button').isEnabled(), false, 'Run must be off');
  return (await page.locator('#run-blockers li').allTextContents()).join('\n');
}

test('designs that could not run to an end are refused with the field and the reason', async () => {
  const { page } = app;

  // A shape serde would have read: refused on import, nothing changed.
  const asArray = await mm1();
  asArray.run = [0];
  assert.match(await refusal(page, asArray), /found an array/);

  // Values beyond the ceilings: the design loads (the person can fix it), Run stays off.
  const replications = await mm1();
  replications.run.replications = 4_000_000_000;
  assert.match(await blockers(page, replications), /at most 1000/);

  const flood = await mm1();
  flood.nodes[0].params.workload.rate = { type: 'constant', rps: 1e9 };
  assert.match(await blockers(page, flood), /requests per second/);

  const sine = await mm1();
  sine.nodes[0].params.workload.rate = { type: 'sine', mean_rps: 10, amplitude_rps: 5, period_ms: 1e-300 };
  assert.match(await blockers(page, sine), /at least 0\.001 ms/);
  app.assertNoProblems();
});

test('requests that pile up stop the run at the memory budget, and the tab answers meanwhile', async () => {
  const { page } = app;
  // Ten million requests per second into an edge of 11.6 days: every request stays in flight.
  const pileUp = await mm1();
  pileUp.name = 'Pile-up \u001b[2J\u202e';
  pileUp.nodes[0].params.workload.rate = { type: 'constant', rps: 1e7 };
  pileUp.edges[0].params.latency = { type: 'constant', ms: 1e9 };
  pileUp.run = { duration_ms: 60000, warmup_ms: 0, seed: 1, replications: 1, bucket_ms: 1000, max_in_flight: 300000 };
  await importDesign(page, pileUp);
  await page.locator('#run-status.is-ready').waitFor();
  await page.click('#run-button');
  // The page answers a click while the worker runs.
  const started = Date.now();
  await page.click('#zoom-in', { timeout: 2000 });
  assert.ok(Date.now() - started < 2000);
  await page.locator('#results.has-report').waitFor({ timeout: 60_000 });
  const warning = await page.locator('#results-stopped-early').textContent();
  assert.match(warning, /in flight/);
  assert.match(warning, /memory budget/);
  assert.match(warning, /server/);
  app.assertNoProblems();
});
