// The results read as a person expects, each test pinned to a defect a browser audit found:
// counts shown as counts ("2", not "2.00 ± 2.88"), no latency of 0 ms for a node (or a run) with
// no successful request, no breaker figures for edges without a breaker, a time axis that ends
// where the run ended, Fit that keeps nodes clear of the controls and notices over the canvas,
// a number field holding text that blocks Run instead of running the old value unseen, and the
// last results surviving a reload (marked stale exactly when the design moved on).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import { loadTemplate, propertyField as field } from './editor-helpers.mjs';

const VIEWPORT = { width: 1400, height: 1000 };

let app;
before(async () => {
  app = await openApp({ viewport: VIEWPORT });
});
after(async () => {
  await app?.close();
});

/** Imports `design` through the header's file picker, as a person would. */
async function importDesign(page, design) {
  await page.setInputFiles('#import-file', {
    name: `${design.name}.json`,
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(design)),
  });
  await page.waitForFunction(
    (n) => document.querySelectorAll('#canvas .node').length === n,
    design.nodes.length,
  );
}

async function runToReport(page) {
  await page.locator('#run-status.is-ready').waitFor();
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-stale)').waitFor({ timeout: 90_000 });
}

const service = (id, x, y, params = {}) => ({
  id,
  label: id,
  position: { x, y },
  kind: 'service',
  params: { workers: 4, service_time: { type: 'constant', ms: 5 }, ...params },
});

// A short run (0.8 s in 0.5 s buckets) where `front` calls both `flaky` and `guarded` at once:
// every call fails at `flaky` (error rate 1, with retries), `guarded` is called through a breaker
// that its timeouts trip, and `idle` is called by nobody.
function failingDesign({ replications = 1 } = {}) {
  return {
    version: 1,
    name: 'Results polish',
    nodes: [
      {
        id: 'users',
        label: 'users',
        position: { x: 40, y: 160 },
        kind: 'client',
        params: { workload: { type: 'open_loop', rate: { type: 'constant', rps: 20 } } },
      },
      service('front', 260, 160, { calls: 'parallel' }),
      service('flaky', 480, 80, { error_rate: 1 }),
      service('guarded', 480, 240),
      service('idle', 260, 360),
    ],
    edges: [
      { id: 'users-to-front', from: 'users', to: 'front' },
      {
        id: 'front-to-guarded',
        from: 'front',
        to: 'guarded',
        params: {
          timeout_ms: 2,
          retry: { max_attempts: 2, base_ms: 1, jitter: 'none' },
          circuit_breaker: { minimum_calls: 2, window_ms: 1000, open_ms: 200 },
        },
      },
      {
        id: 'front-to-flaky',
        from: 'front',
        to: 'flaky',
        params: { retry: { max_attempts: 2, base_ms: 1, jitter: 'none' } },
      },
    ],
    faults: [],
    run: { duration_ms: 800, warmup_ms: 0, seed: 3, replications, bucket_ms: 500 },
  };
}

const cell = (page, table, key, id, col) =>
  page.locator(`#${table} tr[data-${key}-id="${id}"] td[data-col="${col}"]`).textContent();

// Regressions: "Completed 2.00 ± 2.88"; latency 0 ms for a node (and a run) nothing succeeded at;
// "Breaker not closed 0.0%" for an edge without a breaker; the time axis of a 0.8 s run ending
// at 1 s.
test('counts read as counts, nothing measured reads "—", the axis ends with the run', async () => {
  const { page } = app;
  await importDesign(page, failingDesign());
  await runToReport(page);

  const completed = page.locator('#results [data-figure="completed"]');
  assert.match(await completed.locator('.figure-number').textContent(), /^\d+$/, 'a single run counts whole requests');
  assert.match(await completed.locator('.figure-ci').textContent(), /^± \d+(\.\d)?$/);
  assert.match(await page.locator('#results-failures').textContent(), /^Failed: \d+ \D+(, \d+ \D+)* \(/);

  // Nothing succeeded: the run's latency, and that of the nodes nothing succeeded at, is no data.
  for (const id of ['latency-mean', 'latency-p50', 'latency-p99', 'latency-max']) {
    assert.equal(await page.locator(`#results [data-figure="${id}"] .figure-number`).textContent(), '—', id);
    assert.equal(await page.locator(`#results [data-figure="${id}"] .figure-unit`).count(), 0, `${id} has no unit`);
  }
  for (const id of ['flaky', 'idle']) {
    assert.equal(await cell(page, 'results-nodes', 'node', id, 'latency'), '—', `${id} mean latency`);
    assert.equal(await cell(page, 'results-nodes', 'node', id, 'p99'), '—', `${id} p99`);
  }
  assert.match(await cell(page, 'results-nodes', 'node', 'guarded', 'latency'), /^\d/, 'guarded served requests');
  for (const row of await page.locator('#results-nodes td[data-col="failures"]').allTextContents()) {
    assert.match(row, /^\d+$/, 'failures of one run are whole');
  }

  // Both edges retried; only the one with a breaker shows breaker figures.
  assert.equal(await cell(page, 'results-edges', 'edge', 'front-to-flaky', 'breaker-not-closed'), '—');
  assert.equal(await cell(page, 'results-edges', 'edge', 'front-to-flaky', 'short-circuited'), '—');
  assert.match(await cell(page, 'results-edges', 'edge', 'front-to-guarded', 'breaker-not-closed'), /^\d+\.\d%$/);
  assert.match(await cell(page, 'results-edges', 'edge', 'front-to-flaky', 'retries'), /^\d+$/);

  // The charts' time axis ends at 0.8 s, where the run ended, not at the last bucket's end (1 s).
  for (const chart of ['throughput', 'failures']) {
    assert.equal(await page.locator(`#chart-${chart} canvas`).getAttribute('data-axis-end-ms'), '800', chart);
  }
  await app.screenshot('results-polish-no-data');
  app.assertNoProblems('reading a run where nothing succeeded');
});

test('with replications, counts are means at a sensible precision, never "2.00"', async () => {
  const { page } = app;
  await importDesign(page, failingDesign({ replications: 3 }));
  await runToReport(page);
  assert.match(await page.locator('#results-meta').textContent(), /3 replications/);
  const completed = page.locator('#results [data-figure="completed"]');
  assert.match(await completed.locator('.figure-number').textContent(), /^[\d,]+(\.\d)?$/);
  assert.match(await completed.locator('.figure-ci').textContent(), /^± [\d,]+(\.\d)?$/);
  for (const text of await page.locator('#results-edges td, #results-nodes td[data-col="failures"]').allTextContents()) {
    assert.doesNotMatch(text, /\.\d\d$/, `a count with two decimals: ${text}`);
  }
  assert.doesNotMatch(await page.locator('#results-failures').textContent(), /\d\.\d\d /);
  app.assertNoProblems('reading a run with replications');
});

/** Screen boxes of the nodes, and of what sits over the canvas (controls, notices). */
async function overlapsAfterFit(page) {
  return page.evaluate(() => {
    const boxes = (selector) => [...document.querySelectorAll(selector)].map((e) => e.getBoundingClientRect());
    const nodes = [...document.querySelectorAll('#canvas .node')].map((n) => ({
      id: n.dataset.nodeId,
      box: n.querySelector('.node-body').getBoundingClientRect(),
    }));
    const overlays = [...boxes('#canvas .canvas-controls'), ...boxes('#canvas .canvas-notices > *')];
    const hits = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    const canvas = document.querySelector('#canvas-surface').getBoundingClientRect();
    return {
      overlays: overlays.length,
      covered: nodes.filter((n) => overlays.some((o) => hits(n.box, o))).map((n) => n.id),
      outside: nodes
        .filter((n) => n.box.left < canvas.left || n.box.right > canvas.right || n.box.top < canvas.top || n.box.bottom > canvas.bottom)
        .map((n) => n.id),
    };
  });
}

// Regression: after Fit, a node of the microservices-gateway template sat under the zoom controls.
test('Fit keeps every node clear of the zoom controls and the notices', async () => {
  const { page } = app;
  await loadTemplate(page, 'microservices-gateway');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 8);
  // With the template's notice still showing: loading fits the design, and Fit does too.
  await page.locator('#canvas .canvas-notices .notice').first().waitFor();
  let seen = await overlapsAfterFit(page);
  assert.ok(seen.overlays >= 2, 'the controls and the notice are over the canvas');
  assert.deepEqual(seen.covered, [], 'nodes under an overlay after loading');
  await page.click('#zoom-fit');
  seen = await overlapsAfterFit(page);
  assert.deepEqual(seen.covered, [], 'nodes under an overlay after Fit');
  assert.deepEqual(seen.outside, [], 'nodes outside the canvas after Fit');
  await app.screenshot('results-polish-fit');
  app.assertNoProblems('fitting the design');
});

async function selectNode(page, id) {
  const box = await page.locator(`#canvas .node[data-node-id="${id}"] .node-body`).boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
}

// Regression: "abc" typed in a number field stayed there with its error while the design kept the
// previous value, and Run ran that previous value without a word.
test('a number field holding text that is not a value holds Run, and says why', async () => {
  const { page } = app;
  await loadTemplate(page, 'mm1');
  await page.locator('#canvas .node[data-node-id="server"]').waitFor();
  // Loading another design cleared the previous design's results.
  assert.equal(await page.locator('#reset-button').isEnabled(), false);
  await page.locator('#run-status.is-ready').waitFor();
  await selectNode(page, 'server');
  const workers = field(page, 'nodes[1].params.workers');
  await workers.fill('abc');
  // Pressing Run moves the focus away from the field: the entry stays, and so does the block.
  await workers.evaluate((input) => input.blur());
  await page.locator('#run-button').click({ force: true, timeout: 2000 }).catch(() => {});
  assert.equal(await workers.inputValue(), 'abc', 'the entry is kept, not silently replaced');
  assert.equal(await page.locator('#run-button').isEnabled(), false, 'Run is off while the field shows text the design did not take');
  const status = await page.locator('#run-status').textContent();
  assert.match(status, /Can.t run yet: M\/M\/1 server: “Workers” holds “abc”/);
  assert.match(status, /still has 1/);
  assert.equal(await page.locator('#results.has-report').count(), 0, 'nothing ran');
  await app.screenshot('results-polish-invalid-draft');
  // Correcting the entry lets the design run again.
  await workers.fill('2');
  await page.locator('#run-status.is-ready').waitFor();
  // So does leaving the entry behind: once the field is gone, what the design holds is all there is.
  await workers.fill('x');
  await page.locator('#run-status.is-blocked').waitFor();
  await page.click('#canvas svg.canvas-svg', { position: { x: 5, y: 5 } });
  await page.locator('#run-status.is-ready').waitFor();
  await selectNode(page, 'server');
  assert.equal(await field(page, 'nodes[1].params.workers').inputValue(), '2');
  app.assertNoProblems('typing text into a number field');
});

// Regression: the results were gone after a reload.
test('the last results survive a reload, stale exactly when the design moved on', async () => {
  const { page } = app;
  await importDesign(page, failingDesign());
  await runToReport(page);
  const meta = await page.locator('#results-meta').textContent();
  const completed = await page.locator('#results [data-figure="completed"] .figure-number').textContent();
  await page.reload();
  await page.locator('#results.has-report').waitFor();
  assert.equal(await page.locator('#results.is-stale').count(), 0, 'the same design: current');
  assert.equal(await page.locator('#results-meta').textContent(), meta);
  assert.equal(await page.locator('#results [data-figure="completed"] .figure-number').textContent(), completed);
  assert.equal(await page.locator('#chart-throughput canvas').getAttribute('data-axis-end-ms'), '800');

  // A change that alters the run, then a reload: the results come back marked stale.
  await page.click('#canvas svg.canvas-svg', { position: { x: 5, y: 5 } });
  await field(page, 'run.seed').fill('4');
  await page.locator('#results.is-stale').waitFor();
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.run.seed === 4);
  await page.reload();
  await page.locator('#results.has-report.is-stale').waitFor();
  // Putting the seed back makes them current again, and Reset forgets them for good.
  await page.click('#canvas svg.canvas-svg', { position: { x: 5, y: 5 } });
  await field(page, 'run.seed').fill('3');
  await page.locator('#results.has-report:not(.is-stale)').waitFor();
  await page.click('#reset-button');
  await page.reload();
  await page.locator('#results').waitFor();
  assert.equal(await page.locator('#results.has-report').count(), 0, 'Reset results stay reset');
  app.assertNoProblems('keeping the results across a reload');
});

// The design must never be lost because of the report: with the storage nearly full, a report
// that does not fit is skipped (and the person told), and the design is still autosaved.
test('a report that does not fit is not kept; the design always is', async () => {
  const { page } = app;
  await importDesign(page, failingDesign());
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1') ?? '{}').design?.name === 'Results polish');
  // Fill the storage until only a little room is left: enough for the design, not the report.
  const room = await page.evaluate(() => {
    let chunk = 'x'.repeat(1 << 20);
    let i = 0;
    while (chunk.length >= 16) {
      try {
        localStorage.setItem(`filler.${i}`, chunk);
        i++;
      } catch {
        chunk = chunk.slice(0, chunk.length >> 1);
      }
    }
    const room = localStorage.getItem('archsim.autosave.v1').length + 1500;
    const first = localStorage.getItem('filler.0');
    localStorage.setItem('filler.0', first.slice(room));
    return room;
  });
  assert.ok(room > 1500);
  await runToReport(page);
  await page.locator('#results-not-kept').waitFor();
  // The design still saves: a change, then a reload, shows it.
  await page.click('#canvas svg.canvas-svg', { position: { x: 5, y: 5 } });
  await field(page, 'run.seed').fill('9');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.run.seed === 9);
  await page.evaluate(() => {
    for (const key of Object.keys(localStorage)) if (key.startsWith('filler.')) localStorage.removeItem(key);
  });
  await page.reload();
  await page.locator('#canvas .node[data-node-id="guarded"]').waitFor();
  assert.equal(await page.locator('#results.has-report').count(), 0, 'no report, rather than an older one');
  app.assertNoProblems('running with the storage nearly full');
});
