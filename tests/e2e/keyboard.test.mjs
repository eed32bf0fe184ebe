// Keyboard and assistive technology (issue 13): a design built and run with the keyboard only
// (palette entries by Enter, nodes and edges reached by Tab, C to connect, Ctrl+Enter to run, the
// focus landing in the results afterwards), and axe-core with no serious or critical violation
// on the empty page, an edited design and a results view, in the light and the dark theme.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import { autosavedDesign } from './editor-helpers.mjs';

const VIEWPORT = { width: 1280, height: 800 };

let app;
before(async () => {
  app = await openApp({ viewport: VIEWPORT });
});
after(async () => {
  await app?.close();
});

/** Presses Tab until `matches(activeElement)` holds in the page; fails after `limit` presses. */
async function tabTo(page, description, predicate, arg, { back = false, limit = 80 } = {}) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await page.evaluate(predicate, arg)) return;
  }
  assert.fail(`Tab never reached ${description}`);
}

const isPaletteKind = (kind) => document.activeElement?.matches?.(`#palette [data-kind="${kind}"]`);
const isNode = (id) => document.activeElement?.getAttribute?.('data-node-id') === id;

test('the empty page has no serious or critical accessibility violation, in both themes', async () => {
  const { page } = app;
  await page.locator('#first-steps').waitFor();
  assert.equal(await page.locator('h1').count(), 1, 'one h1');
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await app.assertAccessible(`the empty page (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
});

test('a design is built, connected and run with the keyboard only', async () => {
  const { page } = app;
  // The palette by Enter: a client, then a service after it (connected, as it was selected).
  await tabTo(page, 'the Client palette entry', isPaletteKind, 'client');
  await page.keyboard.press('Enter');
  await page.locator('#canvas .node[data-node-id="client-1"]').waitFor();
  await tabTo(page, 'the Service palette entry', isPaletteKind, 'service');
  await page.keyboard.press('Enter');
  await page.locator('#canvas .edge[data-edge-id="e-client-1-service-1"]').waitFor({ state: 'attached' });
  // A cache on its own (Esc clears the selection first), then connected with C from the service.
  await page.keyboard.press('Escape');
  await tabTo(page, 'the Cache palette entry', isPaletteKind, 'cache');
  await page.keyboard.press('Enter');
  await page.locator('#canvas .node[data-node-id="cache-1"]').waitFor();
  assert.equal(await page.locator('#canvas .edge').count(), 1, 'a cache added with nothing selected stands alone');
  await tabTo(page, 'the service node', isNode, 'service-1');
  await page.keyboard.press('c');
  await page.locator('#key-connect').waitFor();
  await tabTo(page, 'the cache node', isNode, 'cache-1');
  await page.keyboard.press('Enter');
  await page.locator('#canvas .edge[data-edge-id="e-service-1-cache-1"]').waitFor({ state: 'attached' });
  // The cache's misses go to a database: Space selects the cache, back to the palette (Tab
  // passes over the other nodes without selecting them), Enter on Database adds it after.
  await tabTo(page, 'the cache node', isNode, 'cache-1');
  await page.keyboard.press('Space');
  await page.locator('#canvas .node.is-selected[data-node-id="cache-1"]').waitFor();
  await tabTo(page, 'the Database palette entry', isPaletteKind, 'database', { back: true });
  assert.equal(await page.locator('#canvas .node.is-selected[data-node-id="cache-1"]').count(), 1, 'still selected');
  await page.keyboard.press('Enter');
  await page.locator('#canvas .edge[data-edge-id="e-cache-1-database-1"]').waitFor({ state: 'attached' });
  // Enter on a node opens its properties: the focus goes to the panel's first field.
  await tabTo(page, 'the service node', isNode, 'service-1');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.closest('#properties') !== null);
  // A shorter run, typed: Tab to the duration in the design's settings.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Escape');
  await tabTo(page, 'the duration field', () => document.activeElement?.dataset?.path === 'run.duration_ms');
  await page.keyboard.press('Control+a');
  await page.keyboard.type('8s');
  await app.assertAccessible('an edited design');
  // Ctrl+Enter runs straight from the field (the field's entry is applied first).
  await page.keyboard.press('Control+Enter');
  await page.locator('#results.has-report:not(.is-stale):not(.is-live)').waitFor({ timeout: 60_000 });
  assert.equal((await autosavedDesign(page)).run.duration_ms, 8000);
  // The focus is in the results, which the keyboard scrolls.
  await page.waitForFunction(() => document.activeElement?.id === 'results');
  const before = await page.locator('#results').evaluate((p) => p.scrollTop);
  await page.keyboard.press('PageDown');
  await page.waitForFunction((b) => document.querySelector('#results').scrollTop > b, before);
  await app.screenshot('keyboard-run');
  app.assertNoProblems('the keyboard-only flow');
});

test('a results view has no serious or critical accessibility violation, in both themes', async () => {
  const { page } = app;
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    await app.assertAccessible(`a results view (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
});
