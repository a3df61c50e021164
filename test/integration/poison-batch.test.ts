/**
 * No poison pill (issue 14): a batch the Kafka client cannot decode (valid record batch, zstd
 * attribute, garbage payload — made with kafkajs and a fake codec) is skipped, dead-lettered as
 * its topic/partition/offset range with TC_RECORD_UNDECODABLE and counted; the good ticks after it
 * all get their forecasts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import kafkajs from 'kafkajs';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';

const { CompressionCodecs, CompressionTypes } = kafkajs;

test('an undecodable batch goes to the DLQ as an offset range and consumption goes on', async () => {
  // kafkajs writes whatever this "codec" returns as the compressed payload of a zstd batch.
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async () => Buffer.from('this is not zstd data, just bytes that claim to be'),
    decompress: async () => {
      throw new Error('not used');
    },
  });
  const p = uniqueName('poison');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 1 }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const out = await Collector.start(kafka, [topics.forecasts, topics.dlq], uniqueName('collect'));
  const app = await startTestApp({
    kafka: { brokers: broker.brokers, groupId: `${p}-svc`, fromBeginning: true, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fetchMaxWaitMs: 100, lagIntervalMs: 300 },
    topics,
    coldStart: { enabled: false }, // model forecasts only: exact counts per eligible tick (cold-start baselines are tested elsewhere)
  });
  try {
    const S = 3;
    const N1 = TEST_WINDOW + 5;
    const N2 = N1 + 12;
    const all = tickStream(S, N2);
    await produce(producer, topics.ticks, all.slice(0, S * N1));
    const first = S * (N1 - TEST_WINDOW + 1);
    await out.waitFor(() => out.of(topics.forecasts).length >= first, 60_000, 'forecasts before the bad batch');

    const poison = all.slice(S * N1, S * N1 + 5).map((m) => ({ key: m.key, value: m.value }));
    const [meta] = await producer.send({ topic: topics.ticks, acks: -1, compression: CompressionTypes.ZSTD, messages: poison });
    const base = BigInt(meta.baseOffset ?? meta.offset ?? '-1');
    assert.ok(base >= 0n, 'the broker took the batch');
    await new Promise((r) => setTimeout(r, 1500));
    // The good ticks after the bad batch continue the series from where it would have.
    await produce(producer, topics.ticks, all.slice(S * N1 + 5));

    const expected = S * (N2 - TEST_WINDOW + 1) - 5;
    await out.waitFor(() => out.of(topics.forecasts).length >= expected && out.of(topics.dlq).length >= 1, 60_000, 'forecasts after the bad batch and its dead letter');
    await out.settle(1500);
    assert.equal(out.of(topics.forecasts).length, expected, 'every good tick after the bad batch forecast once');
    const dlq = out.of(topics.dlq);
    assert.equal(dlq.length, 1, 'one dead letter for the skipped batch');
    const h = dlq[0].headers;
    assert.equal(h['tickcast-error-code'], 'TC_RECORD_UNDECODABLE');
    assert.equal(h['tickcast-source-topic'], topics.ticks);
    assert.equal(h['tickcast-source-partition'], '0');
    assert.equal(h['tickcast-source-offset'], String(base));
    assert.equal(h['tickcast-source-offset-end'], String(base + 4n));
    assert.match(h['tickcast-error-message'], /could not decode/);
    assert.equal(dlq[0].value?.length ?? 0, 0, 'no bytes to recover');
    const metrics = await app.metrics.registry.getSingleMetricAsString('tickcast_consumer_offset_gaps_total');
    assert.match(metrics, /reason="undecodable"} 5/);
    const dlqCount = await app.metrics.registry.getSingleMetricAsString('tickcast_dlq_total');
    assert.match(dlqCount, /code="TC_RECORD_UNDECODABLE"} 1/);
    // Lag from broker offsets: everything committed, so it settles at 0 for the one partition.
    const lag = async () => (await app.metrics.registry.getSingleMetricAsString('tickcast_consumer_lag')).split('\n').filter((l) => l.startsWith('tickcast_consumer_lag{'));
    const t0 = Date.now();
    while (!(await lag()).some((l) => /partition="0"} 0$/.test(l)) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await lag(), [`tickcast_consumer_lag{topic="${topics.ticks}",partition="0"} 0`]);
    await app.stop();
    assert.deepEqual(await lag(), [], 'removed when the partition is revoked');
  } finally {
    await app.stop();
    await out.stop();
    await producer.disconnect();
    await broker.stop();
  }
});
