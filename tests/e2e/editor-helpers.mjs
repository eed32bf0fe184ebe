// Helpers for the editor's end-to-end tests: driving the canvas with the mouse the way a person
// does (palette drag-and-drop, dragging from a node's handle), and reading the design back.

import assert from 'node:assert/strict';

/** A field of the properties panel, by the design path it edits (`nodes[2].params.workers`). */
export function propertyField(page, path) {
  return page.locator(`#properties [data-path="${path}"]`);
}

/** Loads a bundled template (`data-template` id) from the header's Templates menu. */
export async function loadTemplate(page, id) {
  await page.click('#templates-button');
  await page.click(`#templates-menu [data-template="${id}"]`);
  await page.locator('#templates-menu').waitFor({ state: 'detached' }).catch(() => {});
}

/** The canvas <svg>'s box on the page. */
export async function canvasBox(page) {
  const box = await page.locator('#canvas svg.canvas-svg').boundingBox();
  assert.ok(box, 'the canvas svg has no box');
  return box;
}

/** Drags a palette entry onto the canvas, dropping it at (x, y) relative to the canvas. */
export async function dropKind(page, kind, x, y) {
  const before = await page.locator(`#canvas .node[data-kind="${kind}"]`).count();
  await page.dragAndDrop(`#palette [data-kind="${kind}"]`, '#canvas svg.canvas-svg', {
    targetPosition: { x, y },
  });
  await page.waitForFunction(
    ([k, n]) => document.querySelectorAll(`#canvas .node[data-kind="${k}"]`).length > n,
    [kind, before],
  );
}

/** Centre of a node on the page, by node id. */
export async function nodeCentre(page, id) {
  const box = await page.locator(`#canvas .node[data-node-id="${id}"] .node-body`).boundingBox();
  assert.ok(box, `node ${id} is not on the canvas`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Connects two nodes by dragging from the source's output handle onto the target. */
export async function connect(page, fromId, toId) {
  const from = await nodeCentre(page, fromId);
  await page.mouse.move(from.x, from.y); // hovering reveals the handle
  const handle = await page.locator(`#canvas [data-handle-of="${fromId}"][data-side="right"]`).boundingBox();
  assert.ok(handle, `node ${fromId} has no handle`);
  const to = await nodeCentre(page, toId);
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 8 });
  assert.equal(await page.locator('#canvas .connect-line').count(), 1, 'no rubber line while connecting');
  assert.equal(
    await page.locator(`#canvas .node.is-connect-target[data-node-id="${toId}"]`).count(),
    1,
    'the node under the pointer is not highlighted as the connection target',
  );
  await page.mouse.up();
  // `attached`, not visible: a horizontal edge's box has no height, which Playwright calls hidden.
  await page.locator(`#canvas .edge[data-edge-id="e-${fromId}-${toId}"]`).waitFor({ state: 'attached' });
}

/** Ids and kinds of the nodes on the canvas, in document order. */
export async function canvasNodes(page) {
  return page.$$eval('#canvas .node', (nodes) =>
    nodes.map((n) => ({ id: n.dataset.nodeId, kind: n.dataset.kind })),
  );
}

/** Ids of the edges on the canvas. */
export async function canvasEdges(page) {
  return page.$$eval('#canvas .edge', (edges) => edges.map((e) => e.dataset.edgeId));
}

/** The caption line under a node's label ("4 workers · exp 20 ms"). */
export async function nodeCaption(page, id) {
  return page.locator(`#canvas .node[data-node-id="${id}"] .node-caption`).textContent();
}

/** Clicks an empty spot of the canvas (top-left corner area): clears the selection. */
export async function clickEmptyCanvas(page) {
  const box = await canvasBox(page);
  await page.mouse.click(box.x + 20, box.y + box.height - 20);
}

/** The design the autosave holds (what a reload restores). */
export async function autosavedDesign(page) {
  const raw = await page.evaluate(() => localStorage.getItem('archsim.autosave.v1'));
  assert.ok(raw, 'nothing autosaved');
  const saved = JSON.parse(raw);
  return saved.design;
}
