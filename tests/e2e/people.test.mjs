// The editor for people who have never seen it (issue 13): the first screen greets instead of
// erring, problems are sentences naming nodes and fields by their labels, connecting can be
// found (handles on every side, only valid targets lit, the hint stays until the first edge),
// click-to-add never stacks nodes, and a time typed with a unit is applied whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import {
  autosavedDesign,
  canvasEdges,
  clickEmptyCanvas,
  dropKind,
  nodeCentre,
  propertyField,
} from './editor-helpers.mjs';

const VIEWPORT = { width: 1280, height: 720 };

let app;
before(async () => {
  app = await openApp({ viewport: VIEWPORT });
});
after(async () => {
  await app?.close();
});

/** Visible elements whose text is drawn in the danger colour (what a person calls "red"). */
async function redTexts(page) {
  return page.evaluate(() => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--danger)';
    document.body.append(probe);
    const danger = getComputedStyle(probe).color;
    probe.remove();
    return [...document.querySelectorAll('body *')]
      .filter((el) => el.childNodes.length && [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()))
      .filter((el) => el.getClientRects().length && getComputedStyle(el).color === danger)
      .map((el) => el.textContent.trim());
  });
}

/** Boxes of the nodes on the canvas, in canvas units (from the autosave). */
async function nodeBoxes(page) {
  const design = await autosavedDesign(page);
  return design.nodes.map((n) => ({ id: n.id, x: n.position.x, y: n.position.y, w: 160, h: 64 }));
}

function overlapping(boxes) {
  const pairs = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) pairs.push([a.id, b.id]);
    }
  }
  return pairs;
}

test('a fresh page greets with first steps and templates, and shows nothing red', async () => {
  const { page } = app;
  await page.locator('#first-steps').waitFor();
  assert.match(await page.locator('#first-steps').textContent(), /Add a Client/);
  assert.ok((await page.locator('#first-steps [data-first-template]').count()) >= 3, 'templates offered');
  assert.equal(await page.locator('#run-status.is-blocked').count(), 0, 'the run bar is not blocked-red');
  assert.equal(await page.locator('#run-blockers').count(), 0, 'no list of problems');
  assert.deepEqual(await redTexts(page), []);
  await app.screenshot('people-first-screen');
  app.assertNoProblems('the first screen');
});

test('problems are sentences with labels; the JSON path is only in the details line', async () => {
  const { page } = app;
  await page.click('#palette [data-kind="client"]');
  await page.locator('#canvas .node[data-node-id="client-1"]').waitFor();
  const item = page.locator('#run-blockers li').first();
  await item.waitFor();
  const sentence = await item.locator('.blocker-sentence').textContent();
  assert.match(sentence, /^Client 1 has no outgoing edge/);
  assert.doesNotMatch(sentence, /`|nodes\[|client-1/);
  assert.match(await item.locator('.blocker-details').textContent(), /^Details: nodes\[0\]: /);
  // The connect hint stays until the first edge exists.
  await page.locator('#connect-hint').waitFor();
});

test('click-to-add puts each node in free space, after the selected one and connected', async () => {
  const { page } = app;
  // client-1 is selected: a service goes to its right, connected from it.
  await page.click('#palette [data-kind="service"]');
  await page.locator('#canvas .node[data-node-id="service-1"]').waitFor();
  await page.locator('#canvas .edge[data-edge-id="e-client-1-service-1"]').waitFor({ state: 'attached' });
  await page.locator('#connect-hint').waitFor({ state: 'detached' });
  // Nothing selected: repeated clicks land in the middle of the view, never on each other.
  for (let i = 0; i < 4; i++) {
    await clickEmptyCanvas(page);
    await page.click('#palette [data-kind="cache"]');
    await page.locator(`#canvas .node[data-node-id="cache-${i + 1}"]`).waitFor();
  }
  assert.deepEqual(overlapping(await nodeBoxes(page)), []);
  await app.screenshot('people-click-to-add');
  // Back to client → service for the next tests.
  for (let i = 0; i < 4; i++) {
    const centre = await nodeCentre(page, `cache-${i + 1}`);
    await page.mouse.click(centre.x, centre.y);
    await page.keyboard.press('Delete');
  }
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 2);
  app.assertNoProblems('click-to-add');
});

test('a connection can be dragged from each side, and a client is never offered as target', async () => {
  const { page } = app;
  await dropKind(page, 'database', 200, 370);
  const sides = ['top', 'left', 'bottom', 'right'];
  const targets = [];
  for (const side of sides) {
    await clickEmptyCanvas(page);
    // A new target for each side; the handle is shown on hover.
    const from = await nodeCentre(page, 'service-1');
    await page.mouse.move(from.x, from.y);
    const handle = page.locator(`#canvas [data-handle-of="service-1"][data-side="${side}"]`);
    const box = await handle.boundingBox();
    assert.ok(box.width >= 24 && box.height >= 24, `the ${side} handle catches a 24 px circle: ${JSON.stringify(box)}`);
    await page.waitForFunction(
      (s) => getComputedStyle(document.querySelector(`#canvas [data-handle-of="service-1"][data-side="${s}"]`)).opacity === '1',
      side,
    );
    const to = await nodeCentre(page, 'database-1');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    // Over the client: not lit as a target.
    const client = await nodeCentre(page, 'client-1');
    await page.mouse.move(client.x, client.y, { steps: 5 });
    assert.equal(await page.locator('#canvas .node.is-connect-target').count(), 0, 'a client is never a target');
    assert.equal(await page.locator('#canvas .node.is-connect-candidate[data-node-id="client-1"]').count(), 0);
    await page.mouse.move(to.x, to.y, { steps: 5 });
    const lit = await page.locator('#canvas .node.is-connect-target').count();
    if (side === 'top') {
      assert.equal(lit, 1, 'the database is lit');
      await page.mouse.up();
      await page.locator('#canvas .edge[data-edge-id="e-service-1-database-1"]').waitFor({ state: 'attached' });
      targets.push('database-1');
    } else {
      // Already connected: no longer a valid target, so not lit either.
      assert.equal(lit, 0, `an existing edge is not offered again (${side})`);
      await page.mouse.up();
    }
  }
  assert.deepEqual((await canvasEdges(page)).sort(), ['e-client-1-service-1', 'e-service-1-database-1']);
  // Each side starts a connection: drag from the other sides into fresh nodes.
  for (const side of ['left', 'bottom', 'right']) {
    await clickEmptyCanvas(page);
    const before = (await canvasEdges(page)).length;
    await page.click('#palette [data-kind="queue"]');
    const queue = page.locator('#canvas .node[data-kind="queue"]').last();
    await queue.waitFor();
    const queueId = await queue.getAttribute('data-node-id');
    await clickEmptyCanvas(page);
    const from = await nodeCentre(page, 'service-1');
    await page.mouse.move(from.x, from.y);
    const box = await page.locator(`#canvas [data-handle-of="service-1"][data-side="${side}"]`).boundingBox();
    const to = await nodeCentre(page, queueId);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x, to.y, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction((n) => document.querySelectorAll('#canvas .edge').length === n + 1, before);
  }
  app.assertNoProblems('connecting from each side');
});

test('the quick-add arrow adds a connected node of the chosen kind', async () => {
  const { page } = app;
  const before = (await canvasEdges(page)).length;
  const centre = await nodeCentre(page, 'database-1');
  await page.mouse.click(centre.x, centre.y);
  await page.locator('#canvas [data-quick-add-of="database-1"]').click();
  await page.locator('#quick-menu').waitFor();
  assert.equal(await page.locator('#quick-menu [data-quick-kind="client"]').count(), 0, 'nothing adds a client after a node');
  await page.locator('#quick-menu [data-quick-kind="cache"]').click();
  await page.waitForFunction((n) => document.querySelectorAll('#canvas .edge').length === n + 1, before);
  const design = await autosavedDesign(page);
  const added = design.nodes.at(-1);
  assert.equal(added.kind, 'cache');
  assert.ok(design.edges.some((e) => e.from === 'database-1' && e.to === added.id));
  assert.deepEqual(overlapping(await nodeBoxes(page)), []);
  app.assertNoProblems('quick-add');
});

test('typing "90s" into the duration applies 90 000 ms once, never the pieces', async () => {
  const { page } = app;
  await clickEmptyCanvas(page);
  const duration = propertyField(page, 'run.duration_ms');
  await duration.click();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('90s', { delay: 80 });
  // Typed but not yet applied: the design still holds the old duration, no piece (9, 90 ms).
  assert.equal((await autosavedDesign(page)).run?.duration_ms ?? 60000, 60000);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.run.duration_ms === 90000);
  assert.equal(await page.locator('#properties .field-problem').count(), 0, 'no error on the way');
  // One undo step takes it back whole.
  await clickEmptyCanvas(page);
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => (JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.run?.duration_ms ?? 60000) === 60000);
  app.assertNoProblems('typing a duration with a unit');
});
