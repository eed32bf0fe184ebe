// Presenting and tidying a design (issue 13, part 2): the theme switch remembered, paste marks
// the copy, readable canvas text (12 px captions cut at a word, edge badges explained and never
// over a node), Fit for 200 nodes, rates typed as 1.2k, a new fault's target, the event
// pipeline's internal failures in words, at 1024×700 no value overflows its box; Tidy, align and
// distribute, several nodes of one kind edited together; group boxes and notes that move with
// what they hold, and the diagram saved as SVG and PNG.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { openApp } from './harness.mjs';
import { bigDesign } from './big-design.mjs';
import { autosavedDesign, clickEmptyCanvas, loadTemplate, nodeCentre, propertyField } from './editor-helpers.mjs';

let app;
before(async () => {
  app = await openApp({ viewport: { width: 1440, height: 900 } });
});
after(async () => {
  await app?.close();
});

async function importDesign(page, design) {
  await page.setInputFiles('#import-file', {
    name: 'design.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(design)),
  });
  await page.waitForFunction((n) => document.querySelectorAll('#canvas .node').length === n, design.nodes.length);
}

test('the theme switch offers light, dark and system, and is remembered', async () => {
  const { page } = app;
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme ?? 'system');
  assert.equal(await theme(), 'system');
  assert.equal(await page.locator('#theme-select').inputValue(), 'system');
  const panel = () => page.evaluate(() => getComputedStyle(document.querySelector('#properties')).backgroundColor);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.selectOption('#theme-select', 'dark');
  assert.equal(await theme(), 'dark');
  const dark = await panel();
  assert.notEqual(dark, 'rgb(255, 255, 255)', 'dark even though the system is light');
  await page.reload();
  await page.locator('#theme-select').waitFor();
  assert.equal(await theme(), 'dark', 'remembered across a reload');
  assert.equal(await page.locator('#theme-select').inputValue(), 'dark');
  assert.equal(await panel(), dark);
  await app.screenshot('arrange-theme-dark');
  await page.selectOption('#theme-select', 'light');
  await page.emulateMedia({ colorScheme: 'dark' });
  assert.equal(await panel(), 'rgb(255, 255, 255)', 'light even though the system is dark');
  await page.selectOption('#theme-select', 'system');
  assert.equal(await theme(), 'system');
  assert.equal(await panel(), dark, 'the system (dark here) decides again');
  await page.emulateMedia({ colorScheme: 'light' });
  app.assertNoProblems('the theme switch');
});

test('a pasted node is offset and marked as a copy', async () => {
  const { page } = app;
  await loadTemplate(page, 'mm1');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 2);
  const design = await autosavedDesign(page);
  const server = design.nodes.find((n) => n.kind === 'service');
  const c = await nodeCentre(page, server.id);
  await page.mouse.click(c.x, c.y);
  await page.keyboard.press('Control+c');
  await page.keyboard.press('Control+v');
  await page.keyboard.press('Control+v');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.nodes.length === 4);
  const after = await autosavedDesign(page);
  const [first, second] = after.nodes.slice(2);
  assert.equal(first.label, `${server.label} (copy)`);
  assert.equal(second.label, `${server.label} (copy 2)`);
  assert.notDeepEqual(first.position, server.position);
  assert.notDeepEqual(second.position, first.position);
  app.assertNoProblems('paste');
});

test('canvas text is readable: 12 px captions cut at a word, badges explained and off the nodes', async () => {
  const { page } = app;
  await loadTemplate(page, 'microservices-gateway');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length > 3);
  const texts = await page.$$eval(
    '#canvas .node-caption, #canvas .node-label, #canvas .edge-badge text',
    (els) => els.map((e) => ({ size: parseFloat(getComputedStyle(e).fontSize), text: e.textContent, cls: e.getAttribute('class') })),
  );
  assert.ok(texts.length > 0);
  for (const t of texts) assert.ok(t.size >= 12, `${t.cls} “${t.text}” is ${t.size}px`);
  for (const t of texts.filter((t) => t.text.endsWith('…'))) {
    // Cut where a word ends: the text before the ellipsis is whole words of the full text.
    assert.doesNotMatch(t.text, /[\s·/,:-]…$/, `no dangling separator: ${t.text}`);
  }
  // Every node's full caption is in its tooltip.
  const titles = await page.$$eval('#canvas .node', (nodes) =>
    nodes.map((n) => ({ caption: n.querySelector('.node-caption').textContent, title: n.querySelector('title').textContent })),
  );
  for (const { caption, title } of titles) {
    assert.ok(title.includes(caption.replace(/…$/, '')), `the tooltip holds the whole caption: ${caption} / ${title}`);
  }
  const badges = await page.$$eval('#canvas .edge-badge', (els) =>
    els.map((e) => ({ title: e.querySelector('title')?.textContent ?? '', box: e.querySelector('rect').getBoundingClientRect().toJSON() })),
  );
  assert.ok(badges.length > 0, 'the template has resilience badges');
  for (const b of badges) assert.match(b.title, /(Timeout|Retries|Circuit breaker|budget|Bulkhead|throttling|Deadline).*\./, b.title);
  const nodes = await page.$$eval('#canvas .node .node-body', (els) => els.map((e) => e.getBoundingClientRect().toJSON()));
  const hits = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (const b of badges) assert.ok(!nodes.some((n) => hits(n, b.box)), `badge “${b.title}” covers a node`);
  // The view controls sit below the drawing, never over it.
  const controls = await page.locator('#canvas .canvas-controls').boundingBox();
  const surface = await page.locator('#canvas-surface').boundingBox();
  assert.ok(controls.y >= surface.y + surface.height - 0.5, 'the controls are under the drawing area');
  await app.screenshot('arrange-readable-canvas');
  app.assertNoProblems('readable canvas');
});

test('Fit shows all of a 200-node design', async () => {
  const { page } = app;
  const nodes = [];
  const edges = [];
  for (let i = 0; i < 220; i++) {
    const id = i === 0 ? 'client-1' : `service-${i}`;
    nodes.push({ id, label: id, kind: i === 0 ? 'client' : 'service', position: { x: (i % 20) * 260, y: Math.floor(i / 20) * 140 }, params: {} });
    if (i > 0) edges.push({ id: `e${i}`, from: i === 1 ? 'client-1' : `service-${i - 1}`, to: id });
  }
  await importDesign(page, { version: 2, name: 'Big', nodes, edges });
  await page.click('#zoom-fit');
  const area = await page.locator('#canvas-surface').boundingBox();
  const outside = await page.$$eval(
    '#canvas .node .node-body',
    (bodies, a) =>
      bodies.filter((b) => {
        const r = b.getBoundingClientRect();
        return r.left < a.x - 0.5 || r.top < a.y - 0.5 || r.right > a.x + a.width + 0.5 || r.bottom > a.y + a.height + 0.5;
      }).length,
    area,
  );
  assert.equal(outside, 0, 'every node is inside the canvas after Fit');
  const zoom = parseFloat(await page.locator('#zoom-level').textContent());
  assert.ok(zoom < 20, `Fit zoomed out below the old 20% floor (${zoom}%)`);
  app.assertNoProblems('fit 220 nodes');
});

test('a rate is typed as 1.2k; a new fault does not target the client', async () => {
  const { page } = app;
  await loadTemplate(page, 'mm1');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length === 2);
  const client = await page.locator('#canvas .node[data-kind="client"]').getAttribute('data-node-id');
  const c = await nodeCentre(page, client);
  await page.mouse.click(c.x, c.y);
  const rate = propertyField(page, 'nodes[0].params.workload.rate.rps');
  await rate.fill('1.2k');
  await rate.press('Enter');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.nodes[0].params.workload.rate.rps === 1200);
  await clickEmptyCanvas(page);
  await page.click('#add-fault');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.faults.length === 1);
  const design = await autosavedDesign(page);
  const target = design.nodes.find((n) => n.id === design.faults[0].target);
  assert.notEqual(target.kind, 'client', 'the fault targets the server, not the client');
  app.assertNoProblems('rate in thousands and a new fault');
});

test('the event pipeline says its consumer failures are internal', async () => {
  const { page } = app;
  await loadTemplate(page, 'event-pipeline');
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length > 3);
  await clickEmptyCanvas(page);
  await propertyField(page, 'run.duration_ms').fill('30s');
  await propertyField(page, 'run.duration_ms').press('Enter');
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-live)').waitFor({ timeout: 90_000 });
  const said = await page.locator('#results-failures').textContent();
  assert.match(said, /^No client request failed\. [\d,]+ failures were internal, at .+: a queue answers its producer/, said);
  app.assertNoProblems('event pipeline wording');
});

test('at 1024×700 no card or field overflows its box', async () => {
  const small = await openApp({ viewport: { width: 1024, height: 700 } });
  try {
    const { page } = small;
    await loadTemplate(page, 'three-tier');
    await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length > 3);
    const overflowing = () =>
      page.$$eval('.figure, .field-input, .results-blockers li, .run-bar .tool-button, .theme-select', (els) =>
        els
          .filter((e) => e.getClientRects().length && e.scrollWidth > e.clientWidth + 1)
          .map((e) => `${e.className}: ${e.value ?? e.textContent}`.slice(0, 80)),
      );
    assert.deepEqual(await overflowing(), [], 'the design panel at 1024×700');
    await page.click('#run-button');
    await page.locator('#results.has-report:not(.is-live)').waitFor({ timeout: 90_000 });
    assert.deepEqual(await overflowing(), [], 'the results at 1024×700');
    await small.screenshot('arrange-1024');
    await page.selectOption('#theme-select', 'dark');
    await small.screenshot('arrange-1024-dark');
    small.assertNoProblems('1024×700');
  } finally {
    await small.close();
  }
});

/** A design whose nodes all sit at odd places: for Tidy and the arrange buttons. */
function messyDesign() {
  const spots = [
    ['client-1', 'client', 700, 400],
    ['service-1', 'service', 20, 20],
    ['service-2', 'service', 400, 310],
    ['service-3', 'service', 90, 500],
    ['database-1', 'database', 620, 60],
  ];
  return {
    version: 2,
    name: 'Messy',
    // service-2 has workers of its own and service-3 a queue of its own: "mixed" in a bulk edit.
    nodes: spots.map(([id, kind, x, y]) => ({
      id,
      label: id,
      kind,
      position: { x, y },
      params: id === 'service-2' ? { workers: 8 } : id === 'service-3' ? { queue_capacity: 7 } : {},
    })),
    edges: [
      { id: 'a', from: 'client-1', to: 'service-1' },
      { id: 'b', from: 'service-1', to: 'service-2' },
      { id: 'c', from: 'service-1', to: 'service-3' },
      { id: 'd', from: 'service-2', to: 'database-1' },
      { id: 'e', from: 'client-1', to: 'database-1' },
    ],
  };
}

const positions = async (page) => Object.fromEntries((await autosavedDesign(page)).nodes.map((n) => [n.id, n.position]));

test('Tidy lays the design out left to right by its calls, as one undo step', async () => {
  const { page } = app;
  await importDesign(page, messyDesign());
  const before = await positions(page);
  await page.click('#auto-layout');
  await page.waitForFunction(() => {
    const d = JSON.parse(localStorage.getItem('archsim.autosave.v1')).design;
    const x = (id) => d.nodes.find((n) => n.id === id).position.x;
    return x('client-1') < x('service-1') && x('service-1') < x('service-2') && x('service-2') < x('database-1');
  });
  const p = await positions(page);
  assert.equal(p['service-2'].x, p['service-3'].x, 'callees of one node share a column');
  // Longest path: the database the client also calls directly sits after service-2.
  const box = await page.locator('#canvas-surface').boundingBox();
  for (const id of Object.keys(p)) {
    const c = await nodeCentre(page, id);
    assert.ok(c.x > box.x && c.x < box.x + box.width && c.y > box.y && c.y < box.y + box.height, `${id} is in view`);
  }
  await app.screenshot('arrange-tidy');
  await clickEmptyCanvas(page);
  await page.keyboard.press('Control+z');
  await page.waitForFunction((x) => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.nodes[1].position.x === x, before['service-1'].x);
  assert.deepEqual(await positions(page), before, 'one undo puts every node back');
  app.assertNoProblems('tidy');
});

test('a selection is aligned and distributed; several services are edited together', async () => {
  const { page } = app;
  await page.click('#zoom-fit');
  await clickEmptyCanvas(page);
  for (const id of ['service-1', 'service-2', 'service-3']) {
    const c = await nodeCentre(page, id);
    await page.keyboard.down('Shift');
    await page.mouse.click(c.x, c.y);
    await page.keyboard.up('Shift');
  }
  await page.locator('#align-buttons').waitFor();
  await page.locator('#align-buttons button', { hasText: 'Left' }).click();
  await page.waitForFunction(() => {
    const d = JSON.parse(localStorage.getItem('archsim.autosave.v1')).design;
    return ['service-1', 'service-2', 'service-3'].every((id) => d.nodes.find((n) => n.id === id).position.x === 20);
  });
  await page.locator('#distribute-buttons button', { hasText: 'Spread down' }).click();
  await page.waitForFunction(() => {
    const d = JSON.parse(localStorage.getItem('archsim.autosave.v1')).design;
    const ys = ['service-1', 'service-2', 'service-3'].map((id) => d.nodes.find((n) => n.id === id).position.y).sort((a, b) => a - b);
    return Math.abs(ys[1] - ys[0] - (ys[2] - ys[1])) < 1e-6;
  });
  // Bulk edit: the services differ in workers, so that field says "mixed"; setting it sets it
  // on all three, each keeping its own other values; one undo takes it back.
  await page.locator('#bulk-edit').waitFor();
  const workers = page.locator('#bulk-edit [data-path$=".params.workers"]');
  assert.equal(await workers.inputValue(), '');
  assert.equal(await workers.getAttribute('placeholder'), 'mixed');
  await app.screenshot('arrange-bulk-edit');
  await workers.fill('9');
  await workers.press('Tab');
  await page.waitForFunction(() => {
    const d = JSON.parse(localStorage.getItem('archsim.autosave.v1')).design;
    return d.nodes.filter((n) => n.kind === 'service').every((n) => n.params.workers === 9);
  });
  assert.equal(await workers.inputValue(), '9', 'no longer mixed');
  const services = (await autosavedDesign(page)).nodes.filter((n) => n.kind === 'service');
  assert.equal(services.find((n) => n.id === 'service-3').params.queue_capacity, 7, 'its own queue stays');
  await clickEmptyCanvas(page);
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => {
    const d = JSON.parse(localStorage.getItem('archsim.autosave.v1')).design;
    return d.nodes.find((n) => n.id === 'service-2').params.workers === 8;
  });
  const undone = (await autosavedDesign(page)).nodes.filter((n) => n.kind === 'service');
  assert.ok(undone.every((n) => n.params.workers !== 9), 'one undo step takes the bulk edit back');
  app.assertNoProblems('arranging and bulk editing');
});

test('a group box moves with the nodes inside it; a note holds text; neither changes a run', async () => {
  const { page } = app;
  await importDesign(page, messyDesign());
  await page.click('#auto-layout');
  await clickEmptyCanvas(page);
  for (const id of ['service-2', 'database-1']) {
    const c = await nodeCentre(page, id);
    await page.keyboard.down('Shift');
    await page.mouse.click(c.x, c.y);
    await page.keyboard.up('Shift');
  }
  await page.click('#add-group');
  await page.locator('#canvas .annotation.is-group').waitFor();
  await page.locator('#properties .props-annotation').waitFor();
  const label = page.locator('#properties [data-path="annotations[0].text"]');
  await label.fill('region us-east');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.annotations?.[0]?.text === 'region us-east');
  const before = await positions(page);
  // Drag the box by its label tab.
  const tab = await page.locator('#canvas .annotation.is-group .annotation-tab').boundingBox();
  await page.mouse.move(tab.x + 10, tab.y + 10);
  await page.mouse.down();
  await page.mouse.move(tab.x + 70, tab.y + 50, { steps: 6 });
  await page.mouse.up();
  await page.waitForFunction(
    (x) => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.nodes.find((n) => n.id === 'database-1').position.x !== x,
    before['database-1'].x,
  );
  const after = await positions(page);
  const zoom = parseFloat(await page.locator('#zoom-level').textContent()) / 100;
  for (const id of ['service-2', 'database-1']) {
    assert.ok(Math.abs(after[id].x - before[id].x - 60 / zoom) < 1 && Math.abs(after[id].y - before[id].y - 40 / zoom) < 1, `${id} moved with the box`);
  }
  assert.deepEqual(after['client-1'], before['client-1'], 'a node outside stays');
  // A note.
  await clickEmptyCanvas(page);
  await page.click('#add-note');
  const text = page.locator('#properties [data-path="annotations[1].text"]');
  await text.fill('Writes go to the primary');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.annotations?.[1]?.text === 'Writes go to the primary');
  assert.match(await page.locator('#canvas .annotation.is-note').textContent(), /Writes go to/);
  // The new note covers neither the group's name nor a node.
  const noteBox = await page.locator('#canvas .annotation.is-note .annotation-note').boundingBox();
  const overlaps = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  const tabBox = await page.locator('#canvas .annotation.is-group .annotation-tab').boundingBox();
  assert.ok(!overlaps(noteBox, tabBox), 'the note leaves the group label readable');
  for (const body of await page.locator('#canvas .node .node-body').all()) {
    assert.ok(!overlaps(noteBox, await body.boundingBox()), 'the note covers no node');
  }
  // They survive a reload (part of the design file) and Delete removes the selected one.
  await page.reload();
  await page.locator('#canvas .annotation.is-note').waitFor();
  assert.equal(await page.locator('#canvas .annotation').count(), 2);
  await app.screenshot('arrange-annotations');
  await app.assertAccessible('a design with a group box and a note');
  app.assertNoProblems('annotations');
});

test('group boxes and notes are reached, selected, moved and removed by keyboard', async () => {
  const { page } = app;
  const saved = async () => (await autosavedDesign(page)).annotations;
  const before = await saved();
  assert.equal(before.length, 2, 'the box and the note of the previous test');
  await clickEmptyCanvas(page);
  // Tab reaches the annotations like nodes and edges; each says what it is.
  const note = page.locator('#canvas .annotation.is-note');
  assert.equal(await note.getAttribute('tabindex'), '0');
  assert.match(await note.getAttribute('aria-label'), /^Note: Writes go to/);
  await note.focus();
  await page.keyboard.press('Space');
  await page.locator('#canvas .annotation.is-note.is-selected').waitFor();
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(
    ([x, y]) => {
      const a = JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.annotations[1];
      return a.position.x > x && a.position.y === y + 1;
    },
    [before[1].position.x, before[1].position.y],
  );
  // Enter opens its text in the properties panel.
  await note.focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.closest('#properties') != null);
  // A group box moved by keyboard carries what it holds.
  const group = page.locator('#canvas .annotation.is-group');
  const nodesBefore = (await autosavedDesign(page)).nodes;
  await group.focus();
  await page.keyboard.press('Space');
  await page.locator('#canvas .annotation.is-group.is-selected').waitFor();
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(
    (x) => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.nodes.find((n) => n.id === 'database-1').position.x === x - 1,
    nodesBefore.find((n) => n.id === 'database-1').position.x,
  );
  // Delete removes the selected box, not what it holds; Undo brings it back.
  await page.keyboard.press('Delete');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.annotations.length === 1);
  assert.equal((await autosavedDesign(page)).nodes.length, nodesBefore.length);
  await page.keyboard.press('Control+z');
  await page.waitForFunction(() => JSON.parse(localStorage.getItem('archsim.autosave.v1')).design.annotations.length === 2);
  app.assertNoProblems('annotations by keyboard');
});

test('the diagram is saved as SVG and PNG, as it looks', async () => {
  const { page } = app;
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  assert.match(svg.suggestedFilename(), /\.svg$/);
  const text = await readFile(await svg.path(), 'utf8');
  assert.match(text, /<svg[^>]*viewBox=/);
  assert.match(text, /service-2/, 'labels are in the picture');
  assert.match(text, /region us-east/, 'annotations are in the picture');
  assert.doesNotMatch(text, /var\(--/, 'colours are resolved, not CSS variables');
  assert.doesNotMatch(text, /data-handle-of|data-quick-add-of/, 'no editing handles');
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#export-png')]);
  assert.match(png.suggestedFilename(), /\.png$/);
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  assert.ok(bytes.length > 2000, `a real picture (${bytes.length} bytes)`);
  // With a run shown, the picture has its heat colours.
  await clickEmptyCanvas(page);
  await propertyField(page, 'run.duration_ms').fill('10s');
  await propertyField(page, 'run.duration_ms').press('Enter');
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-live)').waitFor({ timeout: 90_000 });
  const [hot] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  const heat = await readFile(await hot.path(), 'utf8');
  assert.notEqual(heat, text, 'the run changes the picture');
  assert.match(heat, /\d+\/s/, "the run's badges are in it");
  app.assertNoProblems('saving the diagram');
});

test('a big design\'s picture after a run has the traffic widths of its edges', async () => {
  const { page } = app;
  const design = bigDesign();
  design.nodes = design.nodes.slice(0, 70);
  design.edges = design.edges.slice(0, 69);
  design.run = { ...design.run, duration_ms: 10000, warmup_ms: 1000, replications: 1 };
  await importDesign(page, design);
  const strokes = (svg) => [...svg.matchAll(/stroke-width:([\d.]+)px;stroke-opacity/g)].map((m) => parseFloat(m[1]));
  const [plain] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  assert.equal(strokes(await readFile(await plain.path(), 'utf8')).length, 0, 'no run, no traffic widths');
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-live)').waitFor({ timeout: 90_000 });
  const [hot] = await Promise.all([page.waitForEvent('download'), page.click('#export-svg')]);
  const widths = strokes(await readFile(await hot.path(), 'utf8'));
  assert.equal(widths.length, 69, 'every edge has its traffic width');
  assert.ok(widths.every((w) => w > 1.5), `busy edges are thick: ${widths.slice(0, 5)}`);
  app.assertNoProblems('a big design saved as a picture');
});
