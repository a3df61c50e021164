/**
 * input.deadLetterMaxBytes bounds the whole dead letter (key + value + headers), so the producer or
 * the broker never refuses it for good and stops its partition. Until 7 Dec 2026 only the key and
 * value were cut: a reason long enough (a SenML name echoed whole by the RFC 8428 § 4.5.1 refusal,
 * a pack's merged reasons, a long exception message) made `tickcast-error-message` alone larger
 * than the bound, and the dead letter went out over it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../../src/domain/types.ts';
import type { OutMessage } from '../../../src/pipeline/ports.ts';
import { deadLetterMessage, DLQ_HEADERS } from '../../../src/pipeline/dead-letter.ts';
import { decodeRecord } from '../../../src/domain/record-codec.ts';
import { ErrorCodes, recordError } from '../../../src/errors/index.ts';

const bytes = (m: OutMessage): number =>
  (m.key?.length ?? 0) + (m.value?.length ?? 0) + Object.entries(m.headers).reduce((n, [k, v]) => n + Buffer.byteLength(k) + (typeof v === 'string' ? Buffer.byteLength(v) : 0), 0);
const rec = (value: string): RawRecord => ({ key: Buffer.from('gw'), value: Buffer.from(value), headers: {}, source: { topic: 't', partition: 0, offset: '0' }, receivedAtMs: 0 });

test('a reason longer than input.deadLetterMaxBytes is cut to fit, on a UTF-8 boundary, saying so; the record\'s bytes stay whole', () => {
  const r = rec('{"v":1}');
  const m = deadLetterMessage(r, recordError(ErrorCodes.RECORD_PROCESSING_FAILED, `processing this record failed: ${'é'.repeat(50_000)}`), 4096, 0);
  assert.ok(bytes(m) <= 4096, `${bytes(m)} bytes`);
  assert.deepEqual(m.value, r.value, 'the value as it came');
  const msg = String(m.headers[DLQ_HEADERS.message]);
  assert.match(msg, /^processing this record failed: é+… \(cut from 100031 bytes\)$/);
  assert.ok(!msg.includes('\uFFFD'), 'no half character');
  const short = deadLetterMessage(r, recordError(ErrorCodes.RECORD_NOT_JSON, 'not JSON'), 4096, 0);
  assert.equal(short.headers[DLQ_HEADERS.message], 'not JSON', 'a short reason as it was');
});

test('a SenML pack refused for a long name breaking RFC 8428 § 4.5.1: its dead letter fits input.deadLetterMaxBytes, and names the character', () => {
  const name = `dev@${'a'.repeat(30_000)}`;
  const r = rec(JSON.stringify([{ bn: name, bt: 1_700_000_000, v: 1 }]));
  const res = decodeRecord(r.key, r.value, { features: ['v'], maxRecordBytes: 64 * 1024, seriesPattern: /^[A-Za-z0-9._:/@-]{1,128}$/, missingFeature: 'reject', format: 'senml', senmlSeries: 'name' }, 0, undefined);
  assert.ok(!res.ok);
  assert.equal(res.error.code, ErrorCodes.RECORD_BAD_SERIES);
  const m = deadLetterMessage(r, res.error, 4096, 0);
  assert.ok(bytes(m) <= 4096, `${bytes(m)} bytes`);
  assert.match(String(m.headers[DLQ_HEADERS.message]), /^SenML record 0: the name "dev@a+\.\.\. \(bn \+ n\) has "@" at 3; RFC 8428 § 4\.5\.1 allows only/, 'the character and the rule, not cut off behind the name');
});
