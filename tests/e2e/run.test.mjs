// Running a design: the M/M/1 template runs in the Web Worker and its results agree with
// queueing theory, the page stays responsive while a long run is under way, Stop ends it, Pause
// holds a run still and Resume finishes it with the figures of an unpaused run, an edit marks
// the results as from an earlier version, Reset clears them. Also: a shared link
// opened over autosaved work keeps that work as a backup that one click restores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openApp } from './harness.mjs';
import {
  autosavedDesign,
  canvasNodes,
  clickEmptyCanvas,
  loadTemplate,
  nodeCentre,
  propertyField as field,
} from './editor-helpers.mjs';

const VIEWPORT = { width: 1400, height: 1000 };

let app;
before(async () => {
  app = await openApp({ viewport: VIEWPORT });
});
after(async () => {
  await app?.close();
});

/** Animation frames the page paints in one second: a frozen main thread paints none. */
/**
 * The main thread's long tasks (50 ms or more, as the browser's long-task observer reports them)
 * over `ms` of wall time: { longest, blocking } in ms, `blocking` being the total blocking time
 * (each long task's time beyond 50 ms). A frame count would measure the machine as much as the
 * page (a loaded CI machine drops frames whatever the page does); a task that holds the main
 * thread is the page's own doing.
 */
function longTasksDuring(page, ms) {
  return page.evaluate(
    (span) =>
      new Promise((resolve) => {
        const tasks = [];
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) tasks.push(entry.duration);
        });
        observer.observe({ type: 'longtask', buffered: false });
        setTimeout(() => {
          for (const entry of observer.takeRecords()) tasks.push(entry.duration);
          observer.disconnect();
          resolve({
            longest: Math.max(0, ...tasks),
            blocking: tasks.reduce((sum, d) => sum + Math.max(0, d - 50), 0),
            tasks: tasks.map(Math.round),
          });
        }, span);
      }),
    ms,
  );
}

/** Clicks zoom-in and waits (at most 2 s) for the zoom level to change: the page answers. */
async function zoomInTakesEffect(page) {
  const zoomBefore = await page.locator('#zoom-level').textContent();
  await page.click('#zoom-in', { timeout: 2000 });
  await page.waitForFunction((before) => document.querySelector('#zoom-level').textContent !== before, zoomBefore, {
    timeout: 2000,
  });
}

/** The number shown for a summary figure ("80.1" → 80.1). */
async function figure(page, id) {
  const text = await page.locator(`#results [data-figure="${id}"] .figure-number`).textContent();
  return Number(text.replace(/,/g, ''));
}

test('the M/M/1 template runs in the worker and agrees with queueing theory', async () => {
  const { page } = app;
  await loadTemplate(page, 'mm1');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 2);
  const run = page.locator('#run-button');
  await page.locator('#run-status.is-ready').waitFor();
  assert.equal(await run.isEnabled(), true, 'a valid design can run');
  assert.equal(await page.locator('#stop-button').isEnabled(), false);
  assert.equal(await page.locator('#pause-button').isEnabled(), false, 'nothing to pause yet');
  await run.click();
  await page.locator('#results.has-report').waitFor({ timeout: 60_000 });

  // λ = 80/s, μ = 100/s: throughput 80/s, W = 1/(μ − λ) = 50 ms, utilisation 80%.
  const throughput = await figure(page, 'throughput');
  const meanLatency = await figure(page, 'latency-mean');
  assert.ok(Math.abs(throughput - 80) < 3, `throughput ${throughput} req/s, want about 80`);
  assert.ok(meanLatency > 38 && meanLatency < 62, `mean latency ${meanLatency} ms, want about 50`);
  const p99 = await figure(page, 'latency-p99');
  assert.ok(p99 > 170 && p99 < 300, `p99 ${p99} ms, want about 230 (W ln 100)`);
  // Confidence half-widths are shown (batch means of a single run).
  assert.match(await page.locator('#results [data-figure="throughput"] .figure-ci').textContent(), /^± \d/);
  const utilisation = await page.locator('#results-nodes tr[data-node-id="server"] [data-col="utilisation"]').textContent();
  assert.ok(Math.abs(parseFloat(utilisation) - 80) < 4, `server utilisation ${utilisation}, want about 80%`);
  assert.equal(await page.locator('#results-failures').textContent(), 'No request failed.');
  assert.match(await page.locator('#results-meta').textContent(), /M\/M\/1 queue · 200 s simulated/);
  assert.equal(await page.locator('#results-stale').count(), 0, 'fresh results are not stale');
  // The run bar says what just happened, not "Ready to run." as if nothing had.
  assert.match(
    await page.locator('#run-status.is-finished').textContent(),
    /^Finished: 200 s simulated in \d+(\.\d)? s · no request failed · 1 replication$/,
  );

  // The charts are drawn canvases; with no failure, the failures chart only says so.
  const ink = (id) =>
    page.$eval(`#chart-${id} canvas`, (canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return painted;
    });
  for (const id of ['throughput', 'latency', 'utilisation', 'latency-histogram']) {
    const inked = await ink(id);
    assert.ok(inked > 2000, `chart ${id} looks empty (${inked} painted pixels)`);
    assert.equal(await page.locator(`#chart-${id}`).getAttribute('data-has-data'), 'true', id);
  }
  // The whole run's histogram: its cumulative share reaches 50% and 99% in the buckets of the
  // report's p50 and p99 (each an upper bound 12.2% above its bucket's lower one).
  const shape = Object.fromEntries(
    (await page.locator('#chart-latency-histogram').getAttribute('data-summary'))
      .split(';')
      .map((pair) => pair.split('='))
      .map(([k, v]) => [k, Number(v)]),
  );
  const step = 10 ** (1 / 20);
  for (const [cdf, p] of [['cdf50', 'p50'], ['cdf99', 'p99']]) {
    assert.ok(shape[p] <= shape[cdf] && shape[p] > shape[cdf] / step, `${p} in its bucket: ${JSON.stringify(shape)}`);
  }
  assert.equal(await page.locator('#chart-failures').getAttribute('data-has-data'), 'false');
  assert.equal(await page.locator('#chart-failures .chart-empty').textContent(), 'No request failed.');
  await page.locator('#results').evaluate((el) => el.scrollTo(0, 0));
  await app.screenshot('run-results');
  // The rest of the results area: charts and the node table.
  await page.locator('#results-nodes').scrollIntoViewIfNeeded();
  await page.locator('#results').screenshot({ path: 'target/e2e/run-results-tables.png' });
  await page.locator('#results').evaluate((el) => el.scrollTo(0, 0));
  app.assertNoProblems('running the M/M/1 template');
});

test('moving a node keeps the results current; changing a parameter marks them stale', async () => {
  const { page } = app;
  const server = await nodeCentre(page, 'server');
  await page.mouse.click(server.x, server.y);
  await page.keyboard.press('ArrowRight');
  await page.waitForTimeout(100);
  assert.equal(await page.locator('#results-stale').count(), 0, 'a move changes nothing simulated');
  await field(page, 'nodes[1].params.workers').fill('2');
  await page.locator('#results-stale').waitFor();
  assert.match(await page.locator('#results-stale').textContent(), /earlier version of the design/);
  assert.equal(await page.locator('#run-status').textContent(), 'Ready to run.', 'the last run is of another design');
  // Undo brings the design the results belong to back, and the run bar's account of its run.
  await clickEmptyCanvas(page);
  await page.keyboard.press('Control+z');
  await page.locator('#results-stale').waitFor({ state: 'detached' });
  assert.match(await page.locator('#run-status.is-finished').textContent(), /^Finished: /);
  app.assertNoProblems('staleness');
});

test('the page stays responsive during a long run, and Stop ends it', async () => {
  const { page } = app;
  await clickEmptyCanvas(page);
  // 1 000 000 s of simulated time: eighty million requests, far longer than this test waits.
  await field(page, 'run.duration_ms').fill('1000000000');
  await field(page, 'run.bucket_ms').fill('20000'); // at most 100 000 buckets per run
  await clickEmptyCanvas(page);
  assert.equal((await autosavedDesign(page)).run.duration_ms, 1000000000);
  await page.click('#run-button');
  await page.locator('#run-status.is-running').waitFor();
  await page.waitForFunction(() => /^Running · \d+%$/.test(document.querySelector('#run-status').textContent));
  assert.equal(await page.locator('#run-button').isEnabled(), false, 'one run at a time');

  // While the worker is busy, nothing holds the page's main thread, and it answers clicks. (A
  // run on the main thread would be one task as long as the whole window.)
  const blocked = await longTasksDuring(page, 2000);
  assert.ok(blocked.longest < 200, `a task held the page for ${blocked.longest} ms while running: ${JSON.stringify(blocked)}`);
  assert.ok(blocked.blocking < 250, `the page was blocked for ${blocked.blocking} ms of 2 s while running: ${JSON.stringify(blocked)}`);
  await zoomInTakesEffect(page);
  assert.equal(await page.locator('#run-status.is-running').count(), 1, 'still running after the clicks');
  const progressBefore = Number(await page.locator('#run-progress').getAttribute('aria-valuenow'));
  await page.screenshot({ path: 'target/e2e/run-progress.png' });

  await page.click('#stop-button');
  await page.locator('#run-status', { hasText: 'Stopped' }).waitFor();
  assert.match(
    await page.locator('#run-status.is-stopped').textContent(),
    /^Stopped at [\d,.]+ (ms|s) of 1,000,000 s · the partial run was discarded\.$/,
  );
  assert.equal(await page.locator('#run-progress').count(), 0);
  assert.equal(await page.locator('#run-button').isEnabled(), true);
  assert.equal(await page.locator('#stop-button').isEnabled(), false);
  assert.ok(progressBefore < 100, 'the run was stopped part way');
  // The earlier report is still there, and marked stale (the duration changed since).
  await page.locator('#results-stale').waitFor();
  // Once the design changes, the run bar no longer speaks of the stopped run.
  await field(page, 'run.duration_ms').fill('200000');
  await clickEmptyCanvas(page);
  await page.waitForFunction(() => document.querySelector('#run-status').textContent === 'Ready to run.');
  assert.equal(await page.locator('#run-status.is-stopped').count(), 0);
  app.assertNoProblems('stopping a run');
});

/** The figures a run shows, as text (exactly what a person reads). */
async function shownFigures(page) {
  return page.$$eval('#results [data-figure]', (figures) =>
    figures.map((f) => `${f.dataset.figure}: ${f.querySelector('.figure-number')?.textContent} ${f.querySelector('.figure-ci')?.textContent ?? ''}`),
  );
}

const progressNow = async (page) => Number(await page.locator('#run-progress').getAttribute('aria-valuenow'));

test('Pause holds a run still, the page stays usable, Resume finishes it with the same figures', async () => {
  const { page } = app;
  await loadTemplate(page, 'mm1');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 2);
  await clickEmptyCanvas(page);
  // Long enough to pause in the middle (several seconds), short enough to finish twice here.
  await field(page, 'run.duration_ms').fill('40000000');
  await field(page, 'run.bucket_ms').fill('20000');
  await field(page, 'run.replications').fill('2');
  await clickEmptyCanvas(page);

  // The reference: the same design and seed, never paused.
  let started = Date.now();
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-stale)').waitFor({ timeout: 120_000 });
  await page.locator('#run-status.is-ready').waitFor();
  const unpausedMs = Date.now() - started;
  const unpaused = await shownFigures(page);
  assert.ok(unpaused.length >= 4, `figures shown: ${JSON.stringify(unpaused)}`);

  started = Date.now();
  await page.click('#run-button');
  await page.waitForFunction(() => /^Running replication 1 of 2 · ([3-9]|\d\d)%$/.test(document.querySelector('#run-status').textContent));
  await page.click('#pause-button');
  await page.locator('#run-status.is-paused').waitFor();
  const status = await page.locator('#run-status').textContent();
  assert.match(status, /^Paused at \d+% — Resume or Stop$/);
  assert.equal(await page.locator('#pause-button').textContent(), 'Resume');
  assert.equal(await page.locator('#stop-button').isEnabled(), true, 'a paused run can be stopped');
  assert.equal(await page.locator('#run-button').isEnabled(), false, 'one run at a time, paused or not');
  const pausedAt = await progressNow(page);
  assert.ok(pausedAt > 0 && pausedAt < 100, `paused at ${pausedAt}%`);

  // For a second, nothing moves, and the page answers clicks with nothing holding its thread.
  await zoomInTakesEffect(page);
  const blocked = await longTasksDuring(page, 1000);
  assert.ok(blocked.longest < 200, `a task held the page for ${blocked.longest} ms while paused: ${JSON.stringify(blocked)}`);
  assert.equal(await progressNow(page), pausedAt, 'progress stands still while paused');
  assert.equal(await page.locator('#run-status').textContent(), status);
  await page.click('#zoom-out');
  await app.screenshot('run-paused');

  await page.click('#pause-button');
  assert.equal(await page.locator('#pause-button').textContent(), 'Pause');
  await page.waitForFunction((at) => Number(document.querySelector('#run-progress')?.getAttribute('aria-valuenow') ?? 100) > at, pausedAt);
  await page.locator('#run-status.is-ready').waitFor({ timeout: 120_000 });
  const pausedRunMs = Date.now() - started;
  assert.deepEqual(await shownFigures(page), unpaused, 'a paused and resumed run reports what an unpaused one does');
  assert.equal(await page.locator('#results-stale').count(), 0);
  assert.equal(await page.locator('#pause-button').isEnabled(), false);
  console.log(`# unpaused run ${unpausedMs} ms; paused run ${pausedRunMs} ms including a pause of over a second`);
  app.assertNoProblems('pausing and resuming a run');
});

test('Reset clears the results', async () => {
  const { page } = app;
  await page.click('#reset-button');
  await page.locator('#results .results-empty').waitFor();
  assert.equal(await page.locator('#results.has-report').count(), 0);
  assert.match(await page.locator('#run-status').textContent(), /Ready to run/);
  app.assertNoProblems('reset');
});

test('a design with retries, timeouts and a fault shows failures, busy edges and replications', async () => {
  const { page } = app;
  await loadTemplate(page, 'microservices-gateway');
  const template = JSON.parse(
    await readFile(new URL('../../examples/microservices-gateway.json', import.meta.url), 'utf8'),
  );
  await page.waitForFunction((n) => document.querySelectorAll('#canvas .node').length === n, template.nodes.length);
  await clickEmptyCanvas(page);
  await field(page, 'run.replications').fill('3');
  await clickEmptyCanvas(page);
  await page.click('#run-button');
  await page.waitForFunction(() => /replication \d of 3/.test(document.querySelector('#run-status').textContent));
  await page.locator('#results.has-report:not(.is-stale)').waitFor({ timeout: 90_000 });
  assert.match(await page.locator('#results-meta').textContent(), /3 replications/);
  assert.match(await page.locator('#results-failures').textContent(), /^Failed: .*(timeouts|errors|node down)/);
  // The tables come a frame after the rest of the report.
  await page.locator('#results-edges').waitFor();
  assert.ok((await page.locator('#results-edges tbody tr').count()) >= 1, 'edges that retried are listed');
  assert.deepEqual(
    await page.$$eval('#results-nodes tbody tr[data-node-id]', (rows) => rows.map((r) => r.dataset.nodeId).sort()),
    template.nodes.map((n) => n.id).sort(),
  );
  // What the fault did: one row per fault, and the crash's row counts the requests it failed.
  assert.equal(await page.locator('#results-faults tbody tr').count(), template.faults.length);
  const crash = page.locator('#results-faults tr[data-kind="crash"]');
  assert.equal(await crash.locator('[data-col="when"]').textContent(), '30–45 s');
  assert.equal(await crash.locator('[data-col="fault"]').textContent(), 'crash');
  assert.equal(await crash.locator('[data-col="where"]').textContent(), 'payments');
  const did = await crash.locator('[data-col="did"]').textContent();
  assert.match(did, /^[\d,.]+ ± [\d,.]+ requests failed \(node down\)$/, did);
  assert.ok(Number(did.split(' ')[0].replaceAll(',', '')) > 0, `the crash failed requests: ${did}`);
  await page.locator('#results').evaluate((el) => el.scrollTo(0, 0));
  await app.screenshot('run-results-failures');
  await page.locator('.results-charts').screenshot({ path: 'target/e2e/run-results-failures-charts.png' });
  await page.locator('#results-nodes').scrollIntoViewIfNeeded();
  await page.locator('#results').screenshot({ path: 'target/e2e/run-results-failures-tables.png' });
  await page.locator('#results').evaluate((el) => el.scrollTo(0, 0));
  app.assertNoProblems('running a design with failures');
});

test('a cache shows its hit ratio', async () => {
  const { page } = app;
  await loadTemplate(page, 'cache-aside');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length >= 4);
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-stale)').waitFor({ timeout: 90_000 });
  const details = await page.locator('#results-nodes tr.node-details').allTextContents();
  assert.ok(
    details.some((d) => /^hit ratio \d+(\.\d)?% ± /.test(d)),
    `no cache hit ratio among ${JSON.stringify(details)}`,
  );
  // Switching to dark redraws the charts in the dark theme's colours.
  const axisInk = () =>
    page.$eval('#chart-throughput canvas', (canvas) => {
      // The first value label, left of the plot: its brightest pixel.
      const { data } = canvas.getContext('2d').getImageData(0, 0, 44 * devicePixelRatio, canvas.height);
      let brightest = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200) brightest = Math.max(brightest, data[i] + data[i + 1] + data[i + 2]);
      }
      return brightest;
    });
  const lightInk = await axisInk();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(
    (before) => {
      const canvas = document.querySelector('#chart-throughput canvas');
      const { data } = canvas.getContext('2d').getImageData(0, 0, 44 * devicePixelRatio, canvas.height);
      let brightest = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 200) brightest = Math.max(brightest, data[i] + data[i + 1] + data[i + 2]);
      }
      return brightest !== before;
    },
    lightInk,
  );
  await page.locator('#results').evaluate((el) => el.scrollTo(0, 0));
  await app.screenshot('run-results-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  app.assertNoProblems('running the cache-aside template');
});

test('a shared link over autosaved work keeps that work, and one click restores it', async () => {
  const fresh = await openApp({ viewport: VIEWPORT });
  try {
    const { page } = fresh;
    // The link: the tandem template's share URL.
    await loadTemplate(page, 'tandem');
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length >= 2);
    const linkedIds = (await canvasNodes(page)).map((n) => n.id);
    await page.click('#share-button');
    const shareUrl = await page.locator('#share-url').inputValue();
    await page.keyboard.press('Escape');
    // The work in progress: M/M/1, autosaved.
    await loadTemplate(page, 'mm1');
    await page.waitForFunction(() => document.querySelector('#canvas .node[data-node-id="server"]'));
    const work = await autosavedDesign(page);
    assert.equal(work.name, 'M/M/1 queue');

    // Opening the link in a new page load keeps the work aside and offers it back.
    await page.goto('about:blank');
    await fresh.goto(shareUrl);
    await page.locator('#restore-notice').waitFor();
    assert.deepEqual((await canvasNodes(page)).map((n) => n.id), linkedIds);
    const backup = await page.evaluate(() => localStorage.getItem('archsim.autosave.backup.v1'));
    assert.ok(backup, 'the previous work was kept in local storage');
    assert.deepEqual(JSON.parse(backup).design, work);
    await fresh.screenshot('run-share-restore-offer');

    // One notice says what happened and offers the work back (no second "loaded" notice).
    assert.equal(await page.locator('.canvas-notices .notice').count(), 1);
    assert.match(await page.locator('#restore-notice').textContent(), /Loaded “Tandem.*Undo brings back your previous design.*kept aside/);
    await page.click('#restore-previous');
    await page.waitForFunction(() => document.querySelector('#canvas .node[data-node-id="server"]'));
    assert.deepEqual(await autosavedDesign(page), work);
    assert.equal(await page.locator('#restore-notice').count(), 0);
    // Restoring is one undo step: Ctrl+Z brings the link's design back.
    await clickEmptyCanvas(page);
    await page.keyboard.press('Control+z');
    await page.waitForFunction(
      (n) => document.querySelectorAll('#canvas .node').length === n,
      linkedIds.length,
    );
    fresh.assertNoProblems('restoring the work a link replaced');
  } finally {
    await fresh.close();
  }
});
