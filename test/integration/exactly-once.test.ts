/**
 * The exactly-once option runs its transactional path end to end against the local broker:
 * outputs are written inside producer transactions with the consumed offsets (sendOffsets).
 * What the local broker cannot prove (docs/local-broker.md): it does not store offsets sent in
 * transactions and shows aborted records, so "no duplicates after a crash" needs real Kafka.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';
import { isCold } from '../helpers/forecasts.ts';

test('exactly-once mode: every eligible tick forecast once, through transactions', async () => {
  const p = uniqueName('eos');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.dlq` };
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 2 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const out = await Collector.start(kafka, [topics.forecasts, topics.dlq], uniqueName('collect'));
  const app = await startTestApp({
    kafka: { brokers: broker.brokers, groupId: `${p}-svc`, fromBeginning: true, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, delivery: 'exactly-once', transactionalId: `${p}-tx-0` },
    topics,
  });
  try {
    const S = 5;
    const N = TEST_WINDOW + 10;
    await produce(producer, topics.ticks, [...tickStream(S, N), { key: 's0', value: 'not json' }]);
    const expected = S * (N - TEST_WINDOW + 1);
    const baseline = S * (TEST_WINDOW - 2); // cold-start baseline forecasts, ticks 2 … window−1
    await out.waitFor(() => out.of(topics.forecasts).length >= expected + baseline && out.of(topics.dlq).length >= 1, 60_000, 'transactional outputs');
    await out.settle(1500);
    const records = out.of(topics.forecasts).map((f) => JSON.parse(String(f.value)) as { model: string; replaces?: string });
    assert.equal(records.filter((f) => !isCold(f)).length, expected);
    assert.equal(records.filter(isCold).length, baseline);
    assert.equal(out.of(topics.dlq).length, 1);
  } finally {
    await app.stop();
    await out.stop();
    await producer.disconnect();
    await broker.stop();
  }
});
