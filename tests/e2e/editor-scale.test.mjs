// The editor stays responsive with a large design: 200 nodes and 199 edges import, render, and
// follow a drag without lagging (every pointer move is answered within a frame budget).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import { autosavedDesign, nodeCentre } from './editor-helpers.mjs';
// A 20 × 10 grid: one client feeding a long chain of services (the design the performance
// checks share).
import { BIG_DESIGN_NODES, bigDesign } from './big-design.mjs';

const NODES = BIG_DESIGN_NODES;

let app;
before(async () => {
  app = await openApp({ viewport: { width: 1400, height: 860 } });
});
after(async () => {
  await app?.close();
});

test('200 nodes import, render and drag smoothly', async () => {
  const { page } = app;
  await page.setInputFiles('#import-file', {
    name: 'big.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(bigDesign())),
  });
  await page.waitForFunction((n) => document.querySelectorAll('#canvas .node').length === n, NODES);
  assert.equal(await page.locator('#canvas .edge').count(), NODES - 1);

  // Zoom to 100% around a node near the middle so it is big enough to grab.
  await page.click('#zoom-fit');
  const target = 'service-45';
  const before = (await autosavedDesign(page)).nodes.find((n) => n.id === target).position;
  const centre = await nodeCentre(page, target);
  await page.mouse.move(centre.x, centre.y);
  await page.mouse.down();
  const steps = 30;
  const started = Date.now();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(centre.x + i * 4, centre.y + i * 2);
  }
  await page.mouse.up();
  const perMove = (Date.now() - started) / steps;
  const after = (await autosavedDesign(page)).nodes.find((n) => n.id === target).position;
  assert.notDeepEqual(after, before, 'the node did not move');
  console.log(`# ${NODES} nodes: ${perMove.toFixed(1)} ms per pointer move`);
  // Generous for a shared CI machine and a debug build; a lagging editor takes far longer.
  assert.ok(perMove < 150, `a pointer move took ${perMove.toFixed(1)} ms on average`);
  await app.screenshot('editor-200-nodes-light');
  app.assertNoProblems('a 200-node design');
});
