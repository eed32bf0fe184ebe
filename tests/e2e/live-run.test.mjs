// Watching a run: the canvas shows load (a saturated node is drawn differently from an idle
// one), the live series grows while a paced run is under way, the gateway template's breaker
// shows open on its edge while payments is down, the time cursor moves the canvas through the
// run, loading another design clears the results, and the page answers a click within 50 ms
// while a long run of a 200-node design goes on (long-task observer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import { BIG_DESIGN_NODES, bigDesign } from './big-design.mjs';
import { clickEmptyCanvas, loadTemplate, nodeCentre, propertyField as field } from './editor-helpers.mjs';

const VIEWPORT = { width: 1400, height: 1000 };

let app;
before(async () => {
  app = await openApp({ viewport: VIEWPORT });
});
after(async () => {
  await app?.close();
});

async function select(page, id) {
  const centre = await nodeCentre(page, id);
  await page.mouse.click(centre.x, centre.y);
}

/** The computed fill of a node's body and its load step. */
async function nodeLook(page, id) {
  return page.$eval(`#canvas .node[data-node-id="${id}"]`, (node) => ({
    fill: getComputedStyle(node.querySelector('.node-body')).fill,
    step: node.dataset.loadStep ?? null,
    caption: node.querySelector('.node-caption').textContent,
    classes: node.getAttribute('class'),
  }));
}

async function setSpeed(page, value) {
  await page.selectOption('#run-speed', value);
}

test('a saturated node is drawn unlike an idle one (three-tier at 10,000 rps)', async () => {
  const { page } = app;
  await loadTemplate(page, 'three-tier');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 6);
  const idleBefore = await nodeLook(page, 'app-1');
  assert.equal(idleBefore.step, null, 'no run, no load colour');
  await select(page, 'users');
  await field(page, 'nodes[0].params.workload.rate.rps').fill('10000');
  await clickEmptyCanvas(page);
  await field(page, 'run.duration_ms').fill('15000');
  await field(page, 'run.warmup_ms').fill('2000');
  await clickEmptyCanvas(page);
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-stale):not(.is-live)').waitFor({ timeout: 90_000 });
  const app1 = await nodeLook(page, 'app-1');
  const db = await nodeLook(page, 'db');
  assert.equal(app1.step, '5', `the app tier is saturated: ${JSON.stringify(app1)}`);
  assert.match(app1.caption, /saturated/);
  assert.match(app1.classes, /is-saturated/);
  assert.notEqual(db.step, '5', `the database is not: ${JSON.stringify(db)}`);
  assert.notEqual(app1.fill, db.fill, 'saturated and idle nodes have different colours');
  assert.notEqual(app1.fill, idleBefore.fill, 'the saturated node is coloured unlike before the run');
  // The app tier is the bottleneck, the edges into it carry traffic and fail.
  assert.equal(await page.locator('#canvas .node.is-bottleneck').count(), 1);
  assert.match(await page.locator('#canvas .node.is-bottleneck').getAttribute('data-node-id'), /^app-/);
  assert.ok((await page.locator('#canvas .edge.has-traffic').count()) >= 4);
  assert.ok((await page.locator('#canvas .edge.fails-many').count()) >= 1, 'most requests into the app tier fail');
  assert.match(await page.locator('#canvas-showing').textContent(), /Whole run/);
  await app.screenshot('live-run-three-tier-saturated');
  app.assertNoProblems('three-tier at 10,000 rps');
});

test('loading another design clears the results', async () => {
  const { page } = app;
  assert.equal(await page.locator('#results.has-report:not(.is-live)').count(), 1, 'results from the previous test');
  await loadTemplate(page, 'mm1');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 2);
  assert.equal(await page.locator('#results.has-report:not(.is-live)').count(), 0, 'the old design’s results are gone');
  assert.equal(await page.locator('#results-stale').count(), 0);
  assert.equal(await page.locator('#canvas .node.has-load').count(), 0, 'the canvas shows no old run');
  assert.equal(await page.locator('#time-cursor').count(), 0, 'no time to scrub');
  assert.match(await page.locator('#canvas-showing').textContent(), /no run/);
  // And they do not come back with a reload.
  await page.reload();
  await page.locator('#canvas .node').first().waitFor();
  assert.equal(await page.locator('#results.has-report:not(.is-live)').count(), 0);
  app.assertNoProblems('loading another design');
});

test('a paced run streams its series, the breaker opens on its edge, the time cursor moves the canvas', async () => {
  const { page } = app;
  await loadTemplate(page, 'microservices-gateway');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 8);
  await setSpeed(page, '10');
  await page.click('#run-button');
  // At 10× the 90 s scenario takes 9 s: buckets arrive while it runs.
  await page.waitForFunction(() => Number(document.querySelector('#run-bar').dataset.liveBuckets) >= 3, null, {
    timeout: 20_000,
  });
  assert.equal(await page.locator('#results.has-report:not(.is-live)').count(), 0, 'the run has not ended yet');
  assert.ok((await page.locator('#canvas .node.has-load').count()) > 0, 'the canvas shows the run while it goes');
  assert.match(await page.locator('#canvas-showing').textContent(), /Live · \d+ s/);
  // Payments crashes at 30 s (3 s of wall time): the breaker on orders → payments opens, live.
  const breaker = page.locator('#canvas .breaker-state[data-edge-id="orders-to-payments"]');
  await page.locator('#canvas .breaker-state.is-open[data-edge-id="orders-to-payments"]').waitFor({ timeout: 20_000 });
  assert.equal(await page.locator('#results.has-report:not(.is-live)').count(), 0, 'seen open while the run goes');
  assert.match(await page.locator('#canvas .node[data-node-id="payments"]').getAttribute('class'), /is-down/);
  await app.screenshot('live-run-breaker-open');

  // Pause, step one bucket, scrub back.
  await page.click('#pause-button');
  await page.locator('#run-status.is-paused').waitFor();
  const before = Number(await page.locator('#run-bar').getAttribute('data-live-buckets'));
  await page.click('#step-button');
  await page.waitForFunction((n) => Number(document.querySelector('#run-bar').dataset.liveBuckets) === n + 1, before);
  await page.locator('#run-status.is-paused').waitFor();
  await page.locator('#time-cursor').fill('10000');
  assert.match(await page.locator('#canvas-showing').textContent(), /At 10 s/);
  assert.equal(await breaker.getAttribute('data-breaker'), 'closed', 'closed before the crash');

  // Finish as fast as possible; the report replaces the live series. The live charts stay on
  // the page and are repainted with the report's figures, not torn down and built again (for
  // a big design that was most of the task that showed the report): a mark put on a live
  // chart's canvas is still there afterwards.
  const kept = await page.evaluate(() => {
    const figure = document.querySelector('#results.is-live .results-charts .chart');
    figure.querySelector('canvas').__archsimLive = true;
    return figure.id;
  });
  await page.click('#time-cursor-clear');
  await setSpeed(page, 'fastest');
  await page.click('#pause-button');
  await page.locator('#results.has-report:not(.is-live)').waitFor({ timeout: 60_000 });
  assert.equal(
    await page.evaluate((id) => document.querySelector(`#${id} canvas`)?.__archsimLive === true, kept),
    true,
    `the live chart ${kept} is the report's`,
  );
  assert.match(await page.locator('#canvas-showing').textContent(), /Whole run/);
  assert.match(await breaker.textContent(), /opened/);
  // The breaker's words sit on their edge clear of every node, the run's badge under each node
  // and its flags over it, and the edges' own badges (they covered payments' badge).
  const covered = await page.evaluate(() => {
    const label = document.querySelector('#canvas .breaker-state[data-edge-id="orders-to-payments"] rect').getBoundingClientRect();
    const hits = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    return [...document.querySelectorAll('#canvas .node-body, #canvas .node-badge rect, #canvas .node-flags rect, #canvas .edge-badge rect')]
      .filter((el) => hits(label, el.getBoundingClientRect()))
      .map((el) => `${el.closest('g[data-node-id], g[data-edge-id]')?.dataset.nodeId ?? el.closest('g[data-edge-id]')?.dataset.edgeId} ${el.parentElement.getAttribute('class')}`);
  });
  assert.deepEqual(covered, [], 'the breaker’s words cover nothing');
  assert.equal(await page.locator('#canvas .node[data-node-id="payments"] .node-badge').count(), 1, 'payments shows its badge');

  // The time cursor: the canvas shows each moment.
  await page.locator('#time-cursor').fill('35000');
  assert.match(await page.locator('#canvas-showing').textContent(), /At 35 s/);
  assert.equal(await breaker.getAttribute('data-breaker'), 'open');
  assert.match(await page.locator('#canvas .node[data-node-id="payments"]').getAttribute('class'), /is-down/);
  await app.screenshot('live-run-cursor-35s');
  await page.locator('#time-cursor').fill('70000');
  assert.match(await page.locator('#canvas-showing').textContent(), /At 70 s/);
  assert.equal(await breaker.getAttribute('data-breaker'), 'closed', 'closed again once payments is back');
  assert.doesNotMatch(await page.locator('#canvas .node[data-node-id="payments"]').getAttribute('class'), /is-down/);
  // Keyboard: the slider moves a bucket per arrow.
  await page.locator('#time-cursor').focus();
  await page.keyboard.press('ArrowLeft');
  assert.match(await page.locator('#canvas-showing').textContent(), /At 69 s/);
  await page.click('#time-cursor-clear');
  assert.match(await page.locator('#canvas-showing').textContent(), /Whole run/);
  app.assertNoProblems('a paced run of the gateway template');
});

const NODES = BIG_DESIGN_NODES;

/** The big design simulated for 900 s instead of 300 s: on a quiet machine its 300 s run ends
 *  about a second after its first live update, before three clicks could be timed. */
function longerRun(design) {
  return { ...design, run: { ...design.run, duration_ms: 900_000 } };
}

// From the click on Run to the report's charts on screen, no task may hold the main thread for
// 50 ms or more (PerformanceObserver 'longtask' reports exactly those), and clicks during the
// run are answered within 50 ms. A big design's live run is drawn on one canvas layer
// (canvas_raster.rs), the worker cuts live updates into small messages and leaves the series out
// of the report, and the report's text to keep is written by the worker (docs/performance.md).
// Marked todo: a bound on wall time, which depends on the machine CI happens to run on; the
// figures are printed here, and bench/ui-long-tasks.mjs measures them with the CPU time of each
// task (speed targets are checked by benchmarks that print figures, not by timed tests).
// Session 8 found each live update copying the series so far (over 900 s: 1–10 long tasks of
// 50–135 ms, clicks of up to 119–266 ms); session 9 made updates append in place (0–2 tasks of
// 51–61 ms); session 10 moved zoom off layout and sent live updates with their numbers apart
// ([50], [62], [59, 57], [66], [54, 61, 63] on a machine under load 1.0–1.4). Session 11 read and appended updates in pieces of 250,000 numbers, each in
// its own task, showed each update once its last piece was in, and built the charts a task
// after the canvas: on the quiet 2-core machine no long task in seven runs, clicks answered in
// 4–11 ms; with the page's CPU slowed twice, one or two tasks of 50–61 ms a run
// (docs/performance.md, "Live updates in pieces, charts a task later").
test('the page answers a click within 50 ms during a long run of a 200-node design', { todo: 'a timing bound: met on the quiet 2-core machine (no long task in seven runs), measured and printed here on any other' }, async () => {
  const { page } = app;
  await page.setInputFiles('#import-file', {
    name: 'big.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(longerRun(bigDesign()))),
  });
  await page.waitForFunction((n) => document.querySelectorAll('#canvas .node').length === n, NODES);
  // All 200 nodes in view (a loaded design is shown at a readable zoom, part of it): the most
  // the canvas draws. Drawn flat before the run as during it, so its start restyles nothing.
  await page.click('#zoom-fit');
  assert.equal(await page.locator('#canvas-surface.is-raster-sized').count(), 1);
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  await page.click('#run-button');
  await page.waitForFunction(() => Number(document.querySelector('#run-bar').dataset.liveBuckets) >= 2, null, {
    timeout: 30_000,
  });
  const live = Number(await page.locator('#run-bar').getAttribute('data-live-buckets'));
  // The canvas shows the run while it goes, on its raster layer.
  assert.equal(await page.locator(`#canvas .run-raster[data-nodes="${NODES}"]`).count(), 1);
  // Clicks during the run: the time from the click to the zoom level on screen changing.
  const answers = [];
  for (let i = 0; i < 10; i++) {
    if ((await page.locator('#results.has-report:not(.is-live)').count()) > 0) break;
    const ms = await page.evaluate(
      (i) =>
        new Promise((resolve) => {
          const level = document.querySelector('#zoom-level');
          const before = level.textContent;
          const observer = new MutationObserver(() => {
            if (level.textContent !== before) {
              observer.disconnect();
              resolve(performance.now() - started);
            }
          });
          observer.observe(level, { childList: true, characterData: true, subtree: true });
          const started = performance.now();
          // A click never answered counts as infinitely slow rather than hanging the test.
          setTimeout(() => resolve(Infinity), 3000);
          document.querySelector(i % 2 ? '#zoom-out' : '#zoom-in').click();
        }),
      i,
    );
    answers.push(ms);
    await page.waitForTimeout(150);
  }
  // Then the report arrives and renders: every chart painted, and a moment for what follows.
  await page.locator('#results.has-report:not(.is-live)').waitFor({ timeout: 90_000 });
  await page.waitForFunction(() => {
    const canvases = [...document.querySelectorAll('#results .results-charts canvas')];
    return canvases.length > 3 && canvases.every((c) => c.hasAttribute('data-paint-ms'));
  });
  await page.waitForTimeout(500);
  const longTasks = await page.evaluate(() => window.__longTasks.slice());
  console.log(
    `# 200 nodes: clicks during the run answered in ${answers.map((a) => a.toFixed(1)).join(', ')} ms; ` +
      `${live} live buckets when the clicks began; long tasks from Run to the rendered report ` +
      `${JSON.stringify(longTasks.map((t) => Math.round(t)))}`,
  );
  assert.ok(answers.length >= 3, 'the run lasted long enough to click during it');
  assert.ok(Math.max(...answers) < 50, `a click took ${Math.max(...answers).toFixed(1)} ms to answer`);
  assert.ok(live >= 2, 'the live series grew during the run');
  assert.deepEqual(longTasks, [], 'no task blocked the main thread for 50 ms or more, run and report');
  // The whole run's overlay is on the raster layer too, and the results are the 200 nodes'.
  assert.equal(await page.locator(`#canvas .run-raster[data-nodes="${NODES}"]`).count(), 1);
  // The node table lists the busiest 40 (its rows come a few a frame) and offers the rest.
  await page.waitForFunction(() => document.querySelectorAll('#results-nodes tbody tr[data-node-id]').length === 40);
  assert.match(await page.locator('#results-nodes-more').textContent(), new RegExp(`Show all ${NODES}`));
  app.assertNoProblems('a long run of a 200-node design');
});
