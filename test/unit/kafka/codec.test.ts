// The Kafka record's own timestamp reaches the pipeline as RawRecord.recordTsMs (since 7 Dec 2026,
// for input.missingTs "kafka"): receivedAtMs is capped at the host's clock and falls back to it,
// so it cannot stand for a record's event time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { toRawRecord } from '../../../src/adapters/kafka/codec.ts';

const msg = (timestamp: string): KafkaJS.KafkaMessage => ({ key: Buffer.from('k'), value: Buffer.from('{}'), timestamp, offset: '7', attributes: 0, headers: {} }) as unknown as KafkaJS.KafkaMessage;
const NOW = Date.UTC(2026, 11, 7, 5);

test('toRawRecord: the record timestamp as given (uncapped) is recordTsMs; none (-1) leaves it absent', () => {
  const r = toRawRecord('t', 0, msg(String(NOW - 60_000)), NOW);
  assert.equal(r.recordTsMs, NOW - 60_000);
  assert.equal(r.receivedAtMs, NOW - 60_000);
  const ahead = toRawRecord('t', 0, msg(String(NOW + 5_000)), NOW); // a producer clock 5 s ahead
  assert.equal(ahead.recordTsMs, NOW + 5_000);
  assert.equal(ahead.receivedAtMs, NOW, 'latency stays capped at the clock');
  const none = toRawRecord('t', 0, msg('-1'), NOW); // a pre-0.10 (v0) record
  assert.equal(none.recordTsMs, undefined);
  assert.equal(none.receivedAtMs, NOW);
});
