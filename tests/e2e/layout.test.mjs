// The canvas stays the main surface on small screens (issue 8, "Layout"). At 1024 × 700 and
// 1280 × 720 a template is shown at a readable zoom (never fitted down to where captions cannot
// be read; the rest is a pan away), a run ending leaves the zoom alone, the run bar's status is
// whole (the bar condenses and breaks into two rows rather than cutting it), every control of the
// run bar is on screen, and the results panel collapses (the canvas gets the room) and opens again.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';
import { canvasBox, loadTemplate } from './editor-helpers.mjs';

/** The least zoom at which captions stay readable (READABLE_ZOOM in src/state/mod.rs). */
const READABLE_PERCENT = 70;

const zoomPercent = async (page) => parseFloat(await page.locator('#zoom-level').textContent());

/** The status text is all there: nothing cut off by the box it sits in (across, or below its
 *  second line where it may wrap). */
async function assertStatusWhole(page, when) {
  const status = await page.$eval('#run-status', (el) => ({
    text: el.textContent,
    scroll: el.scrollWidth,
    client: el.clientWidth,
    scrollHeight: el.scrollHeight,
    clientHeight: el.clientHeight,
  }));
  assert.ok(status.client > 0, `${when}: the status has no room at all (${JSON.stringify(status)})`);
  assert.ok(status.scroll <= status.client, `${when}: the status “${status.text}” is cut: ${status.scroll} px in ${status.client} px`);
  assert.ok(
    status.scrollHeight <= status.clientHeight,
    `${when}: the status “${status.text}” is cut below: ${status.scrollHeight} px in ${status.clientHeight} px`,
  );
}

/** Every control of the run bar lies inside the window and inside the bar. */
async function assertRunBarOnScreen(page, viewport, when) {
  const outside = await page.$$eval(
    '#run-bar button, #run-bar select, #run-status',
    (els, width) => {
      const bar = document.querySelector('#run-bar').getBoundingClientRect();
      return els
        .map((el) => ({ id: el.id, r: el.getBoundingClientRect() }))
        .filter(({ r }) => r.right > Math.min(width, bar.right) + 0.5 || r.left < bar.left - 0.5 || r.bottom > bar.bottom + 0.5)
        .map(({ id, r }) => `${id} at ${Math.round(r.left)}–${Math.round(r.right)} × ${Math.round(r.top)}–${Math.round(r.bottom)}`);
    },
    viewport.width,
  );
  assert.deepEqual(outside, [], `${when}: run bar controls out of view`);
}

for (const viewport of [
  { width: 1024, height: 700 },
  { width: 1280, height: 720 },
]) {
  const size = `${viewport.width}×${viewport.height}`;
  // One app per size; the tests of a size run in order on it.
  describe(size, () => {
    let app;
    before(async () => {
      app = await openApp({ viewport });
    });
    after(async () => {
      await app?.close();
    });

    test(`at ${size} a template is shown readably and a run does not shrink it`, async () => {
      const { page } = app;
      await loadTemplate(page, 'cache-aside');
      await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 6);
      await page.waitForTimeout(200);
      const zoomBefore = await zoomPercent(page);
      assert.ok(zoomBefore >= READABLE_PERCENT, `loaded at ${zoomBefore}%, below the readable ${READABLE_PERCENT}%`);
      // The entry point of the flow is in view.
      const canvas = await canvasBox(page);
      const users = await page.locator('#canvas .node[data-node-id="users"] .node-body').boundingBox();
      assert.ok(users.x >= canvas.x && users.x + users.width <= canvas.x + canvas.width, 'the client is in view');
      await assertStatusWhole(page, 'before the run');
      await assertRunBarOnScreen(page, viewport, 'before the run');

      // While a paced run goes on, its status is whole too.
      await page.selectOption('#run-speed', '10');
      await page.click('#run-button');
      await page.locator('#run-status.is-running').waitFor();
      await page.locator('#run-progress').waitFor();
      await assertStatusWhole(page, 'during the run');
      await assertRunBarOnScreen(page, viewport, 'during the run');
      await page.selectOption('#run-speed', 'fastest');
      await page.locator('#results.has-report:not(.is-stale):not(.is-live)').waitFor({ timeout: 90_000 });
      await page.waitForTimeout(200);
      const zoomAfter = await zoomPercent(page);
      assert.equal(zoomAfter, zoomBefore, 'a run ending leaves the zoom as it was');
      assert.ok(Math.abs((await canvasBox(page)).height - canvas.height) < 1, 'nor the canvas height');
      await assertStatusWhole(page, 'after the run');
      await assertRunBarOnScreen(page, viewport, 'after the run');
      // The canvas keeps most of the window's height.
      assert.ok(canvas.height >= viewport.height * 0.45, `the canvas is ${canvas.height} px of ${viewport.height}`);
      await app.screenshot(`layout-${size}-after-run`);
      app.assertNoProblems(`${size}: a run`);
    });

    test(`at ${size} the results collapse and open again`, async () => {
      const { page } = app;
      const canvasBefore = await canvasBox(page);
      await page.click('#results-toggle');
      await page.locator('#results-panel').waitFor({ state: 'hidden' });
      assert.equal(await page.locator('#results-toggle').getAttribute('aria-expanded'), 'false');
      await page.waitForFunction(
        (height) => document.querySelector('#canvas svg.canvas-svg').getBoundingClientRect().height > height + 80,
        canvasBefore.height,
      );
      await page.waitForTimeout(100);
      assert.ok((await zoomPercent(page)) >= READABLE_PERCENT, 'collapsed: still readable');
      await assertStatusWhole(page, 'collapsed');
      await app.screenshot(`layout-${size}-collapsed`);
      await page.click('#results-toggle');
      await page.locator('#results-panel').waitFor({ state: 'visible' });
      await page.locator('#results.has-report').waitFor();
      assert.equal(await page.locator('#results-toggle').getAttribute('aria-expanded'), 'true');
      await page.waitForFunction(
        (height) => Math.abs(document.querySelector('#canvas svg.canvas-svg').getBoundingClientRect().height - height) < 1,
        canvasBefore.height,
      );
      assert.ok((await zoomPercent(page)) >= READABLE_PERCENT, 'open again: still readable');
      // Dark theme: the same layout.
      await page.selectOption('#theme-select', 'dark');
      await assertStatusWhole(page, 'dark');
      await app.screenshot(`layout-${size}-dark`);
      app.assertNoProblems(`${size}: collapsing the results`);
    });
  });
}

// At 1440 × 900 the canvas column is wide enough for the run bar's one row, where a finished
// run's line ("Finished: 120 s simulated in 0.5 s · no request failed · 1 replication") had
// less room than it needs and was cut: it wraps to a second line within the bar's height.
describe('at 1440 × 900', () => {
  const viewport = { width: 1440, height: 900 };
  let app;
  before(async () => {
    app = await openApp({ viewport });
  });
  after(async () => {
    await app?.close();
  });

  test('at 1440 × 900 a finished run’s status is whole, light and dark', async () => {
    const { page } = app;
    await loadTemplate(page, 'kafka-consumer-groups');
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length >= 3);
    const canvas = await canvasBox(page);
    await page.click('#run-button');
    await page.locator('#results.has-report:not(.is-stale):not(.is-live)').waitFor({ timeout: 90_000 });
    await page.waitForTimeout(200);
    assert.match(await page.locator('#run-status').textContent(), /Finished: .* replication/);
    await assertStatusWhole(page, '1440 × 900, finished');
    await assertRunBarOnScreen(page, viewport, '1440 × 900, finished');
    assert.ok(Math.abs((await canvasBox(page)).height - canvas.height) < 1, 'the canvas keeps its height');
    await page.selectOption('#theme-select', 'dark');
    await assertStatusWhole(page, '1440 × 900, dark');
    await app.screenshot('layout-1440x900-finished');
    app.assertNoProblems('1440 × 900: a finished run');
  });
});
