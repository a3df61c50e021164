/**
 * A clean drain exits 0 promptly even when the OTLP collector does not answer: the spans still
 * queued get a bounded flush after the drain, not the rest of shutdown.graceMs — before, the
 * export waited until the graceMs timer killed the process with exit 1 and "drain did not finish
 * … work possibly redelivered", a false alarm for a drain that had finished. The real process, with
 * a collector that accepts connections and never replies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { startSourceService } from '../helpers/spawned-service.ts';

test('SIGTERM with a silent OTLP collector: exit 0 within the bounded span flush, no false drain alarm', { timeout: 180_000 }, async (t) => {
  const held: Socket[] = [];
  const collector = createServer((s) => void held.push(s));
  await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()));
  const { port } = collector.address() as { port: number };
  t.after(() => {
    for (const s of held) s.destroy();
    collector.close();
  });
  const { child, log, exited } = await startSourceService(t, {
    env: { TICKCAST_TELEMETRY_OTLP_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`, TICKCAST_SHUTDOWN_GRACE_MS: '20000' },
  });
  // Spans of the embedded feed are batched (5 s by default) and sent to the collector, which holds them.
  const until = Date.now() + 60_000;
  while (held.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
  assert.ok(held.length > 0, 'the service exported to the collector');
  const t0 = Date.now();
  child.kill('SIGTERM');
  const r = await exited;
  const ms = Date.now() - t0;
  assert.deepEqual(r, { code: 0, signal: null }, `a finished drain exits 0; log:\n${log.text.slice(-3000)}`);
  assert.ok(ms < 8_000, `exited ${ms} ms after SIGTERM (span flush bounded at 3 s), not at graceMs (20 s)`);
  assert.match(log.text, /"msg":"stopped"/);
  assert.match(log.text, /spans not exported at shutdown/);
  assert.doesNotMatch(log.text, /drain did not finish/);
});
