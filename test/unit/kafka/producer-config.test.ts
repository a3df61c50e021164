import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { createProducer } from '../../../src/adapters/kafka/sink.ts';

/** What the client is asked for: it lays these producer settings over the shared client config (kafka.properties), key by key. */
function producerConfigOf(opts: Parameters<typeof createProducer>[1]): Record<string, unknown> {
  let seen: Record<string, unknown> = {};
  const kafka = { producer: (config: Record<string, unknown>) => ((seen = config), {}) } as unknown as KafkaJS.Kafka;
  createProducer(kafka, opts);
  return seen;
}

test("kafka.properties win over the producer's derived settings (linger.ms, compression.codec), as they do for the consumer", () => {
  const derived = producerConfigOf({ compression: 'none' });
  assert.equal(derived['linger.ms'], 5);
  assert.equal(derived['compression.codec'], 'none');
  const overridden = producerConfigOf({ compression: 'none', properties: { 'linger.ms': 3000, 'compression.codec': 'zstd', 'batch.size': 65536 } });
  assert.equal(overridden['linger.ms'], 3000, "the operator's linger.ms reaches the producer");
  assert.equal(overridden['compression.codec'], 'zstd');
  assert.equal(overridden['batch.size'], 65536);
  assert.equal((overridden.kafkaJS as { idempotent: boolean; acks: number }).idempotent, true, 'what tickcast owns stays (kafka.properties cannot name it: config validation)');
});
