/**
 * A stop with the brokers down and NOTHING in flight (docs/reliability.md, "Shutdown with the
 * brokers unreachable"): with the coordinator unreachable the consumer's own leave takes the client
 * ~3.7 s, and until 6 Dec 2026 the drain counted it in shutdown.flushMs with the chunks in flight —
 * with flushMs under that, a stop that lost nothing logged the give-up warning with `partitions: []`
 * and reported itself incomplete (main.ts exits 1). Now only chunks still in flight are given up;
 * the leave past the bound is logged and the stop goes on. Real broker (the local mock, taken down), real app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, type App } from '../../src/app.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { testConfig } from '../helpers/app.ts';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';
import { pollUntil } from '../helpers/poll.ts';

const FLUSH_MS = 500;

test('brokers down, nothing in flight: the stop gives nothing up and is complete (exit 0), although the consumer\'s leave outlasts shutdown.flushMs', { timeout: 120_000 }, async (t) => {
  const prefix = uniqueName('stopidle');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const producer = await connectProducer(testKafka(broker.brokers));
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-stopidle-it-'));
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', name: 't', destination: new Writable({ write: (c, _e, cb) => (lines.push(String(c)), cb()) }) });
  let app: App | null = null;
  try {
    const config = testConfig({
      logLevel: 'info',
      kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, fetchMaxWaitMs: 100, lagIntervalMs: 200 },
      topics,
      model: { dir: path.join(dir, 'model') },
      snapshots: { enabled: true, intervalMs: 0 },
      shutdown: { graceMs: 30_000, flushMs: FLUSH_MS },
    });
    app = await buildApp(config, { logger });
    await app.start();
    const ticks = tickStream(2, 20);
    await produce(producer, topics.ticks, ticks);
    // Every tick handled and committed (lag = high watermark − committed offset): nothing is in flight from here on.
    assert.ok(await pollUntil(async () => (await accepted(app!)) === ticks.length && (await lags(app!)).join() === '0,0', 60_000), 'the ticks are handled and committed');

    broker.down();
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const outcome = await app.stop();
    const ms = Date.now() - t0;
    t.diagnostic(`stop with the brokers down, nothing in flight, flushMs ${FLUSH_MS}: ${ms} ms, complete ${outcome.complete}`);
    const gaveUp = lines.filter((l) => l.includes('not acknowledged within shutdown.flushMs'));
    assert.deepEqual(gaveUp, [], 'nothing was in flight: no give-up warning (before: one, with "partitions":[])');
    assert.equal(outcome.complete, true, 'a stop that lost nothing is complete: main.ts exits 0 (before: false, exit 1)');
    assert.ok(ms < 15_000, `stop took ${ms} ms`);
  } finally {
    await Promise.race([app?.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Ticks accepted by the pipeline so far (tickcast_ticks_total{result="accepted"}). */
async function accepted(app: App): Promise<number> {
  const text = await app.metrics.registry.getSingleMetricAsString('tickcast_ticks_total');
  const line = text.split('\n').find((l) => l.startsWith('tickcast_ticks_total{') && l.includes('result="accepted"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** tickcast_consumer_lag of each input partition, by partition. */
async function lags(app: App): Promise<number[]> {
  const text = await app.metrics.registry.getSingleMetricAsString('tickcast_consumer_lag');
  return [...text.matchAll(/^tickcast_consumer_lag\{[^}]*partition="(\d+)"\} (\S+)/gm)].sort((a, b) => Number(a[1]) - Number(b[1])).map((m) => Number(m[2]));
}
