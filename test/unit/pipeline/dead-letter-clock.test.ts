/**
 * A dead letter's `tickcast-failed-at` is the pipeline's clock (injected `now`), not a second clock
 * read of its own: a replay or test with a frozen clock gets the same record every time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadLetterMessage } from '../../../src/pipeline/dead-letter.ts';
import { ErrorCodes, recordError } from '../../../src/errors/index.ts';

test('tickcast-failed-at is the time given, in ISO 8601 UTC', () => {
  const rec = { key: Buffer.from('s'), value: Buffer.from('x'), headers: {}, source: { topic: 't', partition: 0, offset: '7' }, receivedAtMs: 0 };
  const err = recordError(ErrorCodes.RECORD_NOT_JSON, 'not JSON');
  const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
  assert.equal(deadLetterMessage(rec, err, undefined, at).headers['tickcast-failed-at'], '2026-01-02T03:04:05.006Z');
  const before = Date.now();
  const now = Date.parse(deadLetterMessage(rec, err).headers['tickcast-failed-at'] as string);
  assert.ok(now >= before - 1 && now <= Date.now() + 1, 'without a time: now');
});

test('tickcast-source-timestamp: the record\'s own Kafka timestamp (epoch ms), so a re-drive can give it back; absent where the record had none', () => {
  // Before 7 Dec 2026 (evening) a dead letter did not carry it: a re-driven SenML pack with relative times
  // (or a JSON tick read with input.missingTs "kafka") took the re-drive's time as its readings' times.
  const rec = { key: Buffer.from('s'), value: Buffer.from('[{"n":"temp","v":1}]'), headers: {}, source: { topic: 't', partition: 0, offset: '7' }, receivedAtMs: 1_765_000_000_000, recordTsMs: 1_765_000_000_123 };
  const err = recordError(ErrorCodes.RECORD_MISSING_FEATURE, 'no hum');
  assert.equal(deadLetterMessage(rec, err).headers['tickcast-source-timestamp'], '1765000000123');
  const { recordTsMs: _none, ...without } = rec;
  assert.equal(deadLetterMessage(without, err).headers['tickcast-source-timestamp'], undefined);
});
