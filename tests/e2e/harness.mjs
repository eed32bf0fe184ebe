// Shared harness for archsim's end-to-end tests: the built app (trunk's dist/) in a real, headless
// Chromium driven by Playwright.
//
// HOW TO WRITE A TEST (tests/e2e/<name>.test.mjs; scripts/test.sh runs every *.test.mjs here):
//
//   import { test, before, after } from 'node:test';
//   import assert from 'node:assert/strict';
//   import { openApp } from './harness.mjs';
//
//   let app;
//   before(async () => { app = await openApp(); });   // browser + page, app mounted (#app)
//   after(async () => { await app?.close(); });
//
//   test('adding a node shows it on the canvas', async () => {
//     const { page } = app;                             // a Playwright Page
//     await page.click('#palette [data-kind="service"]');
//     await page.locator('#canvas .node').first().waitFor();
//     await app.screenshot('editor-add-node');          // -> target/e2e/editor-add-node.png
//     app.assertNoProblems();                           // no console error, panic, failed load
//   });
//
// `openApp(options)`:
//   path       URL path to open, default '/'. Query strings and #fragments are fine.
//   viewport   { width, height }, default 1280 x 800.
//   waitFor    selector that means "the app is up", default '#app'.
// Each openApp gets a fresh browser profile, so localStorage starts empty; within one app,
// app.goto(path) and page.reload() keep storage (so tests can check that work survives a reload).
// It returns { page, browser, context, url, problems(), assertNoProblems(), clearProblems(),
//              goto(path), screenshot(name), axe(), assertAccessible(what), close() }.
//
// Accessibility: `app.axe()` injects axe-core (node_modules/axe-core, pinned in package.json and
// scripts/versions.env; nothing is fetched at test time) and returns its violations of impact
// serious or critical on the page as it is; `app.assertAccessible('the empty page')` fails the
// test listing each of them (rule, impact, the elements and axe's summary of what is wrong).
//
// Where the app comes from: ARCHSIM_BASE_URL (scripts/test.sh builds with `trunk build --release`
// and serves dist/ itself), or, when that is unset, an in-process static server over dist/ so that
// `node --test tests/e2e/` works after any `trunk build`. The browser is Debian's Chromium
// (CHROMIUM_BIN, default /usr/bin/chromium): Playwright never downloads a browser here.
//
// "Problems" are what a person would call the app misbehaving: console errors (Rust panics arrive
// as console errors via console_error_panic_hook, and also contain "panicked at"), uncaught page
// errors, requests that failed, and same-origin responses with status >= 400.

import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startStaticServer } from '../../scripts/static-server.mjs';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'target', 'e2e');
/** axe-core's browser bundle, installed by npm ci (scripts/install-tools.sh). */
const AXE_SCRIPT = join(REPO_ROOT, 'node_modules', 'axe-core', 'axe.min.js');

/** Chromium flags: no sandbox (we run as root in containers), no GPU, no network chatter. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Opens the app in a fresh headless Chromium; see the top of this file. */
export async function openApp({
  path = '/',
  viewport = { width: 1280, height: 800 },
  waitFor = '#app',
  timeoutMs = 20_000,
} = {}) {
  const server = process.env.ARCHSIM_BASE_URL
    ? null
    : await startStaticServer(join(REPO_ROOT, 'dist'), 0);
  const baseUrl = process.env.ARCHSIM_BASE_URL ?? server.url;

  // A fresh profile per app: no state leaks between tests or from a person's own browsing.
  const profileDir = await mkdtemp(join(tmpdir(), 'archsim-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    timeout: timeoutMs,
  });
  context.setDefaultTimeout(timeoutMs);
  const page = context.pages()[0] ?? (await context.newPage());

  const problems = [];
  const origin = new URL(baseUrl).origin;
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' || /panicked at/.test(text)) {
      const where = message.location()?.url;
      problems.push(`console.${message.type()}: ${text}${where ? ` (at ${where})` : ''}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? 'unknown'})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && response.url().startsWith(origin)) {
      problems.push(`HTTP ${response.status()} for ${response.url()}`);
    }
  });

  async function goto(targetPath) {
    const url = new URL(targetPath, baseUrl).toString();
    await page.goto(url, { waitUntil: 'load' });
    await page.locator(waitFor).first().waitFor({ state: 'attached' });
  }

  const app = {
    page,
    context,
    browser: context.browser(),
    url: baseUrl,
    /** Everything that went wrong so far, as readable lines. */
    problems: () => [...problems],
    clearProblems: () => {
      problems.length = 0;
    },
    /** Fails the test, listing each problem, if the app logged an error or a panic. */
    assertNoProblems(what = 'the app') {
      assert.deepEqual(problems, [], `${what} reported problems:\n  ${problems.join('\n  ')}`);
    },
    goto,
    /** Full-page PNG at target/e2e/<name>.png; returns its path. */
    async screenshot(name) {
      await mkdir(SCREENSHOT_DIR, { recursive: true });
      const file = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    /** axe-core's serious and critical violations on the page as it is now. */
    async axe() {
      const loaded = await page.evaluate(() => typeof window.axe !== 'undefined');
      if (!loaded) await page.addScriptTag({ path: AXE_SCRIPT });
      return page.evaluate(async () => {
        const result = await window.axe.run(document, { resultTypes: ['violations'] });
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            nodes: v.nodes.slice(0, 8).map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(1, 2).join(' ').trim()}`),
            count: v.nodes.length,
          }));
      });
    },
    /** Fails the test when axe-core finds a serious or critical violation, listing them. */
    async assertAccessible(what = 'the page') {
      const violations = await app.axe();
      const lines = violations.map(
        (v) => `${v.id} (${v.impact}, ${v.count}×): ${v.help}\n      ${v.nodes.join('\n      ')}`,
      );
      assert.deepEqual(lines, [], `axe-core on ${what}:\n  ${lines.join('\n  ')}`);
    },
    async close() {
      await context.close().catch(() => {});
      await server?.close();
      await rm(profileDir, { recursive: true, force: true });
    },
  };

  try {
    await goto(path);
  } catch (error) {
    const seen = problems.length ? `\nproblems so far:\n  ${problems.join('\n  ')}` : '';
    await app.screenshot('open-app-failure').catch(() => {});
    await app.close();
    throw new Error(`openApp: ${error.message}${seen}`);
  }
  return app;
}
