/**
 * The short-lived client that commits a brand-new group's start (src/adapters/kafka/group-start.ts
 * startCommitter), built from the service's own Kafka client (createKafka) — not a stand-in: the
 * configuration librdkafka is handed is read where the client layer creates its handle. kafka.properties
 * reaches every client twice, in the Kafka object's common configuration and in the group consumer's
 * own; the client layer applies the common configuration's librdkafka properties over its kafkaJS
 * block, so a property left out of the consumer's own configuration was still set from there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createKafka } from '../../../src/adapters/kafka/client.ts';
import { COMMIT_WAIT_MS, startCommitter } from '../../../src/adapters/kafka/group-start.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';

const require = createRequire(import.meta.url);
/** The module the KafkaJS layer creates its librdkafka consumer handles from (lib/kafkajs/_consumer.js: require('../rdkafka')). */
const rdkafka = require(path.join(path.dirname(require.resolve('@confluentinc/kafka-javascript')), 'rdkafka.js')) as { KafkaConsumer: unknown };

/** The librdkafka configuration of the first consumer handle `make` creates (none is connected: creating it throws here). */
async function handedToLibrdkafka(make: () => Promise<unknown>): Promise<Record<string, unknown>> {
  const real = rdkafka.KafkaConsumer;
  const seen: Array<Record<string, unknown>> = [];
  rdkafka.KafkaConsumer = function (conf: Record<string, unknown>) {
    seen.push({ ...conf });
    throw new Error('configuration read');
  };
  try {
    await make().catch(() => undefined);
  } finally {
    rdkafka.KafkaConsumer = real;
  }
  assert.equal(seen.length, 1, 'one consumer handle created');
  return seen[0]!;
}

// Found 7 Dec 2026 (review): static membership is set in kafka.properties (group.instance.id per
// replica), and createKafka puts kafka.properties into the Kafka object's common configuration, so
// the short-lived client still carried the instance id (real Kafka refuses such a commit outside a
// generation: UNKNOWN_MEMBER_ID on an empty group, the start never stored) and a kafka.properties
// session.timeout.ms (a commit queued while the coordinator is lost kept for that long, not
// COMMIT_WAIT_MS: stored after the member went on). startCommitter's own stripping could not see it.
test("the short-lived client that commits a group's start gets neither kafka.properties' group.instance.id nor its session.timeout.ms, through the service's real Kafka client", async () => {
  const k = loadConfig({ env: { TICKCAST_KAFKA_PROPERTIES: 'group.instance.id=tickcast-0,session.timeout.ms=45000,client.rack=rack-a' } }).kafka;
  const kafka = createKafka({ ...k, brokers: ['127.0.0.1:1'], clientId: 'tickcast-test' }, createLogger({ level: 'silent', name: 't' }));
  const conf = await handedToLibrdkafka(() => startCommitter(kafka, { groupId: 'g', properties: k.properties }));
  assert.equal(conf['group.instance.id'], undefined, 'no instance id');
  assert.equal(Number(conf['session.timeout.ms']), COMMIT_WAIT_MS, 'its own session timeout');
  assert.equal(conf['client.rack'], 'rack-a', 'the other properties kept');
  assert.equal(conf['group.id'], 'g');
});
