// What a big design's run costs the page's main thread: a client feeding a chain of 199
// services (the design of tests/e2e/live-run.test.mjs), run as fast as possible from the click
// on Run until the report's charts are painted, under a Chromium trace.
//
//   trunk build --release=true && node bench/ui-long-tasks.mjs [DIST=dist] [SECONDS=300]
//
// SECONDS sets how long the design is simulated: a longer run streams a longer live series.
// CPU_SLOWDOWN=N slows the page's main thread N times (Chromium's CPU throttling).
// CLICKS=1 clicks the zoom buttons every 150 ms during the run (as tests/e2e/live-run.test.mjs)
// and prints how long each click took to answer.
// PROFILE=1 also samples the page's JavaScript and WebAssembly (V8's profiler) and prints the
// functions that took the most time, self and total (CALLERS=name also lists who called the
// functions with that name); build with ARCHSIM_KEEP_WASM_NAMES=1
// (scripts/strip-wasm-names.mjs) into another DIST for names instead of wasm-function[N].
//
// Prints the long tasks the page's PerformanceObserver saw, then every main-thread task over
// TASK_MS (30 unless told) of wall time as wall/CPU milliseconds (`dur`/`tdur` of the trace's
// RunTask) with what it spent its CPU on, and the longest task from Run by CPU. On a machine busy
// with other work a task waits for a core and its wall time grows, its CPU time does not: on a
// loaded machine read the CPU column (docs/performance.md).
import { join } from 'node:path';
import { openApp, REPO_ROOT } from '../tests/e2e/harness.mjs';
import { startStaticServer } from '../scripts/static-server.mjs';
import { BIG_DESIGN_NODES, bigDesign } from '../tests/e2e/big-design.mjs';

const NODES = BIG_DESIGN_NODES;

const server = await startStaticServer(join(REPO_ROOT, process.env.DIST ?? 'dist'), 0);
process.env.ARCHSIM_BASE_URL = server.url;
const app = await openApp({ viewport: { width: 1400, height: 1000 } });
const { page, context } = app;
await page.setInputFiles('#import-file', {
  name: 'big.json',
  mimeType: 'application/json',
  buffer: Buffer.from(JSON.stringify(bigDesign(Number(process.env.SECONDS ?? 300) * 1000))),
});
await page.waitForFunction((n) => document.querySelectorAll('#canvas .node').length === n, NODES);
// A loaded design is shown at a readable zoom, part of it in view; Fit shows all 200 nodes, the
// most the canvas ever has to draw.
await page.click('#zoom-fit');
if (process.env.EXTRA_CSS) await page.addStyleTag({ content: process.env.EXTRA_CSS });
await page.evaluate(() => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push(Math.round(e.duration));
  }).observe({ type: 'longtask' });
});
const cdp = await context.newCDPSession(page);
// CPU_SLOWDOWN=N: the page's main thread N times slower (Chromium's CPU throttling), as on a
// slower machine; the run's worker is not slowed.
if (process.env.CPU_SLOWDOWN) {
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: Number(process.env.CPU_SLOWDOWN) });
}
const events = [];
cdp.on('Tracing.dataCollected', (d) => events.push(...d.value));
const traced = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
await cdp.send('Tracing.start', {
  categories: 'devtools.timeline,disabled-by-default-devtools.timeline',
  transferMode: 'ReportEvents',
});
const profiling = process.env.PROFILE === '1';
if (profiling) {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
}
const started = Date.now();
// A mark in the trace: each task below is printed with its start relative to the click on Run.
await page.evaluate(() => {
  console.timeStamp('archsim-run-click');
  window.__runClick = performance.now();
});
await page.click('#run-button');
const answers = [];
if (process.env.CLICKS === '1') {
  // Zoom in and out every 150 ms while the run goes, as the end-to-end check does, timing each
  // from the click to the zoom level on screen changing (and the click's own call, which
  // renders synchronously).
  for (let i = 0; (await page.locator('#results.has-report:not(.is-live)').count()) === 0 && i < 60; i++) {
    answers.push(
      await page.evaluate(
        (i) =>
          new Promise((resolve) => {
            const level = document.querySelector('#zoom-level');
            const before = level.textContent;
            let returned = 0;
            const observer = new MutationObserver(() => {
              if (level.textContent !== before) {
                observer.disconnect();
                resolve(`${(performance.now() - started).toFixed(0)}/${returned.toFixed(0)}@${(started - window.__runClick).toFixed(0)}`);
              }
            });
            observer.observe(level, { childList: true, characterData: true, subtree: true });
            const started = performance.now();
            document.querySelector(i % 2 ? '#zoom-out' : '#zoom-in').click();
            returned = performance.now() - started;
          }),
        i,
      ),
    );
    await page.waitForTimeout(150);
  }
}
await page.locator('#results.has-report:not(.is-live)').waitFor({ timeout: 120_000 });
await page.waitForFunction(() => {
  const canvases = [...document.querySelectorAll('#results .results-charts canvas')];
  return canvases.length > 3 && canvases.every((c) => c.hasAttribute('data-paint-ms'));
});
await page.waitForTimeout(500);
const runMs = Date.now() - started;
const profile = profiling ? (await cdp.send('Profiler.stop')).profile : null;
await cdp.send('Tracing.end');
await traced;
console.log(`run to painted report: ${runMs} ms`);
console.log(`long tasks (observer, wall ms): ${JSON.stringify(await page.evaluate(() => window.__longTasks))}`);
if (answers.length) console.log(`clicks answered (ms / of which in the click's call @ ms after Run): ${answers.join(', ')}`);

const main = new Set(
  events
    .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
    .map((e) => `${e.pid}:${e.tid}`),
);
// Tasks listed one by one: over TASK_MS of wall time (30 unless told).
const listedAboveMs = Number(process.env.TASK_MS ?? 30);
const parts = ['FunctionCall', 'Layout', 'UpdateLayoutTree', 'Paint', 'PrePaint', 'Layerize', 'Commit'];
const tasks = events
  .filter((e) => e.name === 'RunTask' && e.ph === 'X' && main.has(`${e.pid}:${e.tid}`) && e.dur > listedAboveMs * 1000)
  .sort((a, b) => a.ts - b.ts);
const click = events.find((e) => e.name === 'TimeStamp' && e.args?.data?.message === 'archsim-run-click');
for (const task of tasks) {
  const cpu = (task.tdur ?? 0) / 1000;
  const inside = {};
  const called = new Set();
  for (const e of events) {
    if (e.name === 'FunctionCall' && e.pid === task.pid && e.tid === task.tid && e.ts >= task.ts && e.ts < task.ts + task.dur) {
      const fn = e.args?.data?.functionName;
      if (fn) called.add(fn);
    }
    if (e.ph !== 'X' || e.pid !== task.pid || e.tid !== task.tid || !parts.includes(e.name)) continue;
    if (e.ts < task.ts || e.ts + e.dur > task.ts + task.dur) continue;
    inside[e.name] = (inside[e.name] ?? 0) + (e.tdur ?? 0) / 1000;
  }
  const what = Object.entries(inside)
    .filter(([, ms]) => ms >= 1)
    .sort((a, b) => b[1] - a[1])
    .map(([name, ms]) => `${name} ${ms.toFixed(0)}`)
    .join(', ');
  const at = click ? `+${((task.ts - click.ts) / 1000).toFixed(0)} ms ` : '';
  const fns = called.size ? ` [${[...called].slice(0, 4).join(', ')}]` : '';
  console.log(`${at}task ${(task.dur / 1000).toFixed(0)} ms wall / ${cpu.toFixed(0)} ms CPU: ${what}${fns}`);
}
// All main-thread work from Run to the painted report, whatever the length of its task: what a
// change saves in total, less sensitive to the machine's load than any one task.
const totals = {};
const allTasks = events.filter((e) => e.name === 'RunTask' && e.ph === 'X' && main.has(`${e.pid}:${e.tid}`) && (!click || e.ts >= click.ts));
for (const e of events) {
  if (e.ph !== 'X' || !main.has(`${e.pid}:${e.tid}`) || !parts.includes(e.name) || (click && e.ts < click.ts)) continue;
  totals[e.name] = (totals[e.name] ?? 0) + (e.tdur ?? 0) / 1000;
}
const cpuAll = allTasks.reduce((sum, t) => sum + (t.tdur ?? 0) / 1000, 0);
const longest = allTasks.reduce((most, t) => ((t.tdur ?? 0) > (most?.tdur ?? -1) ? t : most), null);
if (longest) {
  console.log(
    `longest main-thread task from Run: ${((longest.tdur ?? 0) / 1000).toFixed(1)} ms of CPU ` +
      `(${(longest.dur / 1000).toFixed(0)} ms wall)`,
  );
}
console.log(
  `main thread from Run: ${allTasks.length} tasks, ${cpuAll.toFixed(0)} ms of CPU; ` +
    Object.entries(totals).sort((a, b) => b[1] - a[1]).map(([n, ms]) => `${n} ${ms.toFixed(0)}`).join(', '),
);
if (profile) {
  printProfile(profile);
  // What each of the longest tasks did (the profile's clock is the trace's). A task of layout
  // and paint alone ran no JavaScript or WebAssembly, and lists nothing here.
  for (const task of [...tasks].sort((a, b) => (b.tdur ?? 0) - (a.tdur ?? 0)).slice(0, 3)) {
    console.log(`inside the task at +${click ? ((task.ts - click.ts) / 1000).toFixed(0) : '?'} ms (${((task.tdur ?? 0) / 1000).toFixed(0)} ms CPU):`);
    printProfile(profile, [task.ts, task.ts + task.dur], 40);
  }
}
await app.close();
await server.close?.();
process.exit(0);

/** The functions the sampled profile spent most time in: self time, and total time (itself and
 *  what it called, each function counted once per sample however deep its recursion). */
function printProfile({ nodes, samples, timeDeltas, startTime }, window = null, lines = 25) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n) => n.callFrame.functionName || `(${n.callFrame.url.split('/').pop() || 'anonymous'})`;
  const self = new Map();
  const total = new Map();
  let at = startTime;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i];
    if (window && (at < window[0] || at > window[1])) continue;
    const ms = (timeDeltas[i + 1] ?? 0) / 1000;
    let node = byId.get(samples[i]);
    self.set(name(node), (self.get(name(node)) ?? 0) + ms);
    const seen = new Set();
    for (; node; node = byId.get(parent.get(node.id))) {
      const fn = name(node);
      if (seen.has(fn)) continue;
      seen.add(fn);
      total.set(fn, (total.get(fn) ?? 0) + ms);
    }
  }
  if (!window && process.env.CALLERS) {
    // Who called the functions named like CALLERS: the nearest of archsim's or plotters' own
    // functions, or (when the call was inlined into a closure) the first few callers.
    const callers = new Map();
    for (let i = 0; i < samples.length; i++) {
      let node = byId.get(samples[i]);
      if (!name(node).includes(process.env.CALLERS)) continue;
      const ms = (timeDeltas[i + 1] ?? 0) / 1000;
      const chain = [];
      for (; node && chain.length < 40; node = byId.get(parent.get(node.id))) chain.push(name(node));
      const who = chain.find((fn) => /^<?(archsim|plotters)/.test(fn)) ?? chain.slice(1, 5).map((f) => f.slice(0, 60)).join(' < ');
      callers.set(who, (callers.get(who) ?? 0) + ms);
    }
    console.log(`callers of ${process.env.CALLERS}:`);
    for (const [fn, ms] of [...callers].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${ms.toFixed(1).padStart(8)}  ${fn.slice(0, 140)}`);
  }
  const top = (map, n) => [...map].filter(([fn]) => !['(idle)', '(root)', '(program)'].includes(fn)).sort((a, b) => b[1] - a[1]).slice(0, n);
  if (!window) console.log('profile, self ms:');
  for (const [fn, ms] of top(self, window ? 0 : lines)) console.log(`  ${ms.toFixed(1).padStart(8)}  ${fn.slice(0, 140)}`);
  if (!window) console.log('profile, total ms:');
  for (const [fn, ms] of top(total, window ? lines : 40)) console.log(`  ${ms.toFixed(1).padStart(8)}  ${fn.slice(0, 140)}`);
}
