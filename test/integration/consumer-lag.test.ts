/**
 * tickcast_consumer_lag against what the brokers hold (src/adapters/kafka/lag.ts), through a real
 * Kafka protocol broker over TCP, cross-checked with an independent client (kafkajs admin
 * fetchOffsets / fetchTopicOffsets): high watermark − the group's committed offset.
 * - a committed offset of 0 is 0, not "nothing committed": the consumer's committed() reports 0
 *   as null (the client tests `offset ? … : null`), so a group at 0 on a partition whose log start
 *   had moved (retention) reported high − log start instead of high − 0;
 * - a committed offset mid-log, and a partition with nothing committed (counts from the log start here);
 * - an empty partition: 0;
 * - a rebalance that moves partitions away removes their series on the instance that lost them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { testKafka } from '../helpers/kafka.ts';
import { kafkaClientModule, type KafkaJS } from '../../src/adapters/kafka/client.ts';
import { brokerLagReader, LagMonitor } from '../../src/adapters/kafka/lag.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import type { App } from '../../src/app.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';
import { startTestApp } from '../helpers/app.ts';
import { pollUntil } from '../helpers/poll.ts';

/** Commits these offsets as a member of the group (joins, commits, leaves; nothing else committed). */
async function commitAs(kafka: KafkaJS.Kafka, groupId: string, topic: string, offsets: Array<{ partition: number; offset: string }>): Promise<void> {
  const c = kafka.consumer({ kafkaJS: { groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 250, autoCommit: false } });
  await c.connect();
  try {
    await c.subscribe({ topics: [topic] });
    await c.run({ eachBatchAutoResolve: false, eachBatch: async () => {} });
    const by = Date.now() + 20_000;
    while (c.assignment().length === 0 && Date.now() < by) await new Promise((r) => setTimeout(r, 100));
    await c.commitOffsets(offsets.map((o) => ({ topic, ...o })));
  } finally {
    await c.disconnect();
  }
}

test('consumer lag = high watermark − committed offset, as an independent client reads them (committed 0, mid, none, empty partition)', async () => {
  const topic = uniqueName('lag');
  const groupId = uniqueName('lag-group');
  const broker = await startBroker({ topics: [{ name: topic, partitions: 4 }] });
  const other = testKafka(broker.brokers);
  const producer = other.producer();
  const admin = other.admin();
  const { KafkaJS } = kafkaClientModule();
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: broker.brokers, logLevel: KafkaJS.logLevel.NOTHING } });
  const ownAdmin = kafka.admin();
  try {
    await Promise.all([producer.connect(), admin.connect()]);
    // Partition 0: more than the local broker keeps (5 MiB a partition): its log start moves past 0, as retention does.
    const big = 'x'.repeat(100_000);
    for (let i = 0; i < 6; i++) await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, () => ({ value: big, partition: 0 })) });
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i), partition: 1 })) });
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i), partition: 2 })) });
    // Committed: 0 on partition 0 (a group reset to offset 0, or pinned at an empty partition's start), 4 on 1; nothing on 2 and 3 (3 is empty).
    await commitAs(kafka, groupId, topic, [{ partition: 0, offset: '0' }, { partition: 1, offset: '4' }]);
    await ownAdmin.connect();

    const marks = new Map((await admin.fetchTopicOffsets(topic)).map((m) => [m.partition, { low: BigInt(m.low), high: BigInt(m.high) }]));
    const [theirs] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committed = new Map(theirs.partitions.map((p) => [p.partition, BigInt(p.offset)]));
    assert.ok(marks.get(0)!.low > 0n, `partition 0's log start moved past 0 (low ${marks.get(0)!.low})`);
    assert.deepEqual([committed.get(0), committed.get(1), committed.get(2), committed.get(3)], [0n, 4n, -1n, -1n], 'the group as an independent client reads it');
    const truth = (p: number) => Number(marks.get(p)!.high - (committed.get(p)! >= 0n ? committed.get(p)! : marks.get(p)!.low));

    const seen = new Map<number, number>();
    const monitor = new LagMonitor(topic, brokerLagReader(topic, groupId, () => ownAdmin), { lag: (_t, p, v) => seen.set(p, v), lagRemoved: (_t, p) => seen.delete(p) }, 60_000, createLogger({ level: 'silent', name: 'test' }));
    monitor.assigned([0, 1, 2, 3]);
    await monitor.poll();
    assert.deepEqual(
      [0, 1, 2, 3].map((p) => seen.get(p)),
      [0, 1, 2, 3].map(truth),
      `lag per partition (high ${[0, 1, 2, 3].map((p) => marks.get(p)!.high).join('/')}, committed 0/4/none/none)`,
    );
    assert.deepEqual([truth(0), truth(1), truth(2), truth(3)], [60, 6, 10, 0]);
    monitor.revoked([0, 1]);
    assert.deepEqual([...seen.keys()].sort(), [2, 3], 'revoked partitions: their series are gone');
    await monitor.stop();
    assert.equal(seen.size, 0);
  } finally {
    await Promise.allSettled([ownAdmin.disconnect(), producer.disconnect(), admin.disconnect()]);
    await broker.stop();
  }
});

/** The partitions an app reports tickcast_consumer_lag for, sorted. */
async function lagPartitions(app: App): Promise<number[]> {
  const text = await app.metrics.registry.getSingleMetricAsString('tickcast_consumer_lag');
  return [...text.matchAll(/^tickcast_consumer_lag\{[^}]*partition="(\d+)"\}/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

test('a rebalance that moves partitions away: their lag series go from the instance that lost them (no frozen series), and come back when they return', { timeout: 180_000 }, async () => {
  const p = uniqueName('lagmove');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 4 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const config = { kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, lagIntervalMs: 500 }, topics };
  const mine = (app: App) => [...(app.source as KafkaSource).partitions].sort((a, b) => a - b);
  const a = await startTestApp(config);
  let b: App | null = null;
  try {
    assert.ok(await pollUntil(async () => (await lagPartitions(a)).length === 4, 30_000), 'the first instance reports lag for its 4 partitions');
    b = await startTestApp(config);
    const split = await pollUntil(() => mine(a).length > 0 && mine(b!).length > 0 && mine(a).length + mine(b!).length === 4, 60_000);
    assert.ok(split, `the group split the partitions (a: ${mine(a).join(',')}; b: ${mine(b).join(',')})`);
    await new Promise((r) => setTimeout(r, 1500)); // three lag reads
    assert.deepEqual(await lagPartitions(a), mine(a), 'the instance that lost partitions reports only those it owns');
    assert.deepEqual(await lagPartitions(b), mine(b), 'the one that took them reports them');
    await b.stop();
    assert.ok(await pollUntil(async () => mine(a).length === 4 && (await lagPartitions(a)).length === 4, 60_000), 'all back on the first instance, each with a series');
    assert.deepEqual(await lagPartitions(b), [], 'none left on the stopped instance');
  } finally {
    await Promise.all([a.stop(), b?.stop()]);
    await broker.stop();
  }
});
