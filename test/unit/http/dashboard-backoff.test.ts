/**
 * The dashboard's one retry schedule (static/dashboard-backoff.js), shared by the live stream's
 * reconnect, the series list and the alerting panels: run in a VM context the way the page runs
 * it (a classic script that sets window.tickcastBackoff), and the page loads it before its users.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { build } from './support/build.ts';

const STATIC = new URL('../../../src/adapters/http/dashboard/static/', import.meta.url);

interface Backoff { delay(firstMs: number, failures: number, maxMs: number, atLeastMs?: number): number; jitter(ms: number): number }
function load(): Backoff {
  const window: { tickcastBackoff?: Backoff } = {};
  runInNewContext(readFileSync(new URL('dashboard-backoff.js', STATIC), 'utf8'), { window, Math });
  return window.tickcastBackoff!;
}

test('the schedules the docs state: stream 2, 4, 8 … 30 s; series list 30 s … 2 min; panels 10 s … 2 min', () => {
  const b = load();
  const run = (first: number, max: number) => [1, 2, 3, 4, 5, 6].map((f) => b.delay(first, f, max));
  assert.deepEqual(run(2000, 30000), [2000, 4000, 8000, 16000, 30000, 30000]);
  assert.deepEqual(run(2 * 15000, 120000), [30000, 60000, 120000, 120000, 120000, 120000]);
  assert.deepEqual(run(2 * 5000, 120000), [10000, 20000, 40000, 80000, 120000, 120000]);
  assert.equal(b.delay(10000, 1, 120000, 300_000), 300_000, "a longer Retry-After wins, even past the cap");
  assert.equal(b.delay(10000, 1, 120000, 1000), 10000, 'a shorter one does not shorten the wait');
  assert.equal(b.delay(2000, 1, 30000, undefined), 2000);
});

test('jitter adds up to a quarter, never less than the wait', () => {
  const b = load();
  for (let i = 0; i < 200; i++) {
    const j = b.jitter(8000);
    assert.ok(j >= 8000 && j <= 10000, String(j));
  }
});

test('the page serves the helper and loads it before the three scripts that use it', async () => {
  const { app } = await build();
  try {
    const page = (await app.inject({ url: '/' })).body;
    // Named in order in the inline script, which adds them once the body is parsed (dashboard.ts).
    const scripts = [...page.matchAll(/"static\/([\w.-]+\.js)\?v=[0-9a-f]{16}"/g)].map((m) => m[1]);
    const at = scripts.indexOf('dashboard-backoff.js');
    assert.ok(at >= 0, `the page loads dashboard-backoff.js: ${scripts.join(' ')}`);
    for (const user of ['dashboard.js', 'dashboard-series.js', 'dashboard-alerts.js']) {
      assert.ok(scripts.indexOf(user) > at, `${user} after dashboard-backoff.js: ${scripts.join(' ')}`);
      assert.match(readFileSync(new URL(user, STATIC), 'utf8'), /tickcastBackoff/, `${user} uses the shared schedule`);
    }
    const served = await app.inject({ url: '/static/dashboard-backoff.js' });
    assert.equal(served.statusCode, 200);
    assert.match(String(served.headers['content-type']), /^text\/javascript/);
  } finally {
    await app.close();
  }
});
