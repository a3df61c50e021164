/**
 * A first deploy of several replicas at once (a brand-new group, fromBeginning false) against an
 * input topic with history: the group starts at the end on every partition, whichever member plans
 * its partitions first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { connectProducer, testKafka, tickStream } from '../helpers/kafka.ts';
import { until } from '../helpers/poll.ts';
import type { App } from '../../src/app.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';

test('two replicas started together on a brand-new group: neither reads the history of its partition (fromBeginning false)', { timeout: 240_000 }, async () => {
  const p = uniqueName('firstdeploy');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const producer = await connectProducer(testKafka(broker.brokers));
  const send = (series: string, partition: number, n: number) =>
    producer.send({ topic: topics.ticks, acks: -1, messages: tickStream(1, n, { prefix: series }).map((m) => ({ ...m, key: `${series}0`, partition })) });
  await send('h', 0, 15); // history, before the group's first start
  await send('g', 1, 15);
  const config = { kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: false }, topics, windows: { restoreRecordsPerPartition: 0 } };
  const apps: App[] = [];
  try {
    apps.push(...(await Promise.all([startTestApp(config), startTestApp(config)])));
    const owned = (m: App) => (m.source as KafkaSource).partitions.length;
    await until(() => apps.every((a) => owned(a) === 1), 60_000, 'one partition each');
    const N = TEST_WINDOW + 4;
    await send('n', 0, N);
    await send('m', 1, N);
    const ticks = (s: string) => apps.reduce((sum, a) => sum + a.store.ticks(s), 0);
    await until(() => ticks('n0') === N && ticks('m0') === N, 60_000, 'what came after the start read');
    assert.deepEqual({ h0: ticks('h0'), g0: ticks('g0') }, { h0: 0, g0: 0 }, 'the history of neither partition is read');
  } finally {
    for (const a of apps) await a.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
  }
});
