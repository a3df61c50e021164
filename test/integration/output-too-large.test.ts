/**
 * An output the producer can never write (over message.max.bytes: a long horizon, many targets)
 * goes to the dead-letter topic as TC_OUTPUT_TOO_LARGE and the partition goes on. Before, the
 * chunk's send failed with MSG_SIZE_TOO_LARGE on every redelivery and the partition stopped.
 * The limit is lowered through kafka.properties so a small model's forecast crosses it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka, tickStream } from '../helpers/kafka.ts';

test('forecasts over message.max.bytes are dead-lettered with TC_OUTPUT_TOO_LARGE; the partition goes on', { timeout: 180_000 }, async () => {
  const prefix = uniqueName('toolarge');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: Object.values(topics).map((name) => ({ name, partitions: 1 })) });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = await Collector.start(kafka, [topics.forecasts, topics.dlq], uniqueName('collect'));
  const app = await startTestApp({
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, fromBeginning: true, properties: { 'message.max.bytes': 4_000 } },
    model: { horizon: 64 },
    topics,
  });
  try {
    const ticks = tickStream(1, TEST_WINDOW + 6);
    await produce(producer, topics.ticks, [...ticks, { key: 's0', value: 'not json' }]);
    // The dead letter of the last (malformed) record is written with its chunk's outputs: the partition went on.
    // Within a chunk, input dead letters (phase 1) come before its forecasts' (phase 3), so when it arrives the
    // chunk's forecast dead letters may still be on their way; the counter is final by then (it counts at the swap,
    // before the send), and every dead letter it counted must arrive.
    const byCode = (code: string) => collector.of(topics.dlq).filter((d) => d.headers['tickcast-error-code'] === code);
    await collector.waitFor(() => byCode('TC_RECORD_NOT_JSON').length > 0, 90_000, 'the dead letter of the record after the ticks');
    const counted = async () => Number(/tickcast_dlq_total\{code="TC_OUTPUT_TOO_LARGE"\} (\d+)/.exec(await (await fetch(`${app.address()}/metrics`)).text())?.[1] ?? 0);
    const expected = await counted();
    assert.ok(expected > 0, 'oversized forecasts are dead-lettered');
    await collector.waitFor(() => byCode('TC_OUTPUT_TOO_LARGE').length >= expected, 30_000, `${expected} oversized-forecast dead letters`);
    const tooLarge = byCode('TC_OUTPUT_TOO_LARGE');
    assert.equal(collector.of(topics.forecasts).length, 0, 'every forecast was over the limit: none was written');
    const d = tooLarge[tooLarge.length - 1];
    assert.equal(d.headers['tickcast-output-topic'], topics.forecasts);
    assert.ok(Number(d.headers['tickcast-output-bytes']) > 4_000 - 512, `its size: ${d.headers['tickcast-output-bytes']}`);
    assert.match(d.headers['tickcast-error-message'], /message\.max\.bytes \(4000\)/);
    assert.equal(d.headers['tickcast-value-sha256'].length, 64);
    assert.equal(d.value?.length ?? 0, 0, 'no value: it was too large');
    assert.equal(d.key, 's0', 'keyed by series');
    assert.equal(tooLarge.length, expected, 'each dead letter counted once, each counted one written once');
    assert.equal(await counted(), expected, 'the count did not move after the last chunk');
  } finally {
    await app.stop();
    await collector.stop().catch(() => {});
    await producer.disconnect().catch(() => {});
    await broker.stop();
  }
});
