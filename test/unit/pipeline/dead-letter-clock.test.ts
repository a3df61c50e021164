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
