/**
 * Ctrl-C on `npm start` in a terminal delivers SIGINT to the service twice, ~10 ms apart (once to
 * the terminal's foreground process group, once more forwarded by npm). That must drain like one
 * signal — exit 0, "stopped" — and only a second signal a person sends later (≥ 1 s) forces the
 * exit. The service runs as a real process (`node --import tsx src/main.ts`) on the embedded
 * default, as `npm start` runs it. The gaps between signals count from when the service took the
 * first one (its "shutting down" line), not from when it was sent: a service whose event loop
 * stalls as the signal arrives (stallOnFirst, 1.2 s) takes it that much later.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { holdDrain, signalTaken, stallOnFirst, startSourceService as startService, waitForLog } from '../helpers/spawned-service.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('two SIGINTs 10 ms apart (one Ctrl-C on npm start) drain the service once: exit 0, stopped', { timeout: 180_000 }, async (t) => {
  const { child, port, log, exited } = await startService(t);
  const held = await holdDrain(t, port);
  child.kill('SIGINT');
  // The second as soon as the first is taken (~10 ms apart on an idle machine): sent while the first
  // is still pending, the kernel merges the two (a loaded machine: one signal, no repeated-signal line).
  await signalTaken(child.pid!, 'SIGINT');
  child.kill('SIGINT');
  await waitForLog(log, /repeated signal within 1000 ms|second signal: exiting now/);
  assert.equal(child.exitCode, null, `the second signal did not force an exit; log:\n${log.text.slice(-3000)}`);
  held.destroy(); // the drain completes
  const { code, signal } = await exited;
  assert.equal(signal, null);
  assert.equal(code, 0, `a clean drain exits 0; log:\n${log.text.slice(-3000)}`);
  assert.match(log.text, /"msg":"shutting down"/);
  assert.match(log.text, /repeated signal within 1000 ms/);
  assert.match(log.text, /"msg":"stopped"/);
  assert.doesNotMatch(log.text, /second signal: exiting now/);
});

test('a second SIGINT 1.5 s after the service took the first forces the exit while the drain still waits', { timeout: 180_000 }, async (t) => {
  const { child, port, log, exited } = await startService(t, { preload: [stallOnFirst('SIGINT', 1_200)] });
  await holdDrain(t, port);
  child.kill('SIGINT');
  await waitForLog(log, /"msg":"shutting down"/); // taken (1.2 s late: the stall)
  await sleep(1_500);
  assert.equal(child.exitCode, null, `still draining 1.5 s after the first signal; log:\n${log.text.slice(-3000)}`);
  child.kill('SIGINT');
  const { code } = await exited;
  assert.equal(code, 1, `a forced exit is 1; log:\n${log.text.slice(-3000)}`);
  assert.match(log.text, /second signal: exiting now/);
  assert.doesNotMatch(log.text, /"msg":"stopped"/);
});
