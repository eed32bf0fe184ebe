// The canvas changing size keeps the design in view. When a run finishes, the results area grows
// and the canvas gets shorter: a view fitted to the design (and not moved since) is fitted again,
// so every node stays inside the canvas and clear of the zoom controls; a view the person zoomed
// by hand keeps its zoom and the point at its centre. Neither is an edit (no undo step).
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

// Regression: the view was fitted at load and left alone when the results area appeared, so the
// lower nodes of the design ended up under the zoom controls or below the canvas's bottom edge.
test('a fitted design stays in view when the results area appears', async () => {
  const { page } = app;
  await loadTemplate(page, 'three-tier');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 6);
  await assertNodesInView(page, 'after loading the template');
  const before = await canvasBox(page);
  const canUndo = await page.locator('#undo-button').isEnabled();

  await page.locator('#run-status.is-ready').waitFor();
  await page.click('#run-button');
  await page.locator('#results.has-report').waitFor({ timeout: 60_000 });
  // The results area grows after the report arrives: wait for the canvas to get shorter.
  await page.waitForFunction(
    (height) => document.querySelector('#canvas svg.canvas-svg').getBoundingClientRect().height < height - 100,
    before.height,
  );
  await page.waitForTimeout(100);
  const after = await canvasBox(page);
  assert.ok(after.height < before.height - 100, `the canvas did not get shorter: ${before.height} → ${after.height}`);
  await assertNodesInView(page, 'after the run');
  await app.screenshot('canvas-resize-after-run');
  assert.equal(await page.locator('#undo-button').isEnabled(), canUndo, 'a resize is no edit to undo');
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

  // Reset clears the results: the results area shrinks and the canvas gets taller.
  await page.click('#reset-button');
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
