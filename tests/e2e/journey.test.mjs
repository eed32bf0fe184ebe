// Journeys through the app as a person takes them, each pinned to a defect found walking them:
// the view kept across a reload, drop-downs that follow undo and redo (and Ctrl+Z from a
// drop-down), every reason the design cannot run listed in full, a pair of opposite edges drawn
// apart, and a chart whose only value is one point still showing it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import {
  autosavedDesign,
  clickEmptyCanvas,
  connect,
  dropKind,
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

async function select(page, id) {
  const centre = await nodeCentre(page, id);
  await page.mouse.click(centre.x, centre.y);
}

// Regression: pan and zoom were autosaved only when the design itself changed next, so a reload
// right after zooming in put the view back where it had been.
test('zoom and pan survive a reload', async () => {
  const { page } = app;
  await loadTemplate(page, 'three-tier');
  await page.locator('#canvas .node[data-node-id="lb"]').waitFor();
  await page.click('#zoom-in');
  await page.click('#zoom-in');
  // Pan with the wheel (no Ctrl): the view moves, the design does not.
  const box = await page.locator('#canvas svg.canvas-svg').boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const zoomedView = await page.locator('#canvas svg.canvas-content').getAttribute('data-viewport');
  await page.mouse.wheel(0, 120);
  // Playwright's wheel returns without waiting for the page to handle it: the view is read once
  // the pan has happened.
  await page.waitForFunction(
    (before) => document.querySelector('#canvas svg.canvas-content').dataset.viewport !== before,
    zoomedView,
  );
  const zoom = await page.locator('#zoom-level').textContent();
  const lbBefore = await nodeCentre(page, 'lb');
  // The view is written once it rests: the saved viewport becomes the one on screen.
  await page.waitForFunction(() => {
    const { pan_x, pan_y, zoom } = JSON.parse(localStorage.getItem('archsim.autosave.v1')).viewport;
    return document.querySelector('#canvas svg.canvas-content').dataset.viewport === `${pan_x} ${pan_y} ${zoom}`;
  });
  await page.reload();
  await page.locator('#canvas .node[data-node-id="lb"]').waitFor();
  assert.equal(await page.locator('#zoom-level').textContent(), zoom, 'the zoom level came back');
  const lbAfter = await nodeCentre(page, 'lb');
  assert.ok(
    Math.abs(lbAfter.x - lbBefore.x) < 1 && Math.abs(lbAfter.y - lbBefore.y) < 1,
    `the load balancer moved on screen: ${JSON.stringify(lbBefore)} → ${JSON.stringify(lbAfter)}`,
  );
  app.assertNoProblems('keeping the view');
});

// Regression: once an option had been picked, a drop-down kept showing it after Redo/Undo
// changed the design under it; and Ctrl+Z with the drop-down focused did nothing at all.
test('a drop-down shows what undo and redo put back, and Ctrl+Z in it undoes the choice', async () => {
  const { page } = app;
  await select(page, 'lb');
  const algorithm = field(page, 'nodes[1].params.algorithm.type');
  // What the design holds, once the autosave has caught up with `expected`.
  const designAlgorithm = async (expected) => {
    await page.waitForFunction(
      (e) => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.nodes[1].params.algorithm.type === e,
      expected,
    );
    return expected;
  };
  assert.equal(await algorithm.inputValue(), 'round_robin');

  await algorithm.selectOption('least_connections');
  await designAlgorithm('least_connections');
  await page.click('#undo-button');
  await designAlgorithm('round_robin');
  assert.equal(await algorithm.inputValue(), 'round_robin', 'after undo');
  await page.click('#redo-button');
  await designAlgorithm('least_connections');
  assert.equal(await algorithm.inputValue(), 'least_connections', 'after redo the drop-down shows the design');
  await page.click('#undo-button');
  assert.equal(await algorithm.inputValue(), 'round_robin', 'after a second undo');

  // From the keyboard, focus staying on the drop-down.
  await algorithm.focus();
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => document.activeElement?.tagName === 'SELECT');
  const picked = await algorithm.inputValue();
  assert.notEqual(picked, 'round_robin');
  await designAlgorithm(picked);
  await page.keyboard.press('Control+z');
  await designAlgorithm('round_robin');
  assert.equal(await algorithm.inputValue(), 'round_robin');
  await page.keyboard.press('Control+Shift+z');
  await designAlgorithm(picked);
  assert.equal(await algorithm.inputValue(), picked);
  // The drop-down's own keys are still its own: Delete does not delete the selected node.
  await page.keyboard.press('Delete');
  assert.equal(await page.locator('#canvas .node[data-node-id="lb"]').count(), 1);
  app.assertNoProblems('undo from a drop-down');
});

// Regression: with Run disabled, only the first reason was shown, cut off with an ellipsis in
// the run bar ("…must be a …"), and the rest hid in a tooltip.
test('when Run is off, every reason is listed in full', async () => {
  const fresh = await openApp({ viewport: VIEWPORT });
  try {
    const { page } = fresh;
    await dropKind(page, 'client', 110, 200);
    await dropKind(page, 'service', 400, 200);
    await select(page, 'client-1');
    await field(page, 'nodes[0].params.workload.rate.rps').fill('-5');
    await clickEmptyCanvas(page);
    assert.equal(await page.locator('#run-button').isDisabled(), true);
    assert.match(await page.locator('#run-status').textContent(), /^Can't run yet: .*\(\+1 more\)$/);
    const reasons = await page.locator('#run-blockers li').allTextContents();
    assert.equal(reasons.length, 2, `reasons listed: ${JSON.stringify(reasons)}`);
    assert.ok(reasons.some((r) => /rate\.rps: must be a finite number ≥ 0, found -5$/.test(r)), JSON.stringify(reasons));
    assert.ok(reasons.some((r) => /client-1.*no outgoing edge/.test(r)), JSON.stringify(reasons));
    // Each reason is readable, not cut off: its list item is as wide as its text needs.
    const clipped = await page.$$eval('#run-blockers li', (items) => items.filter((li) => li.scrollWidth > li.clientWidth).length);
    assert.equal(clipped, 0);
    await fresh.screenshot('journey-run-blockers');

    // Fixing them empties the list, and the usual invitation comes back.
    await connect(page, 'client-1', 'service-1');
    await select(page, 'client-1');
    await field(page, 'nodes[0].params.workload.rate.rps').fill('50');
    await page.locator('#run-status.is-ready').waitFor();
    assert.equal(await page.locator('#run-blockers').count(), 0);
    assert.match(await page.locator('#results .results-empty').textContent(), /Press Run/);
    fresh.assertNoProblems('listing blockers');
  } finally {
    await fresh.close();
  }
});

/** The midpoint of an edge's drawn line, in page pixels. */
async function edgeMidpoint(page, id) {
  return page.$eval(`#canvas .edge[data-edge-id="${id}"] .edge-line`, (path) => {
    const length = path.getTotalLength();
    const p = path.getPointAtLength(length / 2);
    const m = path.getScreenCTM();
    return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
  });
}

// Regression: A → B and B → A were drawn exactly on top of each other, so the design looked as
// if it had one edge and only the upper one could be clicked.
test('two edges in opposite directions are drawn apart, and each can be selected', async () => {
  const fresh = await openApp({ viewport: VIEWPORT });
  try {
    const { page } = fresh;
    await dropKind(page, 'service', 200, 200);
    await dropKind(page, 'service', 500, 200);
    await connect(page, 'service-1', 'service-2');
    await connect(page, 'service-2', 'service-1');
    const there = await edgeMidpoint(page, 'e-service-1-service-2');
    const back = await edgeMidpoint(page, 'e-service-2-service-1');
    const gap = Math.hypot(there.x - back.x, there.y - back.y);
    assert.ok(gap >= 8, `the two arrows are ${gap.toFixed(1)} px apart`);
    await fresh.screenshot('journey-opposite-edges');

    await page.mouse.click(there.x, there.y);
    await page.locator('#canvas .edge.is-selected[data-edge-id="e-service-1-service-2"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#canvas .edge.is-selected').count(), 1);
    await page.mouse.click(back.x, back.y);
    await page.locator('#canvas .edge.is-selected[data-edge-id="e-service-2-service-1"]').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#canvas .edge.is-selected').count(), 1);
    // A lone edge stays on the straight line between the boxes' facing borders.
    await dropKind(page, 'database', 500, 400);
    await connect(page, 'service-2', 'database-1');
    const lone = await edgeMidpoint(page, 'e-service-2-database-1');
    const [a, b] = [await nodeCentre(page, 'service-2'), await nodeCentre(page, 'database-1')];
    assert.ok(Math.abs(lone.x - (a.x + b.x) / 2) < 1.5, `lone edge midpoint ${JSON.stringify(lone)}`);
    fresh.assertNoProblems('opposite edges');
  } finally {
    await fresh.close();
  }
});

// Regression: a run shorter than one time bucket gave every chart a single value, and a line
// through one point draws nothing: empty charts next to figures that said otherwise.
test('a chart whose line has a single value still shows it', async () => {
  const { page } = app;
  await loadTemplate(page, 'mm1');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 2);
  await clickEmptyCanvas(page);
  await field(page, 'run.duration_ms').fill('800');
  await field(page, 'run.warmup_ms').fill('0');
  await clickEmptyCanvas(page);
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-stale)').waitFor({ timeout: 60_000 });
  assert.ok((await page.locator('#results [data-figure="throughput"] .figure-number').textContent()) !== '0');
  // Coloured pixels in the plot: the plotted values (grid, labels and the warm-up are grey). The
  // plot starts 16 px down (charts/layout.rs; the legend is HTML above the canvas).
  // Charts are painted in the frames after the report is shown (not in the same task, so the
  // page stays responsive): wait a few seconds for each to have its values, then say how many.
  const coloured = (id) => {
    const canvas = document.querySelector(`#chart-${id} canvas`);
    if (!canvas || !canvas.clientHeight) return 0;
    const ratio = canvas.height / canvas.clientHeight;
    const y0 = Math.ceil(16 * ratio);
    const { data } = canvas.getContext('2d').getImageData(0, y0, canvas.width, canvas.height - y0);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) count++;
    }
    return count;
  };
  for (const id of ['throughput', 'latency', 'utilisation']) {
    const shown = await page
      .waitForFunction(([f, id]) => new Function(`return (${f})`)()(id) >= 10, [coloured.toString(), id], { timeout: 5_000 })
      .then(() => true, () => false);
    const count = await page.evaluate(([f, id]) => new Function(`return (${f})`)()(id), [coloured.toString(), id]);
    assert.ok(shown, `chart ${id} shows no value (${count} coloured pixels)`);
  }
  await page.locator('.results-charts').screenshot({ path: 'target/e2e/journey-one-bucket-charts.png' });
  app.assertNoProblems('one-bucket charts');
});
