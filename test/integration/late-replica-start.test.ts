/**
 * Two replicas of a first deploy (a brand-new group, kafka.fromBeginning=false) that start a few
 * seconds apart, as pods do, with ticks written in between: on real Kafka both join the group's
 * first generation (group.initial.rebalance.delay.ms, 3 s by default, holds a brand-new group's first
 * join for more members; the broker here is started with it). Every tick written after the first
 * replica started is read, whichever replica is assigned its partition; the history before it is not
 * (docs/reliability.md, finding 17). The same with static membership (`group.instance.id` per
 * replica, as a StatefulSet sets it): the start is committed by a short-lived client without the
 * instance id (src/adapters/kafka/group-start.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { connectProducer, testKafka, tickStream } from '../helpers/kafka.ts';
import { until } from '../helpers/poll.ts';
import type { App } from '../../src/app.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';

/** `instanceIds`: each replica's group.instance.id (static membership), or none. */
async function lateReplica(instanceIds?: [string, string]): Promise<void> {
  const p = uniqueName('latereplica');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  // Long enough for the second replica to be built and join before the first generation forms (the
  // replicas' session timeout is longer: the mock, unlike Kafka, expires a member waiting to join).
  const broker = await startBroker({ initialRebalanceDelayMs: 12_000, topics: [{ name: topics.ticks, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const producer = await connectProducer(testKafka(broker.brokers));
  const send = (series: string, partition: number, n: number) =>
    producer.send({ topic: topics.ticks, acks: -1, messages: tickStream(1, n, { prefix: series }).map((m) => ({ ...m, key: `${series}0`, partition })) });
  const config = (i: number) => ({
    kafka: {
      brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 20_000, heartbeatIntervalMs: 500, fromBeginning: false,
      ...(instanceIds ? { properties: { 'group.instance.id': instanceIds[i] } } : {}),
    },
    topics, windows: { restoreRecordsPerPartition: 0 },
  });
  const apps: App[] = [];
  try {
    await send('h', 0, 15); // history, before the group's first start
    await send('g', 1, 15);
    apps.push(await startTestApp(config(0))); // started: its view of the topic read, its join held by the broker
    const N = TEST_WINDOW + 4;
    await send('a', 0, N); // acknowledged after the first replica started
    await send('b', 1, N);
    apps.push(await startTestApp(config(1)));
    const owned = (m: App) => (m.source as KafkaSource).partitions.length;
    await until(() => apps.every((a) => owned(a) === 1), 90_000, 'one partition each');
    await send('n', 0, N);
    await send('m', 1, N);
    const ticks = (s: string) => apps.reduce((sum, a) => sum + a.store.ticks(s), 0);
    await until(() => ticks('n0') === N && ticks('m0') === N, 60_000, 'what came after both started read');
    assert.deepEqual(
      { a0: ticks('a0'), b0: ticks('b0'), h0: ticks('h0'), g0: ticks('g0') },
      { a0: N, b0: N, h0: 0, g0: 0 },
      'the ticks written between the two starts are read on both partitions; the history on neither',
    );
  } finally {
    for (const a of apps) await a.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
  }
}

test('a replica that starts after the first one, before the group has any member: ticks written between their starts are read (fromBeginning false)', { timeout: 240_000 }, () => lateReplica());

test('the same with static membership (group.instance.id per replica): ticks written between their starts are read', { timeout: 240_000 }, () => lateReplica(['tickcast-0', 'tickcast-1']));
