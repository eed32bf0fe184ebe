// Guards the harness itself: if it stopped noticing console errors or uncaught exceptions, every
// end-to-end test's "no problems" check would pass silently.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openApp } from './harness.mjs';

let app;
before(async () => {
  app = await openApp();
});
after(async () => {
  await app?.close();
});

test('a console error is reported as a problem', async () => {
  app.clearProblems();
  await app.page.evaluate(() => console.error('harness self-test: deliberate error'));
  await app.page.waitForTimeout(50);
  assert.ok(
    app.problems().some((line) => line.includes('deliberate error')),
    `problems: ${JSON.stringify(app.problems())}`,
  );
  assert.throws(() => app.assertNoProblems(), /deliberate error/);
});

test('an uncaught exception and a Rust-style panic message are reported', async () => {
  app.clearProblems();
  await app.page.evaluate(() => {
    console.log("panicked at src/lib.rs:1:1: harness self-test panic");
    setTimeout(() => {
      throw new Error('harness self-test: uncaught');
    }, 0);
  });
  await app.page.waitForTimeout(100);
  const problems = app.problems().join('\n');
  assert.match(problems, /harness self-test panic/);
  assert.match(problems, /uncaught page error: harness self-test: uncaught/);
});

test('a same-origin 404 is reported', async () => {
  app.clearProblems();
  await app.page.evaluate(() => fetch('/definitely-missing-asset.js').catch(() => {}));
  await app.page.waitForTimeout(100);
  assert.match(app.problems().join('\n'), /HTTP 404 .*definitely-missing-asset\.js/);
  app.clearProblems();
});
