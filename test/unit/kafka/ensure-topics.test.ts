/**
 * kafka.createTopics with topics.alertState: the alert-state topic needs at least the input
 * topic's partitions (./alert-state-partitions.test.ts). Before 6 Dec 2026 a missing state topic was
 * created with kafka.topicPartitions whatever the input topic had, so an input topic made elsewhere
 * with more partitions got a state topic the start-up check then refused (TC_ALERT_STATE_PARTITIONS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ensureTopics } from '../../../src/adapters/kafka/topics.ts';
import type { Logger } from '../../../src/telemetry/logger.ts';

const log = { info: () => undefined, warn: () => undefined, error: () => undefined } as unknown as Logger;
type Created = { topic: string; numPartitions: number; configEntries?: Array<{ name: string; value: string }> };

function cluster(partitions: Record<string, number>) {
  const created: Created[] = [];
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => Object.keys(partitions),
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => topics.filter((t) => t in partitions).map((name) => ({ name, partitions: Array.from({ length: partitions[name] }, (_, id) => ({ id })) })),
    createTopics: async ({ topics }: { topics: Created[] }) => (created.push(...topics), true),
  };
  return { kafka: { admin: () => admin } as unknown as KafkaJS.Kafka, created };
}

const roles = { compacted: 'alert-state', input: 'ticks' };

test('a missing alert-state topic gets the existing input topic\'s partition count when it has more than kafka.topicPartitions', async () => {
  const c = cluster({ ticks: 12 });
  await ensureTopics(c.kafka, ['ticks', 'forecasts', 'alert-state'], 6, log, roles);
  assert.deepEqual(c.created.map((t) => [t.topic, t.numPartitions]), [['forecasts', 6], ['alert-state', 12]]);
  assert.deepEqual(c.created[1].configEntries, [{ name: 'cleanup.policy', value: 'compact' }]);
  assert.equal(c.created[0].configEntries, undefined);
});

test('kafka.topicPartitions when the input topic has fewer, or is created in the same call', async () => {
  const fewer = cluster({ ticks: 2 });
  await ensureTopics(fewer.kafka, ['ticks', 'alert-state'], 6, log, roles);
  assert.deepEqual(fewer.created.map((t) => [t.topic, t.numPartitions]), [['alert-state', 6]]);
  const none = cluster({});
  await ensureTopics(none.kafka, ['ticks', 'alert-state'], 3, log, roles);
  assert.deepEqual(none.created.map((t) => [t.topic, t.numPartitions]), [['ticks', 3], ['alert-state', 3]]);
});
