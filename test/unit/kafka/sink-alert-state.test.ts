/**
 * The alert-state stream (topics.alertState): the sink writes it to the partition the pipeline
 * names (the series' input partition, not the partitioner's choice) and passes tombstones as null
 * values, in the same batch as the alert records; without the topic it writes none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaSink, type BatchSender } from '../../../src/adapters/kafka/sink.ts';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { OutMessage } from '../../../src/pipeline/ports.ts';

const outputs: OutMessage[] = [
  { stream: 'anomalies', key: 's', value: '{"state":"resolved"}', headers: {} },
  { stream: 'alertState', key: '["s","value"]', value: null, headers: {}, partition: 3 },
];

test('alert state goes to its own partition, tombstones as null, in the batch of the alert records', async () => {
  const sent: KafkaJS.ProducerBatch[] = [];
  const out: BatchSender = { sendBatch: async (b) => void sent.push(b) };
  await new KafkaSink(out, { forecasts: 'f', anomalies: 'a', dlq: 'd', alertState: 'st' }).send(outputs);
  assert.equal(sent.length, 1);
  const byTopic = Object.fromEntries((sent[0].topicMessages ?? []).map((t) => [t.topic, t.messages]));
  assert.deepEqual(byTopic.st, [{ key: '["s","value"]', value: null, headers: {}, partition: 3 }]);
  assert.equal(byTopic.a[0].partition, undefined, 'alert records keep the partitioner');
});

test('without topics.alertState nothing is written for it', async () => {
  const sent: KafkaJS.ProducerBatch[] = [];
  await new KafkaSink({ sendBatch: async (b) => void sent.push(b) }, { forecasts: 'f', anomalies: 'a', dlq: 'd' }).send(outputs);
  assert.deepEqual((sent[0].topicMessages ?? []).map((t) => t.topic), ['a']);
});
