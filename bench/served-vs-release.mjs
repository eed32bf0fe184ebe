// How much slower a run is in the app `scripts/serve.sh` serves than in the release bundle
// (issue 8 asks for within 1.5×). For each template, the time from the click on Run until the
// report is on screen, in both bundles, the runs interleaved (served then release, release then
// served, ...) so that a change in the machine's load falls on both alike.
//
//   BUILD=1 node bench/served-vs-release.mjs      build both bundles first
//   node bench/served-vs-release.mjs              reuse the bundles built before
//
// Environment:
//   BUILD=1          build the served bundle as serve.sh does (`trunk build --cargo-profile
//                    serve`, the dev build of Cargo.toml's `serve` profile) into
//                    target/bench-dist/dev, and the release bundle (`trunk build --release=true`)
//                    into target/bench-dist/release, with the pinned tools of scripts/lib.sh. The
//                    first build of the serve profile takes about as long as a release build;
//                    later ones rebuild what changed.
//   DEV_DIST, RELEASE_DIST   bundles to compare instead (directories with index.html)
//   TEMPLATES=a,b    templates to run (default three-tier,microservices-gateway,cache-aside)
//   RUNS=5           timed runs per template and bundle, after one untimed warm-up run of each
//                    (which also starts the run worker)
//
// Each bundle gets its own headless Chromium page (the e2e harness), kept open throughout. A run
// is timed inside the page, from the click on Run: "worker", until the worker's report message
// reaches the page (the run and the writing of its report); "report", until the results show the
// finished report (not live, not stale); "charts", until every chart of the report has painted
// (they paint in a task after the report's frame). Prints every sample, the medians, and
// served/release per template, and the load average before and after: the machine may be shared,
// so run it at a quiet moment and read the medians. docs/performance.md ("Where people meet it")
// has the figures.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openApp, REPO_ROOT } from '../tests/e2e/harness.mjs';
import { loadTemplate } from '../tests/e2e/editor-helpers.mjs';
import { startStaticServer } from '../scripts/static-server.mjs';

const BUNDLES = [
  { name: 'served', dir: process.env.DEV_DIST ?? join(REPO_ROOT, 'target', 'bench-dist', 'dev'), release: false },
  { name: 'release', dir: process.env.RELEASE_DIST ?? join(REPO_ROOT, 'target', 'bench-dist', 'release'), release: true },
];
const TEMPLATES = (process.env.TEMPLATES ?? 'three-tier,microservices-gateway,cache-aside').split(',');
const RUNS = Number(process.env.RUNS ?? 5);
const BUDGET = 1.5;

if (process.env.BUILD === '1') {
  for (const bundle of BUNDLES) {
    // As scripts/serve.sh builds it: the `serve` profile (Cargo.toml).
    const flags = bundle.release ? '--release=true' : '--cargo-profile serve';
    const started = Date.now();
    const built = spawnSync(
      'bash',
      ['-c', `source scripts/lib.sh && trunk --skip-version-check --offline=true build ${flags} --dist "$1"`, 'build', bundle.dir],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (built.status !== 0) throw new Error(`trunk build ${flags} into ${bundle.dir} failed`);
    console.log(`built ${bundle.name} into ${bundle.dir} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}
for (const bundle of BUNDLES) {
  if (!existsSync(join(bundle.dir, 'index.html'))) {
    throw new Error(`${bundle.dir} has no index.html: run with BUILD=1 (or set DEV_DIST/RELEASE_DIST)`);
  }
}

const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`load average before: ${load()}`);

// One server and one page per bundle; the harness serves ARCHSIM_BASE_URL when it is set.
for (const bundle of BUNDLES) {
  bundle.server = await startStaticServer(bundle.dir, 0);
  process.env.ARCHSIM_BASE_URL = bundle.server.url;
  bundle.app = await openApp({ viewport: { width: 1400, height: 1000 } });
  // Notes when the worker's report message reaches the page, to split a run's time into the
  // worker's part (simulating, writing the report) and the page's (reading it, showing it).
  await bundle.app.context.addInitScript(() => {
    const PageWorker = window.Worker;
    window.Worker = class extends PageWorker {
      constructor(...args) {
        super(...args);
        this.addEventListener('message', (event) => {
          if (typeof event.data === 'string' && /^[^\n]*"type":"finished"/.test(event.data)) {
            window.__reportArrivedAt = performance.now();
          }
        });
      }
    };
  });
  await bundle.app.goto('/');
  bundle.samples = Object.fromEntries(TEMPLATES.map((t) => [t, { worker: [], report: [], charts: [] }]));
}

/** Loads `template` and times one run of it in `bundle`'s page; { worker, report, charts } in ms. */
async function timeRun(bundle, template) {
  const { page } = bundle.app;
  await loadTemplate(page, template);
  const timing = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const results = () => document.querySelector('#results');
        const running = () => document.querySelector('#run-status')?.classList.contains('is-running');
        const finished = () => {
          const r = results();
          return r?.classList.contains('has-report') && !r.classList.contains('is-live') && !r.classList.contains('is-stale') && !running();
        };
        const charts = () => [...document.querySelectorAll('#results .results-charts canvas')];
        // A run of the same design as the report on screen leaves the old report not stale:
        // the report counts only once the run was seen running.
        let sawRunning = false;
        let reportAt = null;
        window.__reportArrivedAt = null;
        const started = performance.now();
        const timeout = setTimeout(() => reject(new Error('no report within 120 s')), 120_000);
        const check = () => {
          if (running()) sawRunning = true;
          if (reportAt === null && sawRunning && finished()) {
            reportAt = performance.now();
            // Live updates painted these canvases before: their paint marks are the report's
            // only once set again from here on.
            for (const c of charts()) c.removeAttribute('data-paint-ms');
          }
          if (reportAt !== null) {
            const all = charts();
            if (all.length > 0 && all.every((c) => c.hasAttribute('data-paint-ms'))) {
              observer.disconnect();
              clearTimeout(timeout);
              resolve({
                worker: (window.__reportArrivedAt ?? NaN) - started,
                report: reportAt - started,
                charts: performance.now() - started,
              });
            }
          }
        };
        // Mutations are delivered right after each change, so neither the short running state
        // nor the moment the report lands can slip between two polls.
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true });
        document.querySelector('#run-button').click();
        check();
      }),
  );
  const problems = bundle.app.problems();
  if (problems.length) throw new Error(`${bundle.name} ${template}: ${problems.join('\n')}`);
  return timing;
}

for (const bundle of BUNDLES) {
  for (const template of TEMPLATES) await timeRun(bundle, template);
}
for (let round = 0; round < RUNS; round += 1) {
  for (const template of TEMPLATES) {
    const order = (round + TEMPLATES.indexOf(template)) % 2 === 0 ? BUNDLES : [...BUNDLES].reverse();
    for (const bundle of order) {
      const t = await timeRun(bundle, template);
      for (const what of ['worker', 'report', 'charts']) bundle.samples[template][what].push(t[what]);
    }
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${Math.round(x)}`;
const [served, release] = BUNDLES;
let worst = 0;
for (const template of TEMPLATES) {
  console.log(`\n${template}`);
  for (const what of ['worker', 'report', 'charts']) {
    const a = served.samples[template][what];
    const b = release.samples[template][what];
    const ratio = median(a) / median(b);
    if (what !== 'worker') worst = Math.max(worst, ratio);
    console.log(
      `  to ${what.padEnd(6)} served ${ms(median(a)).padStart(5)} ms (${a.map(ms).join(', ')})` +
        `   release ${ms(median(b)).padStart(5)} ms (${b.map(ms).join(', ')})   served/release ${ratio.toFixed(2)}`,
    );
  }
}
console.log(`\nload average after: ${load()}`);
console.log(`worst served/release: ${worst.toFixed(2)} (asked: within ${BUDGET})`);

for (const bundle of BUNDLES) {
  await bundle.app.close();
  await bundle.server.close();
}
process.exit(0);
