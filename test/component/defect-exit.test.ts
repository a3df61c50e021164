/**
 * A defect inside the running service — a promise rejected with no handler, or a throw nobody
 * caught — must not leave a half-working process behind. An unhandled rejection drains (the last
 * chunk committed, the snapshot written: "stopped") and exits 1; an uncaught exception exits 1 at
 * once, written first as a JSON `fatal` line. The service runs as a real process on the embedded
 * default (`node --import tsx src/main.ts`); a preloaded module turns SIGUSR2 into the defect, so
 * it happens inside the running service, after it is healthy. Each step waits for the service's
 * own log line (the drain begun, the signal taken), not a fixed delay: a service whose event loop
 * stalls as a signal arrives (stallOnFirst, 1.2 s on the first SIGTERM) takes it that much later.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { holdDrain, stallOnFirst, startSourceService, waitForLog } from '../helpers/spawned-service.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

test('a SIGTERM during the drain a defect started lets the drain finish, still exit 1', { timeout: 180_000 }, async (t) => {
  // Kubernetes sends its SIGTERM whenever it stops the pod, also while a defect's drain is under way:
  // that is the first signal, not the operator's second, and must not skip the commit and snapshot.
  const { child, port, log, exited } = await startSourceService(t, { preload: [DEFECT, stallOnFirst('SIGTERM', 1_200)], env: { TC_TEST_DEFECT: 'reject' } });
  const held = await holdDrain(t, port);
  child.kill('SIGUSR2');
  await waitForLog(log, /"msg":"shutting down"/); // the defect started the drain
  await sleep(1_500);
  child.kill('SIGTERM');
  await waitForLog(log, /signal during the drain a defect started|second signal: exiting now/);
  assert.equal(child.exitCode, null, `a first SIGTERM 1.5 s into a defect's drain did not force an exit; log:\n${log.text.slice(-3000)}`);
  assert.match(log.text, /signal during the drain a defect started: the drain goes on/);
  held.destroy(); // the drain completes
  const { code, signal } = await exited;
  assert.equal(signal, null);
  assert.equal(code, 1, `still exit 1 (a defect); log:\n${log.text.slice(-3000)}`);
  assert.match(log.text, /"msg":"stopped"/, 'the drain finished');
  assert.doesNotMatch(log.text, /second signal: exiting now/);
});

test('after a defect, a second SIGTERM 1.5 s after the service took the first forces the exit while the drain still waits', { timeout: 180_000 }, async (t) => {
  const { child, port, log, exited } = await startSourceService(t, { preload: [DEFECT, stallOnFirst('SIGTERM', 1_200)], env: { TC_TEST_DEFECT: 'reject' } });
  await holdDrain(t, port);
  child.kill('SIGUSR2');
  await waitForLog(log, /"msg":"shutting down"/);
  child.kill('SIGTERM');
  await waitForLog(log, /signal during the drain a defect started/); // taken (1.2 s late: the stall)
  await sleep(1_500);
  assert.equal(child.exitCode, null, `still draining; log:\n${log.text.slice(-3000)}`);
  child.kill('SIGTERM');
  const { code } = await exited;
  assert.equal(code, 1, `a forced exit is 1; log:\n${log.text.slice(-3000)}`);
  assert.match(log.text, /second signal: exiting now/);
  assert.doesNotMatch(log.text, /"msg":"stopped"/);
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
