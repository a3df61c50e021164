/**
 * A defect inside the running service — a promise rejected with no handler, or a throw nobody
 * caught — must not leave a half-working process behind. An unhandled rejection drains (the last
 * chunk committed, the snapshot written: "stopped") and exits 1; an uncaught exception exits 1 at
 * once, written first as a JSON `fatal` line. The service runs as a real process on the embedded
 * default (`node --import tsx src/main.ts`); a preloaded module turns SIGUSR2 into the defect, so
 * it happens inside the running service, after it is healthy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { startSourceService } from '../helpers/spawned-service.ts';

/** Preloaded into the service: SIGUSR2 rejects a promise nobody awaits, or throws from a timer. */
const DEFECT = `data:text/javascript,process.on('SIGUSR2', () => {
  if (process.env.TC_TEST_DEFECT === 'throw') setTimeout(() => { throw new Error('injected uncaught throw'); }, 0);
  else Promise.reject(new Error('injected unhandled rejection'));
});`;

async function runWithDefect(t: { after: (fn: () => void) => void }, kind: 'reject' | 'throw') {
  const { child, log, exited } = await startSourceService(t, { preload: [DEFECT], env: { TC_TEST_DEFECT: kind } });
  child.kill('SIGUSR2');
  const timeout = new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`still running 30 s after the defect; log:\n${log.text.slice(-3000)}`)), 30_000).unref());
  const ended = await Promise.race([exited, timeout]);
  return { ...ended, log: log.text };
}

test('an unhandled rejection drains the service and exits 1', { timeout: 180_000 }, async (t) => {
  const { code, signal, log } = await runWithDefect(t, 'reject');
  assert.equal(signal, null);
  assert.equal(code, 1, `exit 1 after a defect; log:\n${log.slice(-3000)}`);
  assert.match(log, /"msg":"unhandled rejection \(a defect\): draining, then exiting 1"/);
  assert.match(log, /injected unhandled rejection/);
  assert.match(log, /"msg":"shutting down"/);
  assert.match(log, /"msg":"stopped"/, 'drained like a SIGTERM');
});

test('an uncaught exception exits 1 at once, logged as a JSON fatal line first', { timeout: 180_000 }, async (t) => {
  const { code, log } = await runWithDefect(t, 'throw');
  assert.equal(code, 1, `exit 1; log:\n${log.slice(-3000)}`);
  const fatal = log.split('\n').find((l) => l.includes('"msg":"uncaught exception: exiting 1"'));
  assert.ok(fatal, `a JSON fatal line; log:\n${log.slice(-3000)}`);
  const rec = JSON.parse(fatal);
  assert.equal(rec.level, 60, 'pino level fatal');
  assert.match(rec.err.message, /injected uncaught throw/);
  assert.doesNotMatch(log, /"msg":"stopped"/, 'no drain: the state is suspect');
});
