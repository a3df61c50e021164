import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaSink, type BatchSender } from '../../../src/adapters/kafka/sink.ts';
import { messageMaxBytes } from '../../../src/adapters/kafka/oversized.ts';
import type { KafkaJS } from '@confluentinc/kafka-javascript';

const topics = { forecasts: 'f', anomalies: 'a', dlq: 'd' };

test('an output over message.max.bytes is sent as a TC_OUTPUT_TOO_LARGE dead letter; the others as they are', async () => {
  const sent: KafkaJS.ProducerBatch[] = [];
  const out: BatchSender = { sendBatch: async (b) => void sent.push(b) };
  const codes: string[] = [];
  const sink = new KafkaSink(out, topics, { maxMessageBytes: 2_000, onDeadLetter: (c) => codes.push(c) });
  await sink.send([
    { stream: 'forecasts', key: 's1', value: 'x'.repeat(100), headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } },
    { stream: 'forecasts', key: 's2', value: 'y'.repeat(1_600), headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', other: 'z' } },
  ]);
  const byTopic = new Map(sent[0].topicMessages!.map((t) => [t.topic, t.messages]));
  assert.equal(byTopic.get('f')!.length, 1, 'the small forecast goes as it is');
  const [d] = byTopic.get('d')!;
  const h = d.headers as Record<string, string>;
  assert.equal(d.key, 's2');
  assert.equal(d.value, '');
  assert.equal(h['tickcast-error-code'], 'TC_OUTPUT_TOO_LARGE');
  assert.equal(h['tickcast-output-topic'], 'f');
  assert.equal(h['tickcast-output-bytes'], String(2 + 1_600 + 'traceparent'.length + 55 + 'other'.length + 1));
  assert.equal(h.traceparent.length, 55, 'the trace context is kept');
  assert.equal(h.other, undefined, 'other headers are not');
  assert.deepEqual(codes, ['TC_OUTPUT_TOO_LARGE']);
});

test('the too-large dead letter keeps B3 and Jaeger trace headers too (OTEL_PROPAGATORS), not others', async () => {
  const sent: KafkaJS.ProducerBatch[] = [];
  const sink = new KafkaSink({ sendBatch: async (b) => void sent.push(b) }, topics, { maxMessageBytes: 2_000, onDeadLetter: () => {} });
  const trace = { 'x-b3-traceid': '0af7651916cd43dd8448eb211c80319c', 'x-b3-spanid': 'b7ad6b7169203331', 'x-b3-sampled': '1', b3: '0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1', 'uber-trace-id': '0af7651916cd43dd8448eb211c80319c:b7ad6b7169203331:0:1', baggage: 'k=v' };
  await sink.send([{ stream: 'forecasts', key: 's', value: 'y'.repeat(2_000), headers: { ...trace, other: 'z' } }]);
  const [d] = sent[0].topicMessages!.find((t) => t.topic === 'd')!.messages;
  const h = d.headers as Record<string, string>;
  assert.deepEqual(Object.fromEntries(Object.keys(trace).map((k) => [k, h[k]])), trace);
  assert.equal(h.other, undefined);
});

test('outputs sent again after a failed send (pipeline/unsent-outputs.ts) count their swap once; a new output counts again', async () => {
  let fail = 2;
  const sent: KafkaJS.ProducerBatch[] = [];
  const out: BatchSender = { sendBatch: async (b) => (fail-- > 0 ? Promise.reject(new Error('leader not available')) : void sent.push(b)) };
  const codes: string[] = [];
  const sink = new KafkaSink(out, topics, { maxMessageBytes: 2_000, onDeadLetter: (c) => codes.push(c) });
  const big = { stream: 'forecasts' as const, key: 's', value: 'y'.repeat(3_000), headers: {} };
  const outputs = [big, { stream: 'forecasts' as const, key: 's', value: 'small', headers: {} }];
  await assert.rejects(sink.send(outputs));
  await assert.rejects(sink.send(outputs));
  await sink.send(outputs);
  assert.deepEqual(codes, ['TC_OUTPUT_TOO_LARGE'], 'one dead letter written, one counted');
  assert.equal(sent[0].topicMessages!.find((t) => t.topic === 'd')!.messages.length, 1);
  await sink.send([{ ...big }]);
  assert.equal(codes.length, 2, 'an equal but new output is another dead letter');
});

test('message.max.bytes from kafka.properties, else librdkafka default', () => {
  assert.equal(messageMaxBytes(undefined), 1_000_000);
  assert.equal(messageMaxBytes({ 'message.max.bytes': '5000' }), 5_000);
  assert.equal(messageMaxBytes({ 'message.max.bytes': 5000 }), 5_000);
  assert.equal(messageMaxBytes({ 'message.max.bytes': 'lots' }), 1_000_000);
});

test('without a limit given, outputs of up to ~1 MB go as they are', async () => {
  const sent: KafkaJS.ProducerBatch[] = [];
  const sink = new KafkaSink({ sendBatch: async (b) => void sent.push(b) }, topics);
  await sink.send([{ stream: 'forecasts', key: 's', value: 'v'.repeat(900_000), headers: {} }]);
  assert.equal(sent[0].topicMessages![0].topic, 'f');
});

test('a failed send is counted by the client error type (tickcast_kafka_produce_failures_total) and thrown as TC_PRODUCE_FAILED naming topics and reason', async () => {
  const { createMetrics } = await import('../../../src/telemetry/metrics.ts');
  const { TelemetryObserver } = await import('../../../src/telemetry/pipeline-observer.ts');
  const m = createMetrics({ defaultMetrics: false });
  const observer = new TelemetryObserver(m, { scoreGaugeSeries: [], scoreGaugeTopK: 5 });
  // The kafkajs-compatible layer's errors carry librdkafka's name in `type`.
  const failures = [Object.assign(new Error('Broker: Message size too large'), { type: 'ERR_MSG_SIZE_TOO_LARGE' }), new Error('no type at all'), Object.assign(new Error('odd'), { type: 'has spaces {' })];
  let i = 0;
  const out: BatchSender = { sendBatch: async () => Promise.reject(failures[i++]) };
  const sink = new KafkaSink(out, topics, { onSendFailed: (e) => observer.produceFailed(e) });
  for (let n = 0; n < 3; n++) {
    await assert.rejects(sink.send([{ stream: 'anomalies', key: 's', value: 'v', headers: {} }]), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'TC_PRODUCE_FAILED');
      assert.match(err.message, /topics a\b/);
      return true;
    });
  }
  const text = await m.registry.metrics();
  assert.match(text, /tickcast_kafka_produce_failures_total\{error="ERR_MSG_SIZE_TOO_LARGE"\} 1/);
  assert.match(text, /tickcast_kafka_produce_failures_total\{error="unknown"\} 2/);
});
