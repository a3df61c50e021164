/**
 * Hostile records on the feedback topic: each is dead-lettered with TC_FEEDBACK_INVALID and its
 * bytes, and the handler goes on. A value nested 8,000 deep (16 KiB) made the reason's
 * JSON.stringify overflow the stack: the handler threw a plain RangeError, which it treats as a
 * failure to store (not committed, read again) — so one record stopped the feedback intake for good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FeedbackPolicy } from '../../../src/domain/feedback/feedback-policy.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { AlertIndex } from '../../../src/pipeline/alert-index.ts';
import { feedbackRecordHandler } from '../../../src/pipeline/feedback-intake.ts';
import { FeedbackService } from '../../../src/pipeline/feedback-service.ts';
import type { OutMessage } from '../../../src/pipeline/ports.ts';

test('feedback records nested thousands deep, or with 1e400, are dead-lettered with a reason; the good one after them applies', async () => {
  const policy = new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
  const svc = new FeedbackService({ policy, index: new AlertIndex(10), store: null, expectedSpanMs: 60_000 });
  const sent: OutMessage[] = [];
  const handle = feedbackRecordHandler(svc, { send: async (m) => void sent.push(...m) });
  const deep = `${'['.repeat(8000)}${']'.repeat(8000)}`;
  const values = [
    `{"alertId":"k1","verdict":${deep}}`,
    `{"alertId":"k2","verdict":"expected","durationMs":${deep}}`,
    '{"alertId":"k3","verdict":"expected","durationMs":1e400}',
    '{"alertId":"k4","verdict":"confirmed","series":"web:cpu","ts":5000,"score":0.5}',
  ];
  const records = values.map((v, i): RawRecord => ({ key: null, value: Buffer.from(v), headers: {}, source: { topic: 'anomalies.feedback', partition: 0, offset: String(i) }, receivedAtMs: 0 }));
  await handle(records);
  assert.deepEqual(sent.map((m) => [m.headers['tickcast-error-code'], m.headers['tickcast-source-offset']]), [
    ['TC_FEEDBACK_INVALID', '0'],
    ['TC_FEEDBACK_INVALID', '1'],
    ['TC_FEEDBACK_INVALID', '2'],
  ]);
  assert.match(String(sent[0].headers['tickcast-error-message']), /verdict must be one of .*; got an array nested too deeply to show$/);
  assert.match(String(sent[1].headers['tickcast-error-message']), /durationMs must be an integer .*; got an array nested too deeply to show$/);
  assert.match(String(sent[2].headers['tickcast-error-message']), /durationMs must be an integer .*; got Infinity \(a number beyond ±1\.8e308\)$/);
  sent.forEach((m, i) => assert.ok(Buffer.from(values[i]).equals(m.value as Buffer), 'the original bytes'));
  assert.equal(policy.get('k4')?.verdict, 'confirmed');
});

test('a feedback record that is not UTF-8 is dead-lettered with the offset of the bad byte and its bytes, not stored with U+FFFD', async () => {
  const policy = new FeedbackPolicy({ baseBar: 0.4, ceilingBar: 0.7, marginScore: 0.05, falsePositiveHalfLifeMs: 3_600_000, maxPerSeries: 10, maxEntries: 100 });
  const svc = new FeedbackService({ policy, index: new AlertIndex(10), store: null, expectedSpanMs: 60_000 });
  const sent: OutMessage[] = [];
  const handle = feedbackRecordHandler(svc, { send: async (m) => void sent.push(...m) });
  const good = '{"alertId":"k1","verdict":"confirmed","series":"web:cpu","ts":5000,"score":0.5,"note":"caf';
  const values = [
    Buffer.concat([Buffer.from(good), Buffer.from([0xe9]), Buffer.from('"}')]),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"alertId":"k2","verdict":"confirmed","series":"web:cpu","ts":5000,"score":0.5}')]),
    Buffer.from('{"alertId":"k3","verdict":"confirmed","series":"web:cpu","ts":5000,"score":0.5,"note":"café"}'),
  ];
  const records = values.map((v, i): RawRecord => ({ key: null, value: v, headers: {}, source: { topic: 'anomalies.feedback', partition: 0, offset: String(i) }, receivedAtMs: 0 }));
  await handle(records);
  assert.deepEqual(sent.map((m) => [m.headers['tickcast-error-code'], m.headers['tickcast-source-offset']]), [
    ['TC_FEEDBACK_INVALID', '0'],
    ['TC_FEEDBACK_INVALID', '1'],
  ]);
  assert.match(String(sent[0].headers['tickcast-error-message']), new RegExp(`not valid UTF-8 \\(byte 0xe9 at offset ${good.length}\\)`));
  assert.match(String(sent[1].headers['tickcast-error-message']), /byte order mark/);
  sent.forEach((m, i) => assert.ok(values[i].equals(m.value as Buffer), 'the original bytes'));
  assert.equal(policy.get('k1'), undefined, 'nothing stored for the record that is not UTF-8');
  assert.equal(policy.get('k3')?.verdict, 'confirmed', 'UTF-8 text is taken');
});
