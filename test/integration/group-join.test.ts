/**
 * Joining the consumer group, through a real Kafka protocol broker over TCP:
 * - readiness needs a join, not a partition: with more instances than partitions every instance is
 *   ready, and one stays ready while the group rebalances around it;
 * - an input topic created after start is found within kafka.metadataRefreshMs (30 s by default,
 *   librdkafka's 5 min before) and read from its start, although kafka.fromBeginning is false;
 * - so are partitions added to a live input topic (`kafka-topics --alter --partitions`): the ticks
 *   written to them before the group rebalanced onto them are read, none skipped (KAFKA-12261),
 *   whether the instance that takes them ran before the expansion or started after it;
 * - a brand-new group starts at the end (fromBeginning false) and commits that start: a partition
 *   with no tick since is not taken for a new one after a restart (its history stays unread);
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
import { pollUntil } from '../helpers/poll.ts';

const TOPICS = (p: string) => ({ ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` });

async function readyz(app: App): Promise<{ status: number; reasons: string[] }> {
  const res = await fetch(`${app.address()}/readyz`);
  return { status: res.status, reasons: ((await res.json()) as { reasons: string[] }).reasons };
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
    assert.ok(await pollUntil(async () => (await readyz(a)).status === 200 && (await readyz(b)).status === 200, 60_000), 'both instances ready within 60 s');
    assert.ok(await pollUntil(() => owned(a) + owned(b) === 1, 30_000), `one partition, one owner (owned: ${owned(a)}, ${owned(b)})`);
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
    const settled = await pollUntil(() => sawRevoked && owned(busy) === 1, 30_000);
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

/** `series`0 × N ticks, all keyed alike, written to `partition` by a fresh producer (fresh metadata: it knows every partition). */
async function sendTo(kafka: ReturnType<typeof testKafka>, topic: string, series: string, partition: number, n = TEST_WINDOW + 4): Promise<void> {
  const producer = await connectProducer(kafka);
  try {
    await producer.send({ topic, acks: -1, messages: tickStream(1, n, { prefix: series }).map((m) => ({ ...m, key: `${series}0`, partition })) });
  } finally {
    await producer.disconnect();
  }
}

/** The app's tickcast_consumer_lag lines: one per partition whose start the source has planned (and pinned). */
async function lagLines(app: App): Promise<string[]> {
  return (await app.metrics.registry.getSingleMetricAsString('tickcast_consumer_lag')).split('\n').filter((l) => l.startsWith('tickcast_consumer_lag{'));
}

// The service's own metadata refresh is 10 min in these tests, so it cannot find the new partitions
// by itself: every tick below is written to them, and acknowledged, before the group can be assigned
// them (what a race with a short refresh made flaky). A rebalance is then forced.
const NO_REFRESH = 600_000;

test('partitions added to a live input topic: what was written to them before the group rebalanced onto them is read (fromBeginning false)', async () => {
  const p = uniqueName('grow');
  const topics = TOPICS(p);
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const kafka = testKafka(broker.brokers);
  const config = { kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: false, metadataRefreshMs: NO_REFRESH }, topics };
  const app = await startTestApp(config);
  const N = TEST_WINDOW + 4;
  const owned = (m: App) => (m.source as KafkaSource).partitions.length;
  let other: App | null = null;
  try {
    assert.ok(await pollUntil(async () => (await lagLines(app)).length === 2, 30_000), 'owns both partitions, started');
    await sendTo(kafka, topics.ticks, 'a', 0);
    assert.ok(await pollUntil(() => app.store.ticks('a0') === N, 30_000), 'the first partitions are read');

    await broker.addPartitions(topics.ticks, 4);
    await sendTo(kafka, topics.ticks, 'c', 2);
    await sendTo(kafka, topics.ticks, 'd', 3);
    assert.equal(owned(app), 2, 'written before the group could be assigned the new partitions');
    // Scaled out with the topic: a second instance joins, the group rebalances from fresh metadata
    // and the new partitions go to either instance (the one that ran before the expansion, or the new one).
    other = await startTestApp(config);
    const b = other;
    const ticks = (series: string) => app.store.ticks(series) + b.store.ticks(series);
    const read = await pollUntil(() => ticks('c0') === N && ticks('d0') === N, 30_000);
    assert.equal(owned(app) + owned(b), 4, 'the group rebalanced onto the new partitions');
    assert.ok(read, `every tick written to the new partitions before the rebalance was read (c0: ${ticks('c0')}, d0: ${ticks('d0')} of ${N}; owners: ${JSON.stringify([(app.source as KafkaSource).partitions, (b.source as KafkaSource).partitions])})`);
  } finally {
    await Promise.all([app.stop(), other?.stop()]);
    await broker.stop();
  }
});

test('partitions added while the group runs, taken by an instance started after the expansion (a restart, a scale-out): read from their start', async () => {
  const p = uniqueName('grown');
  const topics = TOPICS(p);
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const kafka = testKafka(broker.brokers);
  // No window replay: the store counts only ticks read as new.
  const config = { kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: false, metadataRefreshMs: NO_REFRESH }, topics, windows: { restoreRecordsPerPartition: 0 } };
  const N = TEST_WINDOW + 4;
  const first = await startTestApp(config);
  let second: App | null = null;
  try {
    assert.ok(await pollUntil(async () => (await lagLines(first)).length === 2, 30_000), 'owns both partitions, started');
    await sendTo(kafka, topics.ticks, 'a', 0);
    assert.ok(await pollUntil(() => first.store.ticks('a0') === N, 30_000), 'the group has read (and committed) partition 0');
    await broker.addPartitions(topics.ticks, 4);
    await sendTo(kafka, topics.ticks, 'c', 2);
    await sendTo(kafka, topics.ticks, 'd', 3);
    assert.equal((first.source as KafkaSource).partitions.length, 2, 'written before the group could be assigned the new partitions');
    // The instance is replaced before its metadata refresh found them (a rolling restart): the new
    // one counts 4 partitions at its start, and the group has never read partitions 2 and 3.
    await first.stop();
    second = await startTestApp(config);
    const app = second;
    const read = await pollUntil(() => app.store.ticks('c0') === N && app.store.ticks('d0') === N, 30_000);
    assert.ok(read, `every tick written to the new partitions is read (c0: ${app.store.ticks('c0')}, d0: ${app.store.ticks('d0')} of ${N})`);
    assert.equal(app.store.ticks('a0'), 0, 'partition 0 resumes at its committed offset');
  } finally {
    await Promise.all([first.stop(), second?.stop()]);
    await broker.stop();
  }
});

test('a brand-new group starts at the end, and pins it: after a restart an idle partition resumes there — what came while down is read, its history is not', async () => {
  const p = uniqueName('pin');
  const topics = TOPICS(p);
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const kafka = testKafka(broker.brokers);
  await sendTo(kafka, topics.ticks, 'h', 0, 15); // history, before the group's first start
  await sendTo(kafka, topics.ticks, 'g', 1, 15);
  // No window replay: the store counts only ticks read as new.
  const config = { kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: false }, topics, windows: { restoreRecordsPerPartition: 0 } };
  const N = TEST_WINDOW + 4;
  const first = await startTestApp(config);
  let second: App | null = null;
  try {
    assert.ok(await pollUntil(async () => (await lagLines(first)).length === 2, 30_000), 'both partitions assigned and started');
    await sendTo(kafka, topics.ticks, 'n', 0);
    assert.ok(await pollUntil(() => first.store.ticks('n0') === N, 30_000), 'partition 0 is read (and committed); partition 1 has had no tick since the start');
    assert.equal(first.store.ticks('h0') + first.store.ticks('g0'), 0, 'a brand-new group skips the history (fromBeginning false)');
    await first.stop();
    await sendTo(kafka, topics.ticks, 'm', 1); // while the service is down
    second = await startTestApp(config);
    const app = second;
    assert.ok(await pollUntil(() => app.store.ticks('m0') === N, 30_000), `what partition 1 got while the service was down is read (m0: ${app.store.ticks('m0')} of ${N})`);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(app.store.ticks('g0'), 0, 'partition 1 resumes where the group started it: its history is not read');
    assert.equal(app.store.ticks('n0') + app.store.ticks('h0'), 0, 'partition 0 resumes at its committed offset');
  } finally {
    await Promise.all([first.stop(), second?.stop()]);
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
    assert.ok(await pollUntil(async () => (await lag()).length === 1, 30_000), 'the lag of the one partition is reported');
    assert.deepEqual(await lag(), [`tickcast_consumer_lag{topic="${topics.ticks}",partition="0"} 0`], 'the 30 records of history are not lag: the group starts after them');
    // At once: the group starts at the end as it was at the assignment, not wherever "latest" is at its first fetch.
    await produce(producer, topics.ticks, tickStream(2, TEST_WINDOW + 2, { t0: Date.UTC(2025, 1, 1) }));
    assert.ok(await pollUntil(() => app.store.ticks('s0') === TEST_WINDOW + 2, 30_000), `what comes after the start is read (s0: ${app.store.ticks('s0')})`);
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
    assert.ok(await pollUntil(() => both('tickcast_kafka_up 1'), 30_000), `both report the brokers reached (${await up(a)} / ${await up(b)})`);
    assert.ok(await pollUntil(() => (a.source as KafkaSource).partitions.length + (b.source as KafkaSource).partitions.length === 1, 30_000), 'one of them owns no partition');
    broker.down();
    assert.ok(await pollUntil(() => both('tickcast_kafka_up 0'), 30_000), `both report the outage (${await up(a)} / ${await up(b)})`);
    broker.up();
    assert.ok(await pollUntil(() => both('tickcast_kafka_up 1'), 60_000), `and the recovery (${await up(a)} / ${await up(b)})`);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await broker.stop();
  }
});
