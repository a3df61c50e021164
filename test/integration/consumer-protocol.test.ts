/**
 * The KIP-848 consumer group protocol (`kafka.properties: {group.protocol: consumer}`, Kafka ≥ 4.0),
 * through the local broker (librdkafka 2.15's mock cluster serves ConsumerGroupHeartbeat and
 * assigns partitions server-side, incrementally) over TCP, with the real app, sink and model.
 * Two members split a two-partition input topic; one leaves; the other takes its partition over.
 * Every tick is forecast, none twice.
 *
 * Before 7 Dec 2026 the service did not start under the consumer protocol: it always set the
 * classic protocol's session timeout and heartbeat interval on the group consumer, which the client
 * refuses there ("sessionTimeout is not supported when group.protocol is not 'classic'."), exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGroupRig } from '../helpers/group-rig.ts';
import { Collector, testKafka } from '../helpers/kafka.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { isCold } from '../helpers/forecasts.ts';
import { until } from '../helpers/switchable-sink.ts';
import type { App } from '../../src/app.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';

test('group.protocol=consumer: two members split the partitions, one leaves, no tick lost or forecast twice', { timeout: 240_000 }, async () => {
  const S = 4;
  const A = 30;
  const B = 20;
  const { config, send, stop, broker, topics } = await startGroupRig('kip848', S, A + B);
  const member = (name: string) => {
    // The rig's session timeout and heartbeat interval are the classic protocol's: refused here (not used).
    const { sessionTimeoutMs: _session, heartbeatIntervalMs: _heartbeat, ...kafka } = config(name).kafka;
    return { ...config(name), kafka: { ...kafka, properties: { 'group.protocol': 'consumer' } } };
  };
  const apps: App[] = [];
  const out = await Collector.start(testKafka(broker.brokers), [topics.forecasts], `${topics.forecasts}-reader`);
  try {
    const a = await startTestApp(member('a'));
    apps.push(a);
    const b = await startTestApp(member('b'));
    apps.push(b);
    const owned = (m: App) => (m.source as KafkaSource).partitions;
    await until(() => owned(a).length === 1 && owned(b).length === 1, 60_000, 'one partition each (the broker assigns them)');
    await send(0, A);
    const forecasts = () => out.of(topics.forecasts).map((m) => JSON.parse(String(m.value))).filter((v) => !isCold(v)).map((v) => `${v.series}@${v.ts}`);
    await until(() => new Set(forecasts()).size >= S * (A - TEST_WINDOW + 1), 60_000, 'forecasts for the first part');
    await b.stop(); // leaves the group: its partition goes to a, from b's committed offset
    await until(() => owned(a).length === 2, 60_000, 'the remaining member owns both partitions');
    await send(A, A + B);
    const all = S * (A + B - TEST_WINDOW + 1);
    await until(() => new Set(forecasts()).size >= all, 60_000, `every tick forecast (${all})`);
    await out.settle();
    const seen = forecasts();
    const twice = seen.filter((k, i) => seen.indexOf(k) !== i);
    assert.equal(new Set(seen).size, all, 'every tick forecast');
    assert.deepEqual(twice, [], 'no tick forecast twice');
  } finally {
    for (const app of apps) await app.stop().catch(() => undefined);
    await out.stop();
    await stop();
  }
});
