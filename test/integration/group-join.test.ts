/**
 * Joining the consumer group, through a real Kafka protocol broker over TCP:
 * - readiness needs a join, not a partition: with more instances than partitions every instance is
 *   ready, and one stays ready while the group rebalances around it;
 * - an input topic created after start is found within kafka.metadataRefreshMs (30 s by default,
 *   librdkafka's 5 min before) and read from its start, although kafka.fromBeginning is false;
 * - so are partitions added to a live input topic (`kafka-topics --alter --partitions`): the ticks
 *   written to them before the group rebalanced onto them are read, none skipped (KAFKA-12261);
 * - a first deploy against a topic with history (fromBeginning false) reports no consumer lag for
 *   the history it will never read;
 * - tickcast_kafka_up says whether the brokers answer, on a member that owns no partition too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';
import type { App } from '../../src/app.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';
import { isCold } from '../helpers/forecasts.ts';

const TOPICS = (p: string) => ({ ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` });

async function readyz(app: App): Promise<{ status: number; reasons: string[] }> {
  const res = await fetch(`${app.address()}/readyz`);
  return { status: res.status, reasons: ((await res.json()) as { reasons: string[] }).reasons };
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const by = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > by) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

test('one partition, two instances in one group: both ready; the owner stays ready while the group rebalances', async () => {
  const p = uniqueName('join');
  const topics = TOPICS(p);
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  const config = { kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 }, topics };
  const a = await startTestApp(config);
  const b = await startTestApp(config);
  try {
    const owned = (m: App) => (m.source as KafkaSource).partitions.length;
    assert.ok(await until(async () => (await readyz(a)).status === 200 && (await readyz(b)).status === 200, 60_000), 'both instances ready within 60 s');
    assert.ok(await until(() => owned(a) + owned(b) === 1, 30_000), `one partition, one owner (owned: ${owned(a)}, ${owned(b)})`);
    const [busy, idle] = owned(a) === 1 ? [a, b] : [b, a];
    assert.deepEqual(await readyz(idle), { status: 200, reasons: [] }, 'the instance with no partition is ready (it serves the HTTP API)');
    const predict = await fetch(`${idle.address()}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window: Array.from({ length: TEST_WINDOW }, (_, i) => 100 + Math.sin(i)) }) });
    assert.equal(predict.status, 200, 'and answers /v1/predict');
    await predict.body?.cancel();

    // The idle one leaves: the group rebalances (eager: the owner's partition is revoked, then
    // assigned again). The owner's readiness is sampled throughout.
    let unready = 0;
    let sawRevoked = false;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        if (!busy.serving.health().ready) unready++;
        if (owned(busy) === 0) sawRevoked = true;
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    await idle.stop();
    const settled = await until(() => sawRevoked && owned(busy) === 1, 30_000);
    sampling = false;
    await sampler;
    assert.ok(settled, `the owner went through a rebalance (partition revoked, then back) within 30 s (revoked seen: ${sawRevoked})`);
    assert.equal(unready, 0, 'ready through the rebalance');
  } finally {
    await Promise.all([a.stop(), b.stop()]); // stop() twice returns the same promise
    await broker.stop();
  }
});

test('an input topic created after start: found within 30 s by default and read from its start (fromBeginning false)', async () => {
  const p = uniqueName('late');
  const topics = TOPICS(p);
  // Every topic but the input one exists; the producer below creates it (the mock broker creates a
  // topic on a producer's first metadata request, 4 partitions).
  const broker = await startBroker({ topics: [topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 })) });
  const kafka = testKafka(broker.brokers);
  const collector = await Collector.start(kafka, [topics.forecasts], uniqueName('collect'));
  const producer = await connectProducer(kafka);
  const app = await startTestApp({ kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: false }, topics });
  try {
    const before = await readyz(app);
    assert.equal(before.status, 503, 'not ready while the topic is missing (no group is joined without a topic)');
    assert.deepEqual(before.reasons, [`waiting to join the consumer group: input topic "${topics.ticks}" does not exist yet (it is read from its start once it appears)`]);

    const S = 4;
    const N = TEST_WINDOW + 9;
    const t0 = Date.now();
    await produce(producer, topics.ticks, tickStream(S, N));
    const modelForecasts = S * (N - TEST_WINDOW + 1);
    const baseline = S * (TEST_WINDOW - 2); // cold-start baseline forecasts: ticks 2 … window−1
    const distinct = () => new Set(collector.of(topics.forecasts).map((f) => { const v = JSON.parse(String(f.value)); return `${isCold(v) ? 'b' : 'm'}/${v.series}@${v.ts}`; })).size;
    await collector.waitFor(() => distinct() >= modelForecasts + baseline, 50_000, `every tick forecast (${modelForecasts} model + ${baseline} baseline forecasts)`);
    const tookS = (Date.now() - t0) / 1000;
    assert.ok(tookS < 50, `the topic was found and read within 50 s (${tookS.toFixed(1)} s)`);
    assert.equal(distinct(), modelForecasts + baseline, 'every tick written before the assignment was read: none skipped');
    assert.deepEqual(await readyz(app), { status: 200, reasons: [] });
  } finally {
    await app.stop();
    await collector.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
});

test('partitions added to a live input topic: the group takes them at a metadata refresh and reads them from their start (fromBeginning false)', async () => {
  const p = uniqueName('grow');
  const topics = TOPICS(p);
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const kafka = testKafka(broker.brokers);
  const app = await startTestApp({ kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: false, metadataRefreshMs: 2000 }, topics });
  const N = TEST_WINDOW + 4;
  const onPartition = (series: string, partition: number) => tickStream(1, N, { prefix: series }).map((m) => ({ ...m, key: `${series}0`, partition }));
  const send = async (series: string, partition: number) => {
    const producer = await connectProducer(kafka); // a fresh producer: fresh metadata, so it knows every partition
    try {
      await producer.send({ topic: topics.ticks, acks: -1, messages: onPartition(series, partition) });
    } finally {
      await producer.disconnect();
    }
  };
  const owned = () => (app.source as KafkaSource).partitions.length;
  try {
    assert.ok(await until(() => owned() === 2, 30_000), 'owns both partitions');
    await send('a', 0);
    await send('b', 1);
    assert.ok(await until(() => app.store.ticks('a0') === N && app.store.ticks('b0') === N, 30_000), 'the first two partitions are read');

    await broker.addPartitions(topics.ticks, 4);
    // Written at once, before the service's next metadata refresh finds the new partitions.
    await send('c', 2);
    await send('d', 3);
    const read = await until(() => app.store.ticks('c0') === N && app.store.ticks('d0') === N, 30_000);
    assert.equal(owned(), 4, 'the group rebalanced onto the new partitions');
    assert.ok(read, `every tick written to the new partitions before the rebalance was read (c0: ${app.store.ticks('c0')}, d0: ${app.store.ticks('d0')} of ${N})`);
  } finally {
    await app.stop();
    await broker.stop();
  }
});

test('a first deploy against a topic with history: tickcast_consumer_lag counts from where the group starts (its end), not the retained history', async () => {
  const p = uniqueName('history');
  const topics = TOPICS(p);
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  const producer = await connectProducer(testKafka(broker.brokers));
  await produce(producer, topics.ticks, tickStream(2, 15));
  const app = await startTestApp({ kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: false }, topics });
  const lag = async () => (await app.metrics.registry.getSingleMetricAsString('tickcast_consumer_lag')).split('\n').filter((l) => l.startsWith('tickcast_consumer_lag{'));
  try {
    assert.ok(await until(async () => (await lag()).length === 1, 30_000), 'the lag of the one partition is reported');
    assert.deepEqual(await lag(), [`tickcast_consumer_lag{topic="${topics.ticks}",partition="0"} 0`], 'the 30 records of history are not lag: the group starts after them');
    // At once: the group starts at the end as it was at the assignment, not wherever "latest" is at its first fetch.
    await produce(producer, topics.ticks, tickStream(2, TEST_WINDOW + 2, { t0: Date.UTC(2025, 1, 1) }));
    assert.ok(await until(() => app.store.ticks('s0') === TEST_WINDOW + 2, 30_000), `what comes after the start is read (s0: ${app.store.ticks('s0')})`);
  } finally {
    await app.stop();
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
});

test('tickcast_kafka_up: 1 while the brokers answer (on a member with no partition too), 0 through an outage, 1 again after it', async () => {
  const p = uniqueName('up');
  const topics = TOPICS(p);
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  const config = { kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, lagIntervalMs: 500 }, topics };
  const a = await startTestApp(config);
  const b = await startTestApp(config);
  const up = async (app: App) => (await app.metrics.registry.getSingleMetricAsString('tickcast_kafka_up')).split('\n').find((l) => l.startsWith('tickcast_kafka_up '));
  const both = async (line: string) => (await up(a)) === line && (await up(b)) === line;
  try {
    assert.ok(await until(() => both('tickcast_kafka_up 1'), 30_000), `both report the brokers reached (${await up(a)} / ${await up(b)})`);
    assert.ok(await until(() => (a.source as KafkaSource).partitions.length + (b.source as KafkaSource).partitions.length === 1, 30_000), 'one of them owns no partition');
    broker.down();
    assert.ok(await until(() => both('tickcast_kafka_up 0'), 30_000), `both report the outage (${await up(a)} / ${await up(b)})`);
    broker.up();
    assert.ok(await until(() => both('tickcast_kafka_up 1'), 60_000), `and the recovery (${await up(a)} / ${await up(b)})`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await broker.stop();
  }
});
