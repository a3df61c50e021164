/**
 * Kafka brokers nobody answers on (a wrong KAFKA_BROKERS, a cluster still starting): the service
 * serves HTTP meanwhile — alive, not ready — says what it is waiting for, and a stop (SIGTERM)
 * ends the wait cleanly instead of hanging or failing the start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { buildApp } from '../../src/app.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { testConfig } from '../helpers/app.ts';

test('unreachable brokers: /healthz 200 and /readyz 503 while waiting, the wait is logged, stop() ends it', async () => {
  // Port 9 (discard) on loopback: refused at once, and librdkafka keeps retrying.
  const config = testConfig({ logLevel: 'info', kafka: { brokers: ['127.0.0.1:9'], groupId: 'unreachable' } });
  const lines: string[] = [];
  const sink = new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) });
  const app = await buildApp(config, { logger: createLogger({ level: 'info', name: 't', destination: sink }) });
  let settled: 'resolved' | Error | null = null;
  const starting = app.start().then(() => (settled = 'resolved'), (err: Error) => (settled = err));
  try {
    for (let i = 0; i < 100 && app.address() === null; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(app.address(), 'HTTP listens while the brokers are awaited');
    const health = await fetch(`${app.address()}/healthz`);
    assert.equal(health.status, 200, 'alive: no restart loop for a cluster that is still coming up');
    const ready = await fetch(`${app.address()}/readyz`);
    assert.equal(ready.status, 503, 'not ready: no traffic routed to it');
    await health.body?.cancel();
    await ready.body?.cancel();
    assert.equal(settled, null, 'still waiting');
    assert.ok(lines.some((l) => /connecting to Kafka/.test(l) && l.includes('127.0.0.1:9')), 'the log names the brokers it waits for');
    // What TickcastKafkaUnreachable reads (max_over_time(tickcast_kafka_up[5m]) == 0): no broker has answered.
    assert.match(await (await fetch(`${app.address()}/metrics`)).text(), /^tickcast_kafka_up 0$/m);
  } finally {
    // 15 s: half the client's own 30 s give-up, so the two outcomes stay apart on a loaded CI machine
    // (a stop took 5,006 ms at load 13 against the former 5 s bound).
    const t0 = Date.now();
    await app.stop();
    await starting;
    assert.ok(Date.now() - t0 < 15_000, `stop ended the wait in ${Date.now() - t0} ms (the client's own connect gives up after 30 s)`);
  }
  assert.equal(settled, 'resolved', `start() ends quietly when stopped, not with an error: ${String(settled)}`);
});
