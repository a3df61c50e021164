/**
 * Exactly-once delivery with a feedback topic: a feedback record that cannot be used is
 * dead-lettered (in a transaction of its own: the feedback consumer commits its offsets plainly,
 * and the main producer is transactional). Before, its dead letter went through the chunk sink,
 * which writes only into a chunk's transaction: refused outside one, the feedback record was read
 * again and failed again, and no dead letter was ever written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka } from '../helpers/kafka.ts';

test('exactly-once: an unusable feedback record is dead-lettered', { timeout: 120_000 }, async () => {
  const p = uniqueName('fbeos');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  const feedbackTopic = `${p}.anomalies.feedback`;
  const broker = await startBroker({ topics: [...Object.values(topics).map((name) => ({ name, partitions: 1 })), { name: feedbackTopic, partitions: 1 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const collector = await Collector.start(kafka, [topics.dlq], uniqueName('collect'));
  const app = await startTestApp({
    kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, delivery: 'exactly-once', transactionalId: `${p}-tx-0` },
    topics,
    feedback: { topic: feedbackTopic },
  });
  try {
    await produce(producer, feedbackTopic, [{ key: 'x', value: 'not json' }]);
    await collector.waitFor(() => collector.of(topics.dlq).length >= 1, 30_000, 'the dead letter of the feedback record');
    await collector.settle(1500);
    const dlq = collector.of(topics.dlq);
    assert.equal(dlq.length, 1, 'once');
    assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_FEEDBACK_INVALID');
  } finally {
    await app.stop();
    await collector.stop();
    await producer.disconnect();
    await broker.stop();
  }
});
