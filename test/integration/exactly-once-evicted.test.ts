/**
 * Exactly-once: the `resolved` record (reason `evicted`) of a series evicted idle while its alert
 * fires goes out in a transaction of its own — after the idle sweep and at stop — and a
 * read_committed consumer sees it. Before, exactly-once held it for the next input chunk's
 * transaction: with no input coming, a stop lost it and the alert stayed open downstream for good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka } from '../helpers/kafka.ts';
import type { App } from '../../src/app.ts';

const T0 = Date.UTC(2025, 0, 1);
const STEP = 600;

/** Ticks [0, n) of `id`: a daily-ish sine that steps up by 80 at STEP and stays up (its alert keeps firing). */
function ticks(id: string, n: number) {
  const out: Array<{ key: string; value: string }> = [];
  for (let i = 0; i < n; i++) {
    const v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48) + Math.sin(i * 12.9898) * 0.5 + (i >= STEP ? 80 : 0);
    out.push({ key: id, value: JSON.stringify({ series: id, ts: T0 + i * 60_000, value: v }) });
  }
  return out;
}

async function rig(name: string) {
  const p = uniqueName(name);
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.dlq` };
  const broker = await startBroker({ topics: Object.values(topics).map((n) => ({ name: n, partitions: 1 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  // kafkajs reads read_committed by default: only committed transactions' records come here.
  const out = await Collector.start(kafka, [topics.anomalies], uniqueName('collect'));
  const app = await startTestApp({
    kafka: { brokers: broker.brokers, groupId: `${p}-svc`, fromBeginning: true, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, delivery: 'exactly-once', transactionalId: `${p}-tx-0` },
    topics,
  });
  const alerts = () => out.of(topics.anomalies).map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'alert' && r.series === 'm');
  const firing = async () => {
    await produce(producer, topics.ticks, ticks('m', STEP + 6));
    await out.waitFor(() => alerts().some((a) => a.state === 'firing'), 90_000, 'the alert of m firing');
    await out.settle(1000);
    assert.equal(alerts().at(-1).state, 'firing', 'still firing when the input stops');
  };
  const close = async (a: App) => {
    await a.stop().catch(() => undefined);
    await out.stop();
    await producer.disconnect();
    await broker.stop();
  };
  return { app, out, alerts, firing, close };
}

test('exactly-once: a series evicted idle while firing is resolved at stop, with no input after', { timeout: 180_000 }, async () => {
  const r = await rig('eosevict');
  try {
    await r.firing();
    r.app.store.evictIdle(Date.now() + 10 * r.app.config.windows.idleEvictMs); // the feed went quiet for good
    await r.app.stop();
    await r.out.waitFor(() => r.alerts().some((a) => a.state === 'resolved'), 15_000, 'the resolved record after stop');
    await r.out.settle(1000);
    const resolved = r.alerts().filter((a) => a.state === 'resolved');
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0].reason, 'evicted');
    assert.equal(resolved[0].eviction, 'idle');
  } finally {
    await r.close(r.app);
  }
});

test('exactly-once: the idle sweep sends it while the service runs, and the stop does not send it again', { timeout: 180_000 }, async () => {
  const r = await rig('eosevict2');
  try {
    await r.firing();
    r.app.store.evictIdle(Date.now() + 10 * r.app.config.windows.idleEvictMs);
    // The background loop (every 10 s) sends what the sweep left, with no chunk to carry it.
    await r.out.waitFor(() => r.alerts().some((a) => a.state === 'resolved'), 25_000, 'the resolved record from the idle loop');
    await r.app.stop();
    await r.out.settle(1500);
    assert.equal(r.alerts().filter((a) => a.state === 'resolved').length, 1);
  } finally {
    await r.close(r.app);
  }
});
