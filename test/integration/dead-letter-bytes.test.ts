/**
 * Dead letters through a real Kafka protocol broker over TCP: the original headers byte for byte
 * (binary values, repeated names), and a record too large to dead-letter whole (a value of 990 kB:
 * the producer refuses messages over 1,000,000 bytes) goes as a marked prefix instead of stopping
 * its partition — the ticks after it are still forecast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';

test('dead letters keep the original headers byte for byte; an oversized one is cut, marked, and the partition goes on', async () => {
  const prefix = uniqueName('dlqbytes');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = await Collector.start(kafka, [topics.forecasts, topics.dlq], uniqueName('collect'));
  // input.maxRecordBytes raised so the big record reaches the dead-letter path as TC_RECORD_NOT_JSON.
  const app = await startTestApp({ kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, fromBeginning: true }, topics, input: { maxRecordBytes: 2_000_000 } });
  try {
    const big = Buffer.alloc(990_000, 0x7b); // "{{{{…": not JSON
    const ticks = tickStream(1, TEST_WINDOW + 3);
    await produce(producer, topics.ticks, [
      ...ticks.slice(0, TEST_WINDOW),
      { key: 's0', value: Buffer.from('not json'), headers: { bin: Buffer.from([0xff, 0xfe, 0x00]), dup: [Buffer.from('1'), Buffer.from('2')], traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
      { key: 's0', value: big },
      ...ticks.slice(TEST_WINDOW),
    ]);
    await collector.waitFor(() => collector.of(topics.dlq).length >= 2 && collector.of(topics.forecasts).some((f) => JSON.parse(String(f.value)).ts === JSON.parse(String(ticks[ticks.length - 1].value)).ts), 60_000, 'both dead letters and the forecast of the last tick');
    const [small, cut] = collector.of(topics.dlq);
    assert.deepEqual(small.rawHeaders.bin, Buffer.from([0xff, 0xfe, 0x00]), 'a binary header, unchanged');
    assert.deepEqual(small.rawHeaders.dup, [Buffer.from('1'), Buffer.from('2')], 'both values of a repeated header');
    assert.equal(String(small.value), 'not json');
    assert.equal(cut.headers['tickcast-error-code'], 'TC_RECORD_NOT_JSON');
    assert.equal(cut.headers['tickcast-value-truncated-from-bytes'], String(big.length));
    assert.equal(cut.headers['tickcast-value-sha256'], createHash('sha256').update(big).digest('hex'));
    assert.ok(cut.value!.length > 800_000 && cut.value!.length < 900_000, `a prefix under input.deadLetterMaxBytes (900,000): ${cut.value!.length} bytes`);
    assert.ok(big.subarray(0, cut.value!.length).equals(cut.value!), 'the first bytes, unchanged');
  } finally {
    await app.stop();
    await collector.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
});
