/**
 * The group consumer's configuration under the two group protocols: the classic one gets the
 * session timeout and heartbeat interval of kafka.sessionTimeoutMs / kafka.heartbeatIntervalMs;
 * KIP-848's `consumer` protocol (kafka.properties group.protocol=consumer) gets neither, because the
 * broker owns them and the client refuses them (before 7 Dec 2026 the service did not start there:
 * test/integration/consumer-protocol.test.ts runs it end to end).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { consumerConfig } from '../../../src/adapters/kafka/consumer-config.ts';
import { isClassicProtocol } from '../../../src/config/kafka-security.ts';
import type { KafkaSourceOptions } from '../../../src/adapters/kafka/source-options.ts';

const base: KafkaSourceOptions = { topic: 't', groupId: 'g', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, partitionsConsumedConcurrently: 1, fromBeginning: false };
const none = async () => null;

test('classic protocol (default, or named in any case): session timeout and heartbeat interval set', () => {
  for (const properties of [undefined, { 'group.protocol': 'classic' }, { 'group.protocol': 'CLASSIC' }]) {
    const k = consumerConfig({ ...base, ...(properties ? { properties } : {}) }, none).kafkaJS!;
    assert.equal(k.sessionTimeout, 6000);
    assert.equal(k.heartbeatInterval, 500);
  }
});

test('group.protocol=consumer (KIP-848): neither is set, kafka.properties passes the protocol on', () => {
  for (const protocol of ['consumer', 'Consumer']) {
    const cfg = consumerConfig({ ...base, properties: { 'group.protocol': protocol } }, none);
    assert.equal(Object.hasOwn(cfg.kafkaJS!, 'sessionTimeout'), false, 'the client refuses sessionTimeout under the consumer protocol');
    assert.equal(Object.hasOwn(cfg.kafkaJS!, 'heartbeatInterval'), false, 'and heartbeatInterval');
    assert.equal((cfg as Record<string, unknown>)['group.protocol'], protocol);
    assert.equal(isClassicProtocol({ 'group.protocol': protocol }), false);
  }
});
