// The canvas keeps its size when a run ends (the results panel has the same height with or
// without results), so a design is never re-fitted to a smaller zoom because results arrived.
// When the person resizes the panel (splitter, by mouse or keyboard) or collapses it, a view
// fitted to the design with Fit (and not moved since) is fitted again, so every node stays inside the
// canvas and clear of the zoom controls; a view the person zoomed by hand keeps its zoom and the
// point at its centre. Neither is an edit (no undo step). The panel's size is remembered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import { canvasBox, loadTemplate } from './editor-helpers.mjs';

let app;
before(async () => {
  // The default 1280 x 800: the results area takes a good part of the height once it has a report.
  app = await openApp();
});
after(async () => {
  await app?.close();
});

/** Every node's box on the page, by id. */
function nodeBoxes(page) {
  return page.$$eval('#canvas .node .node-body', (bodies) =>
    bodies.map((body) => {
      const r = body.getBoundingClientRect();
      return { id: body.closest('.node').dataset.nodeId, left: r.left, top: r.top, right: r.right, bottom: r.bottom };
    }),
  );
}

/** Fails unless every node lies fully inside the canvas and none overlaps the zoom controls. */
async function assertNodesInView(page, when) {
  const canvas = await canvasBox(page);
  const controls = await page.locator('#canvas .canvas-controls').boundingBox();
  const nodes = await nodeBoxes(page);
  assert.ok(nodes.length > 0, `${when}: no node on the canvas`);
  for (const n of nodes) {
    const inside =
      n.left >= canvas.x - 0.5 &&
      n.top >= canvas.y - 0.5 &&
      n.right <= canvas.x + canvas.width + 0.5 &&
      n.bottom <= canvas.y + canvas.height + 0.5;
    assert.ok(
      inside,
      `${when}: node ${n.id} ${JSON.stringify(n)} is not fully inside the canvas ${JSON.stringify(canvas)}`,
    );
    const underControls =
      n.right > controls.x && n.left < controls.x + controls.width && n.bottom > controls.y && n.top < controls.y + controls.height;
    assert.ok(!underControls, `${when}: node ${n.id} ${JSON.stringify(n)} is under the zoom controls ${JSON.stringify(controls)}`);
  }
}

// Regression: when a run finished the results area grew, the canvas shrank to about 340 px and
// templates were re-fitted to 20–41% zoom, where nothing was readable.
test('a run ending changes neither the canvas size nor the zoom', async () => {
  const { page } = app;
  await loadTemplate(page, 'three-tier');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 6);
  await assertNodesInView(page, 'after loading the template');
  const before = await canvasBox(page);
  const zoom = await page.locator('#zoom-level').textContent();
  await page.locator('#run-status.is-ready').waitFor();
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-live)').waitFor({ timeout: 60_000 });
  await page.waitForTimeout(100);
  const after = await canvasBox(page);
  assert.ok(Math.abs(after.height - before.height) < 1, `the canvas changed height: ${before.height} → ${after.height}`);
  assert.equal(await page.locator('#zoom-level').textContent(), zoom, 'the zoom is kept');
  assert.ok(after.height > 400, `the canvas keeps a readable height at 1280 × 800 (${after.height} px)`);
  app.assertNoProblems('a run ending');
});

test('a design fitted with Fit stays in view when the results panel grows', async () => {
  const { page } = app;
  // Fit asks for all of the design at any zoom (a design just loaded is only shown at a
  // readable zoom, which a smaller canvas does not go below: see layout.test.mjs).
  await page.click('#zoom-fit');
  const before = await canvasBox(page);
  const canUndo = await page.locator('#undo-button').isEnabled();
  // The splitter by keyboard: Shift+ArrowUp grows the panel by 96 px a press.
  await page.locator('#results-splitter').focus();
  await page.keyboard.press('Shift+ArrowUp');
  await page.keyboard.press('Shift+ArrowUp');
  await page.waitForFunction(
    (height) => document.querySelector('#canvas svg.canvas-svg').getBoundingClientRect().height < height - 100,
    before.height,
  );
  await page.waitForTimeout(100);
  await assertNodesInView(page, 'after growing the results panel');
  await app.screenshot('canvas-resize-after-splitter');
  assert.equal(await page.locator('#undo-button').isEnabled(), canUndo, 'a resize is no edit to undo');
  // By mouse: dragging the splitter down gives the canvas its room back.
  const bar = await page.locator('#results-splitter').boundingBox();
  const middle = await canvasBox(page);
  await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2);
  await page.mouse.down();
  await page.mouse.move(bar.x + bar.width / 2, bar.y + 150, { steps: 5 });
  await page.mouse.up();
  await page.waitForFunction(
    (height) => document.querySelector('#canvas svg.canvas-svg').getBoundingClientRect().height > height + 100,
    middle.height,
  );
  await assertNodesInView(page, 'after dragging the splitter down');
  // The panel's size is remembered across a reload.
  const panel = (await page.locator('#results-panel').boundingBox()).height;
  await page.reload();
  await page.locator('#canvas .node').first().waitFor();
  const reloaded = (await page.locator('#results-panel').boundingBox()).height;
  assert.ok(Math.abs(reloaded - panel) < 1, `panel ${panel} px before the reload, ${reloaded} px after`);
  app.assertNoProblems('keeping a fitted design in view');
});

test('a view zoomed by hand keeps its zoom and its centre when the canvas changes size', async () => {
  const { page } = app;
  // Zoom in around the canvas's centre: the view is the person's own now, no longer a fit.
  await page.click('#zoom-in');
  const zoom = await page.locator('#zoom-level').textContent();
  const centreBefore = await page.evaluate(() => {
    const r = document.querySelector('#canvas svg.canvas-svg').getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  // The node nearest the centre, and where it is relative to the centre.
  const nearest = (nodes, c) =>
    nodes
      .map((n) => ({ id: n.id, dx: (n.left + n.right) / 2 - c.x, dy: (n.top + n.bottom) / 2 - c.y }))
      .sort((a, b) => Math.hypot(a.dx, a.dy) - Math.hypot(b.dx, b.dy))[0];
  const anchor = nearest(await nodeBoxes(page), centreBefore);
  const heightBefore = (await canvasBox(page)).height;

  // Collapsing the results panel gives the canvas its room: the canvas gets taller.
  await page.click('#results-toggle');
  assert.equal(await page.locator('#results-toggle').getAttribute('aria-expanded'), 'false');
  await page.waitForFunction(
    (height) => document.querySelector('#canvas svg.canvas-svg').getBoundingClientRect().height > height + 100,
    heightBefore,
  );
  await page.waitForTimeout(100);
  assert.equal(await page.locator('#zoom-level').textContent(), zoom, 'the zoom the person chose is kept');
  const centreAfter = await page.evaluate(() => {
    const r = document.querySelector('#canvas svg.canvas-svg').getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  const box = (await nodeBoxes(page)).find((n) => n.id === anchor.id);
  const dx = (box.left + box.right) / 2 - centreAfter.x;
  const dy = (box.top + box.bottom) / 2 - centreAfter.y;
  assert.ok(
    Math.abs(dx - anchor.dx) < 1 && Math.abs(dy - anchor.dy) < 1,
    `node ${anchor.id} moved relative to the canvas centre: (${anchor.dx}, ${anchor.dy}) → (${dx}, ${dy})`,
  );
  app.assertNoProblems('keeping a zoomed view centred');
});

test('the results panel collapses and opens again, and stays as it was left', async () => {
  const { page } = app;
  assert.equal(await page.locator('#results-panel').isVisible(), false, 'collapsed by the previous test');
  await page.reload();
  await page.locator('#canvas .node').first().waitFor();
  assert.equal(await page.locator('#results-panel').isVisible(), false, 'still collapsed after a reload');
  // Enter on the splitter opens it again.
  await page.locator('#results-splitter').focus();
  await page.keyboard.press('Enter');
  await page.locator('#results-panel').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#results-toggle').getAttribute('aria-expanded'), 'true');
  app.assertNoProblems('collapsing the results panel');
});
