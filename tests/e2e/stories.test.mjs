// Every template's story on screen (issue 8). Each template of src/persist/templates.rs is
// loaded from the Templates menu and run at 100× real time, the way a person watching it would,
// and then:
//   - the chart its description's first line names has data, and that data shows what the line
//     promises (the hit ratio rises, the breaker opens, the instances grow, goodput stays down,
//     the balancer's healthy backends drop…);
//   - a live chart had points before the run ended (the load chart, and the story chart when it
//     is a time chart);
//   - the canvas shows the run: nodes coloured by load, and a saturated node coloured unlike an
//     idle one where the story has one (read with the time cursor at the moment it is saturated);
//   - every fault window of the design is shaded on the load chart, and nothing before it.
// A template with no entry in STORIES fails its own test, by name: whoever adds a template adds
// its story here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApp, REPO_ROOT } from './harness.mjs';
import { loadTemplate } from './editor-helpers.mjs';

const VIEWPORT = { width: 1400, height: 1000 };

/** The template ids, in picker order, as src/persist/templates.rs lists them. */
const TEMPLATE_IDS = [
  ...(
    readFileSync(join(REPO_ROOT, 'src/persist/templates.rs'), 'utf8').match(
      /const ORDER: &\[&str\] = &\[([^\]]*)\]/,
    )?.[1] ?? ''
  ).matchAll(/"([a-z0-9-]+)"/g),
].map((m) => m[1]);

/** A template's design as bundled (its faults, run settings and description). */
function exampleDesign(id) {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'examples', `${id}.json`), 'utf8'));
}

let app;
before(async () => {
  app = await openApp({ viewport: VIEWPORT });
});
after(async () => {
  await app?.close();
});

// --- reading the page ------------------------------------------------------------------------

/** Loads a template, runs it at 100× real time and waits for the report, watching the live
 *  results meanwhile. Returns which charts had data while the run was live and how many live
 *  buckets arrived. */
async function runTemplate(page, id) {
  await loadTemplate(page, id);
  await page.waitForFunction(() => document.querySelectorAll('#canvas .node').length >= 2);
  await page.locator('#run-status.is-ready').waitFor();
  await page.selectOption('#run-speed', '100');
  await page.evaluate(() => {
    const seen = { buckets: 0, charts: [] };
    window.__archsimLive = seen;
    window.__archsimLiveTimer = setInterval(() => {
      if (!document.querySelector('#results.is-live')) return;
      seen.buckets = Math.max(seen.buckets, Number(document.querySelector('#run-bar')?.dataset.liveBuckets ?? 0));
      for (const chart of document.querySelectorAll('#results .chart[data-has-data="true"]')) {
        if (!seen.charts.includes(chart.id)) seen.charts.push(chart.id);
      }
    }, 20);
  });
  await page.click('#run-button');
  await page.locator('#results.has-report:not(.is-stale):not(.is-live)').waitFor({ timeout: 120_000 });
  return page.evaluate(() => {
    clearInterval(window.__archsimLiveTimer);
    return window.__archsimLive;
  });
}

/** A chart's `data-summary` as [name, number] pairs, once it has data (names may repeat). */
async function summaryPairs(page, chart) {
  const figure = page.locator(`#chart-${chart}`);
  assert.equal(await figure.getAttribute('data-has-data'), 'true', `${chart} has data`);
  const text = await figure.getAttribute('data-summary');
  return text
    .split(';')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.lastIndexOf('=');
      return [pair.slice(0, at), Number(pair.slice(at + 1))];
    });
}

/** A chart's `data-summary` as { name: number }. */
async function summary(page, chart) {
  return Object.fromEntries(await summaryPairs(page, chart));
}

/** The number of a summary figure ("80.1" → 80.1). */
async function figure(page, id) {
  const text = await page.locator(`#results [data-figure="${id}"] .figure-number`).textContent();
  return Number(text.replace(/,/g, ''));
}

/** A node's details line in the results table ("12 flushes, …"). */
async function nodeDetails(page, id) {
  return page.locator(`#results-nodes tr.node-details[data-details-for="${id}"]`).textContent();
}

/** A number in `text` captured by the first group of `pattern` (commas dropped). */
function numberIn(text, pattern, what) {
  const match = text.match(pattern);
  assert.ok(match, `${what}: no ${pattern} in "${text}"`);
  return Number(match[1].replace(/,/g, ''));
}

function near(value, want, tolerance, what) {
  assert.ok(Math.abs(value - want) <= tolerance, `${what}: ${value}, want ${want} ± ${tolerance}`);
}

/** The plot's margins, from where the chart draws its cursor (the plotting area exactly). */
async function plotGeometry(page, chart) {
  const plot = page.locator(`#chart-${chart} .chart-plot`);
  await plot.scrollIntoViewIfNeeded();
  const box = await plot.boundingBox();
  const margins = await page.$eval(`#chart-${chart} .chart-cursor`, (c) => ({
    left: parseFloat(c.style.left),
    right: parseFloat(c.style.right),
  }));
  const endMs = Number(await page.locator(`#chart-${chart} canvas`).getAttribute('data-axis-end-ms'));
  return { box, margins, endMs };
}

/** Points at simulated time `ms` on a time chart; returns its hover read-out's text. */
async function readoutAt(page, chart, ms) {
  const { box, margins, endMs } = await plotGeometry(page, chart);
  const x = box.x + margins.left + (box.width - margins.left - margins.right) * (ms / endMs);
  await page.mouse.move(x, box.y + box.height / 2);
  // Scrolling under a resting mouse moves the cursor too: wait for this time's read-out.
  const readout = `#chart-${chart} .chart-readout`;
  // To within a pixel's worth of time (a half-width chart of a long run: over a second).
  const tolerance = Math.max(500, (1.5 * endMs) / (box.width - margins.left - margins.right));
  await page.waitForFunction(
    ([selector, wanted, within]) => {
      const text = document.querySelector(selector)?.textContent ?? '';
      return Math.abs(parseFloat(text.replace(/,/g, '')) * 1000 - wanted) < within;
    },
    [readout, ms, tolerance],
  );
  const text = await page.locator(readout).textContent();
  await page.mouse.move(5, 5);
  return text;
}

/** A time chart's values at simulated time `ms`, off its read-out: { line name: value }
 *  ("—" reads as NaN). */
async function valuesAt(page, chart, ms) {
  const text = await readoutAt(page, chart, ms);
  const body = text.slice(text.indexOf(': ') + 2).replace(/ \([^()]*\)$/, '');
  return Object.fromEntries(
    body.split(' · ').map((part) => {
      const at = part.lastIndexOf(' ');
      return [part.slice(0, at), Number(part.slice(at + 1).replace(/,/g, ''))];
    }),
  );
}

/** A state timeline's rows at simulated time `ms`, off its read-out: { row name: state }
 *  ("App 1" → "marked down, crashed"). */
async function statesAt(page, chart, ms) {
  const text = await readoutAt(page, chart, ms);
  const body = text.slice(text.indexOf(': ') + 2).replace(/ \([^()]*\)$/, '');
  const state = /^(.*) (in rotation|marked down|ejected|down and ejected|closed|half-open|open)(, crashed)?$/;
  return Object.fromEntries(
    body.split(' · ').map((part) => {
      const match = part.match(state);
      assert.ok(match, `a state in “${part}”`);
      return [match[1], match[2] + (match[3] ?? '')];
    }),
  );
}

/** Reddish (fault-shaded) pixels in the column of simulated time `ms` on a time chart. */
async function faultPixelsAt(page, chart, ms) {
  const { margins, endMs } = await plotGeometry(page, chart);
  return page.$eval(
    `#chart-${chart} canvas`,
    (canvas, [left, right, fraction]) => {
      const r = canvas.width / canvas.clientWidth;
      const x = Math.round((left + (canvas.clientWidth - left - right) * fraction) * r);
      const { data } = canvas.getContext('2d').getImageData(x, 20 * r, 1, canvas.height - 45 * r);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] > 0 && data[i] > data[i + 2] + 10) n++;
      }
      return n;
    },
    [margins.left, margins.right, ms / endMs],
  );
}

/** What the canvas shows of each node: its load step (0 idle … 5 saturated) and its fill. */
async function canvasLoads(page) {
  return page.$$eval('#canvas .node', (nodes) =>
    nodes.map((n) => ({
      id: n.dataset.nodeId,
      step: n.dataset.loadStep === undefined ? null : Number(n.dataset.loadStep),
      fill: getComputedStyle(n.querySelector('.node-body')).fill,
      saturated: n.classList.contains('is-saturated'),
      down: n.classList.contains('is-down'),
    })),
  );
}

/** Moves the time cursor to `ms`, a bucket's start (the canvas then shows that moment). */
async function showMoment(page, ms) {
  await page.locator('#time-cursor').fill(String(ms));
  await page.waitForFunction(
    (s) => new RegExp(`At ${s} s`).test(document.querySelector('#canvas-showing')?.textContent ?? ''),
    Math.floor(ms / 1000),
  );
}

/** Goodput (req/s) at simulated time `ms`, off the load chart's read-out. */
async function goodputAt(page, ms) {
  return (await valuesAt(page, 'throughput', ms)).goodput;
}

// --- the stories -------------------------------------------------------------------------------

/** Checks of the mean latency against the closed form the description quotes. */
function meanLatencyStory(want, tolerance) {
  return {
    chart: 'latency-distribution',
    async check(page) {
      const { mean } = await summary(page, 'latency-distribution');
      near(mean, want, tolerance, 'mean latency (ms)');
      return mean;
    },
  };
}

/**
 * One entry per template: `chart`, the chart its first line points at (its id without
 * `chart-`); `check(page, ctx)`, what that chart (or the table the line names) must show;
 * `saturated`, optionally { ms, node }: a node the story drives flat out at that moment, whose
 * canvas colour must differ from an idle node's.
 */
const STORIES = {
  mm1: {
    chart: 'latency-distribution',
    async check(page) {
      // W = 1/(μ − λ) = 50 ms at λ = 80/s, μ = 100/s; utilisation 0.8.
      near((await summary(page, 'latency-distribution')).mean, 50, 12, 'M/M/1 mean latency (ms)');
      const busy = await page
        .locator('#results-nodes tr[data-node-id="server"] [data-col="utilisation"]')
        .textContent();
      near(parseFloat(busy), 80, 4, 'M/M/1 utilisation (%)');
    },
  },
  // M/M/4 (Erlang C): W = 15.1 ms.
  mmc: meanLatencyStory(15.1, 2.5),
  // M/D/1 at the M/M/1's load: half the wait, W = 30 ms (Pollaczek-Khinchine).
  md1: meanLatencyStory(30, 5),
  // Two M/M/1 stages in tandem (Jackson): 20 ms + 13.3 ms.
  tandem: meanLatencyStory(33.3, 6),
  mm1k: {
    chart: 'failures',
    async check(page) {
      // P(block) = 0.1260 of λ = 90/s, all of it queue_full.
      const failures = await summary(page, 'failures');
      assert.deepEqual(Object.keys(failures), ['queue full'], JSON.stringify(failures));
      near(await figure(page, 'goodput'), 78.7, 3, 'goodput (req/s)');
      const completed = await figure(page, 'completed');
      const failed = numberIn(
        await page.locator('#results-failures').textContent(),
        /^Failed: ([\d,]+) queue full/,
        'failures line',
      );
      near(failed / completed, 0.126, 0.02, 'share turned away');
    },
  },
  'three-tier': {
    chart: 'utilisation',
    async check(page) {
      const peaks = await summary(page, 'utilisation');
      const apps = Object.entries(peaks).filter(([name]) => name.startsWith('App'));
      assert.equal(apps.length, 3, JSON.stringify(peaks));
      const values = apps.map(([, v]) => v);
      for (const [name, v] of apps) assert.ok(v > 30 && v < 75, `${name} peaks at ${v}%`);
      assert.ok(Math.max(...values) < 1.4 * Math.min(...values), `uneven spread: ${JSON.stringify(peaks)}`);
      for (const id of ['app-1', 'app-2', 'app-3']) {
        const text = await page.locator(`#results-nodes tr[data-node-id="${id}"] [data-col="utilisation"]`).textContent();
        near(parseFloat(text), 40, 10, `${id} utilisation (%)`);
      }
      const db = await page.locator('#results-nodes tr[data-node-id="db"] [data-col="utilisation"]').textContent();
      assert.ok(parseFloat(db) < 60, `the database stays far from saturation: ${db}`);
    },
  },
  'cache-aside': {
    chart: 'hit-ratio',
    async check(page) {
      const early = (await valuesAt(page, 'hit-ratio', 500)).Cache;
      const mid = (await valuesAt(page, 'hit-ratio', 20_500)).Cache;
      const late = (await valuesAt(page, 'hit-ratio', 50_500)).Cache;
      assert.ok(late > early + 10, `the hit ratio climbs: ${early}% → ${late}%`);
      assert.ok(late > 50, `most reads are hits once warm: ${late}%`);
      assert.ok(Math.abs(late - mid) < 15, `and levels off: ${mid}% at 20 s, ${late}% at 50 s`);
    },
  },
  'cache-flush-overload': {
    chart: 'utilisation',
    async check(page) {
      // The warm cache keeps the database nearly idle; the flush at 20 s sends every read to it.
      const before = (await valuesAt(page, 'utilisation', 10_500)).Database;
      const after = (await valuesAt(page, 'utilisation', 20_500)).Database;
      assert.ok(before < 20, `the database is nearly idle before the flush: ${before}%`);
      assert.ok(after > 90, `the database saturates after the flush: ${after}%`);
      const failed = numberIn(
        await page.locator('#results-failures').textContent(),
        /^Failed: ([\d,]+)/,
        'failures line',
      );
      assert.ok(failed > 100, `users give up while the database catches up: ${failed} failed`);
    },
  },
  'cache-flush-coalescing': {
    chart: 'utilisation',
    async check(page) {
      // The same flush, but each missing key is read once: a short busy spell, no failure.
      const before = (await valuesAt(page, 'utilisation', 10_500)).Database;
      const later = (await valuesAt(page, 'utilisation', 30_500)).Database;
      assert.ok(before < 20 && later < 20, `the database is nearly idle away from the flush: ${before}%, ${later}%`);
      assert.match(await page.locator('#results-failures').textContent(), /^No request failed/);
    },
  },
  'cache-stampede': {
    chart: 'queue-length',
    async check(page) {
      // Both databases are on the chart, told apart; the plain one queues, the other hardly.
      const peaks = await summary(page, 'queue-length');
      const plain = Object.entries(peaks).find(([name]) => /db-plain/.test(name));
      const coalescing = Object.entries(peaks).find(([name]) => /db-coalescing/.test(name));
      assert.ok(plain && coalescing, `both databases on the chart: ${JSON.stringify(peaks)}`);
      assert.ok(plain[1] > 5 * Math.max(coalescing[1], 1), `the plain cache's database queues: ${JSON.stringify(peaks)}`);
      const plainArrivals = parseFloat(
        await page.locator('#results-nodes tr[data-node-id="db-plain"] [data-col="arrivals"]').textContent(),
      );
      const coalescedArrivals = parseFloat(
        await page.locator('#results-nodes tr[data-node-id="db-coalescing"] [data-col="arrivals"]').textContent(),
      );
      assert.ok(plainArrivals > coalescedArrivals, `stampedes reach the database: ${plainArrivals} vs ${coalescedArrivals} /s`);
    },
  },
  'write-back-crash': {
    chart: 'hit-ratio',
    async check(page) {
      const details = await nodeDetails(page, 'cache');
      const flushes = numberIn(details, /([\d,]+) flushes/, 'write-back line');
      const coalesced = numberIn(details, /([\d,]+) writes coalesced/, 'write-back line');
      const lost = numberIn(details, /([\d,]+) writes lost/, 'write-back line');
      assert.ok(coalesced > 0 && flushes > 0, `writes to a key share a flush: ${details}`);
      assert.ok(lost > 0, `the crash at 30 s loses the writes not yet flushed: ${details}`);
    },
  },
  'sharded-db': {
    chart: 'shards',
    async check(page) {
      const shards = await summary(page, 'shards');
      assert.equal(Object.keys(shards).length, 4, JSON.stringify(shards));
      const values = Object.values(shards);
      assert.ok(Math.max(...values) > 1.2 * Math.min(...values), `one shard is busier: ${JSON.stringify(shards)}`);
      assert.equal(await page.locator('#chart-shard-load').getAttribute('data-has-data'), 'true');
    },
  },
  'reshard-hash-vs-ring': {
    chart: 'shard-load',
    async check(page) {
      const moved = async (id) => {
        const details = await nodeDetails(page, id);
        return {
          share: numberIn(details, /reshard 4 → 5 shards moved ([\d.]+)% of keys/, id),
          queries: numberIn(details, /\(([\d,]+) queries paid the move\)/, id),
        };
      };
      const hash = await moved('db-hash');
      const ring = await moved('db-ring');
      near(hash.share, 80, 6, 'hash-mod moves 4/5 of the keys (%)');
      near(ring.share, 20, 8, 'consistent hashing moves about 1/5 (%)');
      assert.ok(hash.queries > 2 * ring.queries, `hash-mod pays the move far more often: ${hash.queries} vs ${ring.queries}`);
      const latency = async (id) =>
        parseFloat(await page.locator(`#results-nodes tr[data-node-id="${id}"] [data-col="p99"]`).textContent());
      assert.ok((await latency('db-hash')) > (await latency('db-ring')), 'and its latency is higher');
    },
  },
  'read-replicas': {
    chart: 'utilisation',
    async check(page) {
      const details = await nodeDetails(page, 'db');
      const reads = numberIn(details, /([\d,]+) reads on replicas/, 'database details');
      const stale = numberIn(details, /([\d,]+) stale reads/, 'database details');
      // 90% of the requests are reads, all sent to the replicas; a few miss a recent write.
      const completed = await figure(page, 'completed');
      assert.ok(reads > 0.8 * completed, `reads on replicas ${reads} of ${completed} requests: ${details}`);
      assert.ok(stale > 0 && stale < 0.2 * reads, `stale reads ${stale}: ${details}`);
    },
  },
  'event-pipeline': {
    chart: 'dead-letters',
    async check(page) {
      const letters = await summary(page, 'dead-letters');
      const [redelivered, dead] = [letters['Events queue redeliveries'], letters['Events queue dead letters']];
      assert.ok(dead > 0 && redelivered > dead, JSON.stringify(letters));
      // Over the run, per message: 0.2 + 0.2² = 0.24 redeliveries and 0.2³ = 0.008 dead letters,
      // so one dead letter per 30 redeliveries.
      const details = await nodeDetails(page, 'queue');
      const redeliveries = numberIn(details, /([\d,]+) redeliveries/, 'queue details');
      const deadLetters = numberIn(details, /([\d,]+) dead-lettered/, 'queue details');
      near(deadLetters / redeliveries, 0.008 / 0.24, 0.015, 'dead letters per redelivery');
    },
  },
  'microservices-gateway': {
    chart: 'breakers',
    async check(page) {
      assert.match(await page.locator('#chart-breakers').getAttribute('data-summary'), /open/);
      const state = (ms) => readoutAt(page, 'breakers', ms);
      assert.match(await state(20_500), /closed/, 'closed before the crash');
      assert.doesNotMatch(await state(20_500), /open/, 'nothing open before the crash');
      assert.match(await state(36_500), /\bopen/, 'open while payments is down');
      assert.doesNotMatch(await state(70_500), /\bopen/, 'closed again once it is back');
    },
  },
  'rate-limited-api': {
    chart: 'rate-limited',
    async check(page) {
      // 80 req/s, a spike to 300 from 20 s to 30 s; the bucket lets about 100 through.
      const before = Object.values(await valuesAt(page, 'rate-limited', 10_500))[0];
      const during = Object.values(await valuesAt(page, 'rate-limited', 25_500))[0];
      assert.ok(before < 5, `nothing shed before the spike: ${before}/s`);
      near(during, 200, 40, 'shed during the spike (req/s)');
      const p99 = async (ms) => (await valuesAt(page, 'latency', ms)).p99;
      assert.ok((await p99(25_500)) < 3 * (await p99(10_500)) + 20, 'the API’s latency barely moves');
    },
  },
  'retry-storm': {
    chart: 'throughput',
    async check(page) {
      const before = await goodputAt(page, 5_500);
      assert.ok(before > 150, `goodput before the slow-down: ${before}`);
      const long = await goodputAt(page, 60_500);
      assert.ok(long < 0.1 * before, `the storm outlives the slow-down: goodput ${long} at 60 s, ${before} before`);
    },
    saturated: { ms: 60_000, node: 'api' },
  },
  'retry-storm-budget': {
    chart: 'throughput',
    async check(page) {
      const before = await goodputAt(page, 5_500);
      const after = await goodputAt(page, 30_500);
      assert.ok(after > 0.8 * before, `the budget lets it recover: ${after} at 30 s, ${before} before`);
    },
  },
  'retry-storm-throttled': {
    chart: 'throughput',
    async check(page) {
      const before = await goodputAt(page, 5_500);
      const soon = await goodputAt(page, 16_500);
      const later = await goodputAt(page, 45_500);
      assert.ok(soon < 0.5 * before, `not yet back right after the slow-down: ${soon}, ${before} before`);
      assert.ok(later > 0.8 * before, `back well after it: ${later} at 45 s, ${before} before`);
    },
  },
  'hedged-requests': {
    chart: 'hedges',
    async check(page) {
      // The cost: about one call in twenty hedged (10 of 200 calls a second).
      const at = await valuesAt(page, 'hedges', 60_000);
      const calls = at['Hedged clients → Hedged storage: calls'];
      const hedges = at['Hedged clients → Hedged storage: hedges'];
      assert.ok(calls > 150 && hedges > 0.03 * calls && hedges < 0.08 * calls, JSON.stringify(at));
      // What it buys: the hedged client's p99 about half the plain one's.
      const p99 = async (id) => parseFloat(
        await page.locator(`#results-nodes tr[data-node-id="${id}"] [data-col="p99"]`).textContent(),
      );
      const [plain, hedged] = [await p99('plain-clients'), await p99('hedged-clients')];
      assert.ok(hedged < 0.65 * plain, `p99 ${hedged} ms hedged, ${plain} ms plain`);
    },
  },
  'queue-collapse-fifo': {
    chart: 'throughput',
    async check(page) {
      const before = await goodputAt(page, 5_500);
      assert.ok(before > 60, `goodput before the burst: ${before}`);
      const stale = await goodputAt(page, 60_500);
      assert.ok(stale < 0.1 * before, `FIFO serves a stale backlog: goodput ${stale} at 60 s, ${before} before`);
    },
    saturated: { ms: 60_000, node: 'api' },
  },
  'queue-collapse-codel': {
    chart: 'throughput',
    async check(page) {
      const before = await goodputAt(page, 5_500);
      const after = await goodputAt(page, 30_500);
      assert.ok(after > 0.8 * before, `CoDel recovers when the burst ends: ${after} at 30 s, ${before} before`);
    },
  },
  'queue-collapse-adaptive-lifo': {
    chart: 'throughput',
    async check(page) {
      const before = await goodputAt(page, 5_500);
      const during = await goodputAt(page, 20_500);
      const after = await goodputAt(page, 30_500);
      assert.ok(during > 0.8 * before, `adaptive LIFO holds through the burst: ${during} at 20 s, ${before} before`);
      assert.ok(after > 0.8 * before, `and after it: ${after} at 30 s`);
    },
    saturated: { ms: 20_000, node: 'api' },
  },
  'queue-collapse-deadline': {
    chart: 'throughput',
    async check(page) {
      const before = await goodputAt(page, 5_500);
      const after = await goodputAt(page, 30_500);
      assert.ok(after > 0.8 * before, `goodput is back as soon as the burst ends: ${after} at 30 s, ${before} before`);
      // The callers wait 1 s: the queue holds at most the last second's arrivals (300 during
      // the burst), where FIFO's grows by 200 every second of it; and it is empty soon after.
      const waiting = (await summary(page, 'queue-length')).API;
      assert.ok(waiting < 360, `the API's queue never holds more than a second of arrivals: ${waiting}`);
      const drained = (await valuesAt(page, 'queue-length', 30_500)).API;
      assert.ok(drained < 20, `and drains when the burst ends: ${drained} waiting at 30 s`);
    },
  },
  'queue-slow-consumer-fifo': {
    chart: 'queue-length',
    async check(page) {
      const waiting = async (ms) => (await valuesAt(page, 'queue-length', ms))['Orders queue'];
      assert.ok((await waiting(10_500)) < 5, 'a short line before the slow-down');
      // ~34 more messages a second while the consumer is slow: hundreds by 35 s.
      assert.ok((await waiting(35_500)) > 300, `the backlog builds: ${await waiting(35_500)}`);
      assert.ok((await waiting(45_500)) > 100, 'still draining after the consumer recovered');
      assert.ok((await waiting(70_500)) < 5, 'drained');
    },
  },
  'queue-slow-consumer-codel': {
    chart: 'queue-length',
    async check(page) {
      const waiting = async (ms) => (await valuesAt(page, 'queue-length', ms))['Orders queue'];
      // CoDel drops at the head: the line never builds, slow consumer or not.
      for (const ms of [10_500, 25_500, 35_500, 45_500]) {
        assert.ok((await waiting(ms)) < 60, `a short line at ${ms} ms: ${await waiting(ms)}`);
      }
    },
  },
  'autoscaling-slow': {
    chart: 'instances',
    async check(page) {
      const instances = async (ms) => Object.values(await valuesAt(page, 'instances', ms))[0];
      assert.equal(await instances(30_000), 3, 'three instances before the spike');
      assert.ok((await instances(150_000)) < 4, 'still about three well into the spike');
      near(await instances(200_000), 5, 0.6, 'five once the spike is over');
      const failures = await valuesAt(page, 'failures', 120_000);
      assert.ok(failures['queue full'] > 50, `queue-full failures pile up during the spike: ${JSON.stringify(failures)}`);
    },
    saturated: { ms: 120_000, node: 'api' },
  },
  'autoscaling-fast': {
    chart: 'instances',
    async check(page) {
      const instances = async (ms) => Object.values(await valuesAt(page, 'instances', ms))[0];
      assert.equal(await instances(30_000), 3, 'three instances before the spike');
      assert.ok((await instances(130_000)) >= 15, 'the group grew with the spike within a minute');
      const failures = async (ms) => Object.values(await valuesAt(page, 'failures', ms)).reduce((a, b) => a + b, 0);
      assert.ok((await failures(62_500)) > 0, 'failures while the group is still small');
      assert.ok((await failures(150_000)) < 1, 'none once it caught up');
    },
  },
  'lb-sinkhole-health-checks': {
    chart: 'failures',
    async check(page) {
      const failed = async (ms) => Object.values(await valuesAt(page, 'failures', ms)).reduce((a, b) => a + b, 0);
      assert.ok((await failed(10_500)) < 1, 'no failure before the crash');
      // Least connections sends the crashed App 1 nearly all the traffic until the probes.
      assert.ok((await failed(22_500)) > 150, 'the sinkhole swallows most requests');
      assert.ok((await failed(40_500)) < 5, 'health checks took it out');
      // The balancer's backends: three in rotation, two once three probes failed (about 10 s
      // after the crash), three again after two passed probes once App 1 is back at 60 s.
      const inRotation = async (ms) => (await valuesAt(page, 'backends', ms))['in rotation'];
      assert.equal(await inRotation(10_500), 3);
      assert.equal(await inRotation(22_500), 3, 'not yet marked down two seconds after the crash');
      assert.equal(await inRotation(40_500), 2, 'marked down by the probes');
      assert.equal(await inRotation(85_500), 3, 'back in rotation after the restart');
      // On the canvas, at 40 s: App 1 marked down (and crashed), the others in rotation.
      await showMoment(page, 40_000);
      const app1 = page.locator('#canvas .node[data-node-id="app-1"]');
      assert.match(await app1.getAttribute('class'), /is-out-of-rotation/);
      assert.match(await app1.locator('.node-flags').textContent(), /MARKED DOWN/);
      assert.doesNotMatch(await page.locator('#canvas .node[data-node-id="app-2"]').getAttribute('class'), /is-out-of-rotation/);
      await showMoment(page, 10_000);
      assert.doesNotMatch(await app1.getAttribute('class'), /is-out-of-rotation/, 'in rotation before the crash');
      await page.click('#time-cursor-clear');
      // The balancer's timeline, a row per backend: App 1 crashed and still in rotation (the
      // sinkhole) until the probes mark it down, back in rotation after the restart.
      const timeline = page.locator('#chart-backend-states-lb');
      assert.equal(await timeline.getAttribute('data-has-data'), 'true');
      assert.equal(await timeline.getAttribute('data-summary'), 'in rotation,marked down,crashed');
      const states = (ms) => statesAt(page, 'backend-states-lb', ms);
      assert.deepEqual(await states(10_500), { 'App 1': 'in rotation', 'App 2': 'in rotation', 'App 3': 'in rotation' });
      assert.equal((await states(22_500))['App 1'], 'in rotation, crashed', 'the sinkhole: crashed, still in rotation');
      const marked = await states(40_500);
      assert.equal(marked['App 1'], 'marked down, crashed', JSON.stringify(marked));
      assert.equal(marked['App 2'], 'in rotation');
      assert.equal((await states(85_500))['App 1'], 'in rotation', 'back after the restart');
      // Its key names every state in words (colour is not the only cue), and the crash is shaded.
      const keys = await timeline.locator('.chart-key').allTextContents();
      for (const name of ['in rotation', 'marked down', 'ejected', 'crashed']) {
        assert.ok(keys.includes(name), `the key lists ${name}: ${JSON.stringify(keys)}`);
      }
      assert.ok((await faultPixelsAt(page, 'backend-states-lb', 40_500)) > (await faultPixelsAt(page, 'backend-states-lb', 10_500)), 'the crash window is shaded');
      await timeline.screenshot({ path: 'target/e2e/stories-sinkhole-backend-states.png' });
    },
  },
  'lb-sinkhole-outlier-ejection': {
    chart: 'failures',
    async check(page) {
      const failed = async (ms) => Object.values(await valuesAt(page, 'failures', ms)).reduce((a, b) => a + b, 0);
      // Five failed replies in a row eject App 1: a handful of failures in the crash's first
      // second, none after.
      assert.ok((await failed(20_500)) < 30, 'ejected within milliseconds');
      assert.ok((await failed(25_500)) < 1, 'and nothing fails afterwards');
      const peaks = await summary(page, 'failures');
      assert.ok(Object.values(peaks).every((v) => v < 30), JSON.stringify(peaks));
      // The backends chart: one ejected from the crash's first second.
      const backends = async (ms) => valuesAt(page, 'backends', ms);
      assert.deepEqual(await backends(10_500), { 'in rotation': 3, ejected: 0 });
      const during = await backends(21_500);
      assert.equal(during.ejected, 1, JSON.stringify(during));
      assert.equal(during['in rotation'], 2, JSON.stringify(during));
      // On the canvas, at 21 s: App 1 ejected.
      await showMoment(page, 21_000);
      const app1 = page.locator('#canvas .node[data-node-id="app-1"]');
      assert.match(await app1.getAttribute('class'), /is-out-of-rotation/);
      assert.match(await app1.locator('.node-flags').textContent(), /EJECTED/);
      await page.click('#time-cursor-clear');
      await page.locator('#chart-backends').screenshot({ path: 'target/e2e/stories-outlier-backends.png' });
      // The timeline: App 1 ejected (and crashed) a second after the crash, never marked down
      // by probes first; the others in rotation throughout.
      const states = (ms) => statesAt(page, 'backend-states-lb', ms);
      assert.equal((await states(10_500))['App 1'], 'in rotation');
      const ejected = await states(21_500);
      assert.equal(ejected['App 1'], 'ejected, crashed', JSON.stringify(ejected));
      assert.equal(ejected['App 3'], 'in rotation');
      assert.match(await page.locator('#chart-backend-states-lb').getAttribute('data-summary'), /(^|,)ejected(,|$)/);
      await page.locator('#chart-backend-states-lb').screenshot({ path: 'target/e2e/stories-outlier-backend-states.png' });
    },
  },
  'gateway-health-checks': {
    chart: 'failures',
    async check(page) {
      const failed = async (ms) => Object.values(await valuesAt(page, 'failures', ms)).reduce((a, b) => a + b, 0);
      assert.ok((await failed(10_500)) < 1, 'no failure before the crash');
      // The round robin's every third request goes to the crashed App 1 until the probes.
      assert.ok((await failed(21_500)) > 40, 'a third of the requests fail in the detection lag');
      assert.ok((await failed(30_500)) < 1, 'none once App 1 is marked down');
      // The gateway's backends, as a load balancer's: two in rotation while App 1 is down.
      const inRotation = async (ms) => (await valuesAt(page, 'backends', ms))['in rotation'];
      assert.equal(await inRotation(10_500), 3);
      assert.equal(await inRotation(30_500), 2, 'marked down by the probes');
      assert.equal(await inRotation(60_500), 3, 'back after the restart');
      const timeline = page.locator('#chart-backend-states-gateway');
      assert.equal(await timeline.getAttribute('data-has-data'), 'true');
      const states = (ms) => statesAt(page, 'backend-states-gateway', ms);
      assert.equal((await states(21_500))['App 1'], 'in rotation, crashed', 'the sinkhole before detection');
      assert.equal((await states(30_500))['App 1'], 'marked down, crashed');
      assert.equal((await states(60_500))['App 1'], 'in rotation');
    },
  },
  'discovery-lag': {
    chart: 'instances',
    async check(page) {
      // Two new instances serve from 80 s; the callers learn of them only at 120 s.
      const at = (ms) => valuesAt(page, 'instances', ms);
      const before = await at(60_000);
      near(before.API, 2, 0.2, `serving before the scale-up: ${JSON.stringify(before)}`);
      const lagging = await at(100_000);
      assert.ok(lagging.API >= 3.8, `four serving at 100 s: ${JSON.stringify(lagging)}`);
      near(lagging['API, known to callers'], 2, 0.2, `the callers still know two at 100 s: ${JSON.stringify(lagging)}`);
      const known = await at(150_000);
      assert.ok(known['API, known to callers'] >= 3.8, `known to the callers by 150 s: ${JSON.stringify(known)}`);
    },
  },
  'hot-partition': {
    chart: 'partition-lag',
    async check(page) {
      // One partition's lag climbs all run long; the others stay near zero.
      const peaks = Object.values(await summary(page, 'partition-lag')).sort((a, b) => b - a);
      assert.ok(peaks[0] > 10 * Math.max(peaks[1], 1), `one partition lags far behind the others: ${peaks}`);
      const hottest = async (ms) => Math.max(...Object.values(await valuesAt(page, 'partition-lag', ms)).filter(Number.isFinite));
      const early = await hottest(30_000);
      const late = await hottest(110_000);
      assert.ok(late > 2 * early && late > 0, `its lag climbs: ${early} at 30 s, ${late} at 110 s`);
    },
  },
  'keda-consumer-lag': {
    chart: 'instances',
    async check(page) {
      // The consumer group follows the lag: 2 before the spike, the topic's 12 partitions
      // during it (never its max of 20), back to 2 five minutes after the lag drained.
      const consumers = async (ms) => (await valuesAt(page, 'instances', ms))['Orders topic (scaled consumers)'];
      near(await consumers(30_000), 2, 0.1, 'two consumers before the spike');
      near(await consumers(150_000), 12, 0.1, 'one consumer per partition during the spike');
      near(await consumers(590_000), 2, 0.1, 'back to two at the end');
      const peaks = await summary(page, 'instances');
      assert.ok(Object.values(peaks).every((v) => v <= 12), `never more consumers than partitions: ${JSON.stringify(peaks)}`);
    },
  },
  'primary-failover': {
    chart: 'failover',
    async check(page) {
      const at = (ms) => valuesAt(page, 'failover', ms);
      const refused = (values) => values['Database: refused (no primary)'];
      const before = await at(20_500);
      assert.equal(refused(before), 0, `nothing refused before the crash: ${JSON.stringify(before)}`);
      const during = await at(35_500);
      assert.ok(refused(during) > 0, `writes refused with no primary: ${JSON.stringify(during)}`);
      assert.ok(during['Database: queries served'] > 0, `the replicas keep serving reads: ${JSON.stringify(during)}`);
      const after = await at(50_500);
      assert.equal(refused(after), 0, `writes flow again after the promotion: ${JSON.stringify(after)}`);
      const peaks = await summary(page, 'failover');
      assert.ok(peaks['Database: writes lost at the failover'] > 0, `unreplicated writes are lost: ${JSON.stringify(peaks)}`);
    },
  },
  'sqs-visibility-timeout': {
    chart: 'visibility',
    async check(page) {
      const peaks = await summary(page, 'visibility');
      const [again, duplicates] = [
        peaks['Orders queue (SQS): visible again (timeout)'],
        peaks['Orders queue (SQS): duplicate deliveries'],
      ];
      assert.ok(again > 0 && duplicates > 0, `slow messages come back and are delivered twice: ${JSON.stringify(peaks)}`);
    },
  },
  'pubsub-fan-out': {
    chart: 'subscription-lag',
    async check(page) {
      // Both subscriptions get every order: billing keeps up, analytics falls further behind.
      const lag = (values, to) => Object.entries(values).find(([name]) => name.endsWith(`→ ${to}`))?.[1];
      const early = await valuesAt(page, 'subscription-lag', 30_000);
      const late = await valuesAt(page, 'subscription-lag', 110_000);
      assert.ok(lag(late, 'Billing') < 20, `billing keeps up: ${JSON.stringify(late)}`);
      assert.ok(lag(late, 'Analytics') > 2 * Math.max(lag(early, 'Analytics'), 1), `analytics falls further behind: ${JSON.stringify(early)} → ${JSON.stringify(late)}`);
    },
  },
  'faults-timeline': {
    chart: 'failures',
    async check(page) {
      const failed = async (ms) => Object.values(await valuesAt(page, 'failures', ms)).reduce((a, b) => a + b, 0);
      const p50 = async (ms) => (await valuesAt(page, 'latency', ms)).p50;
      assert.ok((await failed(5_500)) < 1, 'nothing fails before the first fault');
      // 10–20 s: both trips on the API → database link take 20–30 ms longer (50 ms on average).
      const [calm, slow] = [await p50(5_500), await p50(15_500)];
      assert.ok(slow > calm + 35, `the slow link shows in the median latency: ${calm} → ${slow} ms`);
      assert.ok((await failed(15_500)) < 1, 'a slower link fails nothing');
      // 30–40 s: partitioned; every request fails (timeouts, then a full queue).
      assert.ok((await failed(35_500)) > 80, 'the partition fails what arrives');
      // 50 s: 2,000 requests at once, about 1,890 refused.
      assert.ok((await failed(50_500)) > 1_500, 'the herd is refused');
      // 65–80 s: one worker of eight left serves about 59 a second; the rest is refused.
      assert.ok((await failed(72_500)) > 20, 'the noisy neighbour leaves the API short of workers');
      assert.ok((await failed(85_500)) < 1, 'all well after the last fault');
    },
    saturated: { ms: 35_000, node: 'api' },
  },
  'kafka-consumer-groups': {
    chart: 'partition-lag',
    async check(page) {
      // Two groups read the same four partitions: billing's lag stays near zero in each,
      // analytics' climbs in each at (λₚ − μ) · t, 24 to 35 messages a second.
      const group = (values, to) => Object.entries(values).filter(([name]) => name.includes(`→ ${to} partition`)).map(([, v]) => v);
      const early = await valuesAt(page, 'partition-lag', 30_000);
      const late = await valuesAt(page, 'partition-lag', 110_000);
      assert.equal(group(late, 'Billing').length, 4, JSON.stringify(late));
      assert.equal(group(late, 'Analytics').length, 4, JSON.stringify(late));
      assert.ok(group(late, 'Billing').every((v) => v < 20), `billing keeps up in every partition: ${JSON.stringify(late)}`);
      const [before, after] = [group(early, 'Analytics'), group(late, 'Analytics')];
      for (let p = 0; p < 4; p++) {
        const slope = (after[p] - before[p]) / 80;
        assert.ok(slope > 20 && slope < 40, `analytics partition ${p} lag grows ${slope}/s: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
      }
    },
  },
};

// --- the checks every template gets ----------------------------------------------------------

/** The live run: the load chart had points before the end, and so did a story time chart. */
function checkLive(live, story) {
  assert.ok(live.buckets >= 1, `live buckets arrived before the run ended: ${JSON.stringify(live)}`);
  assert.ok(live.charts.includes('chart-throughput'), `the load chart drew live: ${JSON.stringify(live)}`);
  const timeStory = !['latency-distribution', 'shards'].includes(story.chart);
  if (timeStory && story.chart !== 'failures') {
    assert.ok(live.charts.includes(`chart-${story.chart}`), `the story chart drew live: ${JSON.stringify(live)}`);
  }
}

/** The canvas: the whole run's load on the nodes; a saturated node unlike an idle one. */
async function checkCanvas(page, story) {
  const loads = await canvasLoads(page);
  const loaded = loads.filter((n) => n.step !== null);
  assert.ok(loaded.length > 0, `the canvas shows the run's load: ${JSON.stringify(loads)}`);
  const byStep = [...loaded].sort((a, b) => a.step - b.step);
  const [least, most] = [byStep[0], byStep[byStep.length - 1]];
  if (most.step !== least.step) {
    assert.notEqual(most.fill, least.fill, `load steps ${least.step} and ${most.step} look alike`);
  }
  if (story.saturated) {
    const { ms, node } = story.saturated;
    await showMoment(page, ms);
    const moment = await canvasLoads(page);
    const hot = moment.find((n) => n.id === node);
    assert.ok(hot?.saturated && hot.step === 5, `${node} is saturated at ${ms / 1000} s: ${JSON.stringify(hot)}`);
    const idle = moment.filter((n) => n.step !== null && n.step <= 2);
    assert.ok(idle.length > 0 || moment.every((n) => n.id === node || n.step === null), JSON.stringify(moment));
    for (const other of idle) {
      assert.notEqual(hot.fill, other.fill, `saturated ${node} and idle ${other.id} have different colours`);
    }
    await page.click('#time-cursor-clear');
  }
}

/** Every fault window is shaded on the load chart, and nothing before the first one. */
async function checkFaults(page, design) {
  const faults = (design.faults ?? []).filter((f) => f.duration_ms > 0);
  for (const f of faults) {
    const middle = f.at_ms + f.duration_ms / 2;
    assert.ok((await faultPixelsAt(page, 'throughput', middle)) > 50, `fault on ${f.target} at ${f.at_ms} ms is shaded`);
  }
  if (faults.length) {
    const first = Math.min(...faults.map((f) => f.at_ms));
    assert.equal(await faultPixelsAt(page, 'throughput', first / 2), 0, 'nothing shaded before the first fault');
    assert.match(await page.locator('#chart-throughput .chart-legend').textContent(), /fault|down|slower|reshards/);
  } else if (!(design.faults ?? []).length) {
    assert.equal(await faultPixelsAt(page, 'throughput', design.run.duration_ms / 2), 0, 'no fault, no shading');
  }
}

for (const id of TEMPLATE_IDS) {
  test(`the ${id} template shows its story`, async () => {
    const story = STORIES[id];
    assert.ok(
      story,
      `template "${id}" has no story entry in tests/e2e/stories.test.mjs: add one that checks the chart its description's first line names`,
    );
    const { page } = app;
    const design = exampleDesign(id);
    const live = await runTemplate(page, id);
    assert.equal(
      await page.locator(`#chart-${story.chart}`).getAttribute('data-has-data'),
      'true',
      `the story chart ${story.chart} has data`,
    );
    await story.check(page);
    checkLive(live, story);
    await checkCanvas(page, story);
    await checkFaults(page, design);
    await page.locator(`#chart-${story.chart}`).screenshot({ path: `target/e2e/stories-${id}.png` });
    app.assertNoProblems(`the ${id} template`);
  });
}

test('every story names a template that exists', () => {
  assert.ok(TEMPLATE_IDS.length >= 20, `templates found: ${TEMPLATE_IDS}`);
  assert.deepEqual(
    Object.keys(STORIES).filter((id) => !TEMPLATE_IDS.includes(id)),
    [],
    'stories of templates that are gone',
  );
});
