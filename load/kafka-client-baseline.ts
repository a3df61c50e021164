/**
 * Raw rates of the service's Kafka client (@confluentinc/kafka-javascript, librdkafka) on the
 * local broker, for bench:pipeline's same-run baseline: produce N records (acks=all, idempotent)
 * and consume them back with one consumer, no processing.
 */
import { createKafka } from '../src/adapters/kafka/client.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/telemetry/logger.ts';

export async function librdkafkaRates(brokers: string[], topic: string, messages: Array<{ key: string; value: string }>, groupId: string): Promise<{ produce: number; consume: number }> {
  const cfg = loadConfig({ env: {}, overrides: { kafka: { brokers } } });
  const kafka = createKafka(cfg.kafka, createLogger({ level: 'silent', name: 'bench' }));
  const producer = kafka.producer({ kafkaJS: { idempotent: true, acks: -1 }, 'linger.ms': 5 });
  await producer.connect();
  let t = performance.now();
  for (let i = 0; i < messages.length; i += 1000) await producer.send({ topic, messages: messages.slice(i, i + 1000) });
  const produce = messages.length / ((performance.now() - t) / 1000);
  await producer.disconnect();
  const consumer = kafka.consumer({ kafkaJS: { groupId, fromBeginning: true, autoCommit: false, maxWaitTimeInMs: 50 }, 'js.consumer.max.batch.size': 512 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  let seen = 0;
  let first = 0;
  let last = 0;
  await consumer.run({
    partitionsConsumedConcurrently: 4,
    eachBatch: async ({ batch }) => {
      if (!first) first = performance.now();
      seen += batch.messages.length;
      last = performance.now();
    },
  });
  t = performance.now();
  while (seen < messages.length && performance.now() - t < 300_000) await new Promise((r) => setTimeout(r, 20));
  await consumer.disconnect();
  return { produce, consume: messages.length / ((last - first) / 1000) };
}
