/**
 * A stop while the brokers are down and a chunk's outputs wait to be sent (docs/reliability.md,
 * "Shutdown with the brokers unreachable"): the drain gives the outputs shutdown.flushMs, then gives
 * that chunk up (its offsets stay uncommitted: it is processed again after the restart), writes the
 * shutdown snapshot of the partitions whose state matches their offsets — never the one whose chunk
 * was given up — and stops, instead of waiting until shutdown.graceMs ends the process with exit 1
 * and no snapshot. Real broker (the local mock, taken down), real app, real sink.
 *
 * Input: two partitions, series s0/s1 on partition 0 and s2/s3 on partition 1 (explicit
 * partitions). The first part of every series is forecast and committed; then intake is held, more
 * ticks of partition 0's series arrive, the brokers go down, intake resumes: partition 0's chunk is
 * applied and its send waits for a broker. Then stop().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { App } from '../../src/app.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { isCold } from '../helpers/forecasts.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';
import { pollUntil, until } from '../helpers/poll.ts';

const S = 4;
const A = 30;
const B = 10;
const FLUSH_MS = 2_000;

/** Ticks accepted by the pipeline so far (tickcast_ticks_total{result="accepted"}). */
async function accepted(app: App): Promise<number> {
  const text = await app.metrics.registry.getSingleMetricAsString('tickcast_ticks_total');
  const line = text.split('\n').find((l) => l.startsWith('tickcast_ticks_total{') && l.includes('result="accepted"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Failed sends of outputs (tickcast_kafka_produce_failures_total, every error type). */
async function produceFailures(app: App): Promise<number> {
  const text = await app.metrics.registry.getSingleMetricAsString('tickcast_kafka_produce_failures_total');
  return text.split('\n').filter((l) => l.startsWith('tickcast_kafka_produce_failures_total{')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

test('brokers down with outputs in flight: stop gives them up after shutdown.flushMs, writes a snapshot without their partition; the restart sends them', { timeout: 240_000 }, async () => {
  const prefix = uniqueName('stopdown');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-stopdown-it-'));
  const apps: App[] = [];
  const config = {
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, fetchMaxWaitMs: 100 },
    topics,
    model: { dir: path.join(dir, 'model') },
    snapshots: { enabled: true, intervalMs: 0 },
    shutdown: { graceMs: 30_000, flushMs: FLUSH_MS },
  };
  const partitionOf = (key: string) => (Number(key.slice(1)) < S / 2 ? 0 : 1);
  const stream = tickStream(S, A + B).map((m) => ({ ...m, partition: partitionOf(m.key) }));
  const first = stream.slice(0, A * S);
  const late = stream.slice(A * S).filter((m) => m.partition === 0);
  try {
    const app1 = await startTestApp(config);
    apps.push(app1);
    await produce(producer, topics.ticks, first);
    for (let i = 0; i < 600 && (await accepted(app1)) < first.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await accepted(app1), first.length, 'the first part is handled');
    await new Promise((r) => setTimeout(r, 1_000)); // its commits

    // Intake held: the next batch of partition 0 is fetched and waits in the batch loop (up to 2 s).
    app1.source.pause();
    await produce(producer, topics.ticks, late);
    await new Promise((r) => setTimeout(r, 700));
    broker.down();
    await new Promise((r) => setTimeout(r, 300));
    app1.source.resume();
    for (let i = 0; i < 50 && (await accepted(app1)) < first.length + late.length; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(await accepted(app1), first.length + late.length, 'the late chunk is applied and its send waits for a broker');

    const t0 = Date.now();
    const stopped = await Promise.race([app1.stop(), new Promise<null>((r) => setTimeout(() => r(null), 20_000).unref())]);
    const ms = Date.now() - t0;
    assert.ok(stopped, 'stop() ended within 20 s with the brokers down (before: only shutdown.graceMs ended it, exit 1, no snapshot)');
    assert.equal(stopped.complete, false, 'the stop says it gave chunks up (main.ts exits 1)');
    assert.ok(ms < FLUSH_MS + 8_000, `stop took ${ms} ms: the outputs get shutdown.flushMs (${FLUSH_MS} ms), the rest of the drain does not wait for the brokers`);
    const last = app1.snapshots!.status().last;
    assert.ok(last, 'a shutdown snapshot was written');
    assert.equal(last.series, S / 2, 'it holds the series of partition 1 only: partition 0 has applied ticks whose outputs were never acknowledged');
    // The given-up send ends (failed) once the stop has disconnected the producer, brokers still down.
    // Before, it waited for a delivery report the disconnected client never gives: the chunk never
    // ended, its consumer never left, and the test process never exited (CI stop 47 hung on this file).
    assert.ok(await pollUntil(async () => (await produceFailures(app1)) >= 1, 20_000), 'the given-up chunk\'s send fails once the producer is disconnected');

    broker.up();
    const collector = await Collector.start(kafka, [topics.forecasts], `${prefix}-check`);
    const app2 = await startTestApp(config);
    apps.push(app2);
    const start = app2.snapshots!.status().start;
    assert.equal(start.loaded, true, 'the restart loads the shutdown snapshot');
    assert.equal(start.series, S / 2);
    const want = new Set(late.map((m) => JSON.parse(m.value) as { series: string; ts: number }).map((v) => `${v.series}@${v.ts}`));
    const got = () => {
      const seen = new Set<string>();
      for (const c of collector.of(topics.forecasts)) {
        const v = JSON.parse(String(c.value));
        if (!isCold(v)) seen.add(`${v.series}@${v.ts}`);
      }
      return [...want].filter((k) => seen.has(k)).length;
    };
    await until(() => got() === want.size, 60_000, 'forecasts of the given-up chunk after the restart').catch(() => undefined);
    assert.equal(got(), want.size, `every tick of the chunk given up at the stop is forecast after the restart (window ${TEST_WINDOW})`);
    await collector.stop();
  } finally {
    // Bounded: a stop that hangs (the defect this test is about) must not hang the test.
    for (const a of apps) await Promise.race([a.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
