// Canvas gestures and keyboard shortcuts: selection (click, shift-click, rubber band, Ctrl+A),
// moving by drag and by arrow keys (one undo step per drag), rename in place, delete, duplicate,
// copy/paste, pan and zoom, the shortcuts dialog, and shortcuts staying quiet while typing.
// Ends with light and dark screenshots of a populated editor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import {
  autosavedDesign,
  canvasBox,
  canvasEdges,
  canvasNodes,
  clickEmptyCanvas,
  connect,
  dropKind,
  nodeCentre,
} from './editor-helpers.mjs';

const VIEWPORT = { width: 1400, height: 860 };

let app;
before(async () => {
  app = await openApp({ viewport: VIEWPORT });
  const { page } = app;
  await dropKind(page, 'client', 120, 120);
  await dropKind(page, 'api_gateway', 360, 120);
  await dropKind(page, 'service', 600, 120);
  await connect(page, 'client-1', 'api-gateway-1');
  await connect(page, 'api-gateway-1', 'service-1');
});
after(async () => {
  await app?.close();
});

/** Selected node ids, from the canvas classes. */
async function selectedNodes(page) {
  return page.$$eval('#canvas .node.is-selected', (nodes) => nodes.map((n) => n.dataset.nodeId));
}

async function position(page, id) {
  const design = await autosavedDesign(page);
  return design.nodes.find((n) => n.id === id).position;
}

test('clicking a palette entry adds the node in the middle of the view, selected', async () => {
  const { page } = app;
  await page.click('#palette [data-kind="queue"]');
  await page.locator('#canvas .node[data-node-id="queue-1"]').waitFor();
  assert.deepEqual(await selectedNodes(page), ['queue-1']);
  const box = await canvasBox(page);
  const centre = await nodeCentre(page, 'queue-1');
  assert.ok(Math.abs(centre.x - (box.x + box.width / 2)) <= 100, 'not near the horizontal centre');
  assert.ok(Math.abs(centre.y - (box.y + box.height / 2)) <= 100, 'not near the vertical centre');
  await page.keyboard.press('Delete');
  await page.locator('#canvas .node[data-node-id="queue-1"]').waitFor({ state: 'detached' });
});

test('click selects, shift-click adds, a click on empty canvas clears', async () => {
  const { page } = app;
  const a = await nodeCentre(page, 'client-1');
  const b = await nodeCentre(page, 'service-1');
  await page.mouse.click(a.x, a.y);
  assert.deepEqual(await selectedNodes(page), ['client-1']);
  await page.keyboard.down('Shift');
  await page.mouse.click(b.x, b.y);
  await page.keyboard.up('Shift');
  assert.deepEqual((await selectedNodes(page)).sort(), ['client-1', 'service-1']);
  await clickEmptyCanvas(page);
  assert.deepEqual(await selectedNodes(page), []);
});

test('rubber band on empty canvas selects the nodes it touches', async () => {
  const { page } = app;
  const box = await canvasBox(page);
  // From below-left of the first two nodes to above the middle of the second.
  await page.mouse.move(box.x + 60, box.y + 240);
  await page.mouse.down();
  await page.mouse.move(box.x + 400, box.y + 60, { steps: 6 });
  assert.equal(await page.locator('#canvas .rubber-band').count(), 1);
  await page.mouse.up();
  assert.deepEqual((await selectedNodes(page)).sort(), ['api-gateway-1', 'client-1']);
  // The edge between them is selected too.
  assert.equal(
    await page.locator('#canvas .edge.is-selected[data-edge-id="e-client-1-api-gateway-1"]').count(),
    1,
  );
});

test('dragging a node moves it on the grid, and one Ctrl+Z undoes the whole drag', async () => {
  const { page } = app;
  await clickEmptyCanvas(page);
  const start = await position(page, 'service-1');
  const centre = await nodeCentre(page, 'service-1');
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  await page.mouse.move(centre.x + 50, centre.y + 130, { steps: 12 });
  await page.mouse.up();
  const moved = await position(page, 'service-1');
  assert.notDeepEqual(moved, start);
  assert.equal(moved.x % 20, 0, 'snapped to the grid');
  assert.equal(moved.y % 20, 0, 'snapped to the grid');
  await page.keyboard.press('Control+z');
  assert.deepEqual(await position(page, 'service-1'), start);
  await page.keyboard.press('Control+y');
  assert.deepEqual(await position(page, 'service-1'), moved);
});

test('arrow keys nudge the selection', async () => {
  const { page } = app;
  const centre = await nodeCentre(page, 'client-1');
  await page.mouse.click(centre.x, centre.y);
  const start = await position(page, 'client-1');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowDown');
  assert.deepEqual(await position(page, 'client-1'), { x: start.x + 1, y: start.y + 20 });
});

test('double-click renames in place: Enter keeps, Esc cancels', async () => {
  const { page } = app;
  const centre = await nodeCentre(page, 'api-gateway-1');
  await page.mouse.dblclick(centre.x, centre.y);
  const input = page.locator('#canvas input.label-editor');
  await input.waitFor();
  await input.fill('Edge <gateway> & "friends"');
  await input.press('Enter');
  await input.waitFor({ state: 'detached' });
  // User text is shown as text, never interpreted as markup.
  assert.equal(
    await page.locator('[data-node-id="api-gateway-1"] .node-label').textContent(),
    'Edge <gateway>…',
    'a long label is shortened on the node',
  );
  assert.match(
    await page.locator('[data-node-id="api-gateway-1"] > title').textContent(),
    /^Edge <gateway> & "friends" — API gateway/,
    'the full label is in the tooltip',
  );
  assert.equal((await autosavedDesign(page)).nodes[1].label, 'Edge <gateway> & "friends"');

  await page.mouse.dblclick(centre.x, centre.y);
  await input.waitFor();
  await input.fill('discarded');
  await input.press('Escape');
  await input.waitFor({ state: 'detached' });
  assert.equal((await autosavedDesign(page)).nodes[1].label, 'Edge <gateway> & "friends"');
});

test('shortcuts do not fire while typing in a field', async () => {
  const { page } = app;
  await clickEmptyCanvas(page);
  const name = page.locator('#properties [data-path="name"]');
  await name.click();
  await page.keyboard.type('Shop?');
  await page.keyboard.press('Control+a');
  await page.keyboard.press('Backspace');
  await page.keyboard.type('Shop');
  assert.equal(await page.locator('#shortcuts-dialog').count(), 0, '"?" typed into a field opened the dialog');
  assert.equal((await canvasNodes(page)).length, 3, 'Backspace in a field deleted nodes');
  assert.equal(await page.locator('#design-name').inputValue(), 'Shop');
});

test('Ctrl+A, Ctrl+C, Ctrl+V, Ctrl+D and Delete', async () => {
  const { page } = app;
  await clickEmptyCanvas(page);
  await page.keyboard.press('Control+a');
  assert.equal((await selectedNodes(page)).length, 3);
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  assert.equal((await canvasNodes(page)).length, 6);
  assert.equal((await canvasEdges(page)).length, 4, 'edges among copied nodes are pasted too');
  assert.equal((await selectedNodes(page)).length, 3, 'the pasted copies are selected');
  await page.keyboard.press('Delete');
  assert.equal((await canvasNodes(page)).length, 3);

  const centre = await nodeCentre(page, 'service-1');
  await page.mouse.click(centre.x, centre.y);
  await page.keyboard.press('Control+d');
  assert.equal((await canvasNodes(page)).length, 4);
  await page.keyboard.press('Backspace');
  assert.equal((await canvasNodes(page)).length, 3);
  assert.deepEqual(
    (await canvasNodes(page)).map((n) => n.id),
    ['client-1', 'api-gateway-1', 'service-1'],
  );
});

test('wheel pans, Ctrl+wheel zooms at the pointer, keys zoom and fit', async () => {
  const { page } = app;
  const zoomLevel = () => page.locator('#zoom-level').textContent();
  const transform = () => page.locator('#canvas svg.canvas-content').getAttribute('style');
  const box = await canvasBox(page);
  await page.mouse.move(box.x + 300, box.y + 300);
  const before = await transform();
  // Playwright's wheel returns without waiting for the page to handle it: give the page up to
  // 5 s to do what it should, then check.
  await page.mouse.wheel(0, 120);
  await page
    .waitForFunction(
      (b) => document.querySelector('#canvas svg.canvas-content').getAttribute('style') !== b,
      before,
      { timeout: 5_000 },
    )
    .catch(() => {});
  assert.notEqual(await transform(), before, 'wheel did not pan');
  assert.equal(await zoomLevel(), '100%');

  await page.keyboard.down('Control');
  await page.mouse.wheel(0, -200);
  await page
    .waitForFunction(() => document.querySelector('#zoom-level').textContent !== '100%', null, {
      timeout: 5_000,
    })
    .catch(() => {});
  await page.keyboard.up('Control');
  assert.notEqual(await zoomLevel(), '100%', 'ctrl+wheel did not zoom');

  await page.keyboard.press('0');
  const fitted = await zoomLevel();
  await page.keyboard.press('-');
  assert.notEqual(await zoomLevel(), fitted);
  await page.keyboard.press('+');
  assert.equal(await zoomLevel(), fitted);

  // Space + drag pans.
  const panStart = await transform();
  await page.keyboard.down(' ');
  await page.mouse.move(box.x + 400, box.y + 400);
  await page.mouse.down();
  await page.mouse.move(box.x + 460, box.y + 430, { steps: 4 });
  await page.mouse.up();
  await page.keyboard.up(' ');
  assert.notEqual(await transform(), panStart, 'space+drag did not pan');
  // Nothing was selected or moved by the pan drag.
  assert.deepEqual(await selectedNodes(page), []);
});

test('connecting into a client is refused with a visible reason', async () => {
  const { page } = app;
  const from = await nodeCentre(page, 'service-1');
  await page.mouse.move(from.x, from.y);
  const handle = await page.locator('#canvas [data-handle-of="service-1"][data-side="right"]').boundingBox();
  const to = await nodeCentre(page, 'client-1');
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x, to.y, { steps: 6 });
  await page.mouse.up();
  const notice = page.locator('.notice-warning');
  await notice.waitFor();
  assert.match(await notice.textContent(), /client/);
  assert.equal((await canvasEdges(page)).length, 2);
  await notice.locator('.notice-dismiss').click();
  await notice.waitFor({ state: 'detached' });
});

test('typing a number key by key is one undo step', async () => {
  const { page } = app;
  const centre = await nodeCentre(page, 'service-1');
  await page.mouse.click(centre.x, centre.y);
  const queue = page.locator('#properties [data-path="nodes[2].params.queue_capacity"]');
  await queue.click();
  await queue.press('Control+a');
  await page.keyboard.type('2500');
  await clickEmptyCanvas(page);
  const design = await autosavedDesign(page);
  assert.equal(design.nodes[2].params.queue_capacity, 2500);
  await page.keyboard.press('Control+z');
  assert.equal((await autosavedDesign(page)).nodes[2].params.queue_capacity, 100);
});

test('"?" opens the shortcuts dialog and Esc closes it', async () => {
  const { page } = app;
  await clickEmptyCanvas(page);
  await page.keyboard.press('?');
  const dialog = page.locator('#shortcuts-dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /Undo/);
  await app.screenshot('editor-shortcuts-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await app.screenshot('editor-shortcuts-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  app.assertNoProblems('gestures and shortcuts');
});

test('screenshots of the editor in light and dark', async () => {
  const { page } = app;
  const edge = page.locator('#canvas .edge[data-edge-id="e-api-gateway-1-service-1"] .edge-hit');
  await page.keyboard.press('0');
  // Give an edge a timeout and retries so its badges show, then select a node for the panel.
  const box = await edge.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.locator('#properties [data-toggle="edges[1].params.timeout_ms"]').check();
  await page.locator('#properties [data-toggle="edges[1].params.retry"]').check();
  await page.locator('#canvas .edge-badge').waitFor();
  await app.screenshot('editor-edge-light');
  await page.emulateMedia({ colorScheme: 'dark' });
  await app.screenshot('editor-edge-dark');
  const service = await nodeCentre(page, 'service-1');
  await page.mouse.click(service.x, service.y);
  await page.locator('#properties [data-path="nodes[2].params.workers"]').fill('0');
  await page.locator('#properties .field-invalid').first().waitFor();
  await app.screenshot('editor-invalid-dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await app.screenshot('editor-invalid-light');
  app.assertNoProblems('screenshots');
});
