/**
 * kafka.sessionTimeoutMs / kafka.heartbeatIntervalMs under KIP-848's group.protocol=consumer, where
 * neither is used (the broker's group.consumer.* settings apply): set explicitly they are refused
 * like their kafka.properties twins (until 7 Dec 2026 silently ignored), and their classic-protocol
 * check (heartbeat below session timeout) does not run there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../src/config/load.ts';
import { configProblems } from '../../helpers/config-problems.ts';
import { memberExpiry } from '../../../src/config/kafka-security.ts';

const CONSUMER = { TICKCAST_KAFKA_PROPERTIES: 'group.protocol=consumer' };

const problems = configProblems;

test('an explicit session timeout or heartbeat interval under group.protocol=consumer is refused, naming what applies instead', () => {
  assert.deepEqual(problems({ ...CONSUMER, TICKCAST_KAFKA_SESSION_TIMEOUT_MS: '10000' }), [
    "kafka.sessionTimeoutMs (TICKCAST_KAFKA_SESSION_TIMEOUT_MS): is not used with group.protocol=consumer (KIP-848): the broker's group.consumer.session.timeout.ms applies; remove it",
  ]);
  assert.deepEqual(problems({ ...CONSUMER, TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS: '3000' }), [
    "kafka.heartbeatIntervalMs (TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS): is not used with group.protocol=consumer (KIP-848): the broker's group.consumer.heartbeat.interval.ms applies; remove it",
  ]);
});

test('under group.protocol=consumer the classic heartbeat-below-session check does not run (only the "not used" problem)', () => {
  assert.deepEqual(problems({ ...CONSUMER, TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS: '30000' }), [
    "kafka.heartbeatIntervalMs (TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS): is not used with group.protocol=consumer (KIP-848): the broker's group.consumer.heartbeat.interval.ms applies; remove it",
  ]);
});

test('the defaults under group.protocol=consumer, and explicit values under the classic protocol, are accepted', () => {
  assert.equal(loadConfig({ env: CONSUMER }).kafka.properties['group.protocol'], 'consumer');
  const classic = loadConfig({ env: { TICKCAST_KAFKA_PROPERTIES: 'group.protocol=classic', TICKCAST_KAFKA_SESSION_TIMEOUT_MS: '10000', TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS: '3000' } });
  assert.equal(classic.kafka.sessionTimeoutMs, 10000);
  assert.match(problems({ TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS: '30000' }).join('\n'), /kafka\.heartbeatIntervalMs .*must be below kafka\.sessionTimeoutMs/);
});

test("the stop's warning when the member could not leave names what drops it, by protocol", () => {
  assert.equal(memberExpiry(loadConfig({ env: {} }).kafka), 'kafka.sessionTimeoutMs (30000 ms)');
  assert.equal(memberExpiry(loadConfig({ env: { TICKCAST_KAFKA_SESSION_TIMEOUT_MS: '10000' } }).kafka), 'kafka.sessionTimeoutMs (10000 ms)');
  assert.equal(memberExpiry(loadConfig({ env: CONSUMER }).kafka), "the broker's group.consumer.session.timeout.ms (group.protocol=consumer)");
});
