import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTick, parseTimestamp, type CodecOptions } from '../../../src/domain/tick-codec.ts';

const opts: CodecOptions = { features: ['price', 'volume'], maxRecordBytes: 1024, seriesPattern: /^[A-Za-z0-9._:-]{1,32}$/, missingFeature: 'reject' };
const uni: CodecOptions = { ...opts, features: ['value'] };
const dec = (v: string | null, key: string | null = null, o = opts) => decodeTick(key === null ? null : Buffer.from(key), v === null ? null : Buffer.from(v), o);

test('decodes the documented multivariate shape in feature order', () => {
  const r = dec('{"series":"AAPL","ts":1732060800123,"values":{"volume":1200,"price":187.3,"extra":1}}');
  assert.ok(r.ok);
  assert.equal(r.tick.series, 'AAPL');
  assert.equal(r.tick.tsMs, 1732060800123);
  assert.deepEqual(Array.from(r.tick.values), [187.3, 1200]);
});

test('univariate value, series from the key, ISO-8601 timestamps (naive = UTC)', () => {
  const r = dec('{"ts":"2024-11-20T00:00:00Z","value":5}', 'cpu-1', uni);
  assert.ok(r.ok);
  assert.equal(r.tick.series, 'cpu-1');
  assert.equal(r.tick.tsMs, Date.UTC(2024, 10, 20));
  assert.equal(parseTimestamp('2024-11-20 01:30:00'), Date.UTC(2024, 10, 20, 1, 30));
  assert.equal(parseTimestamp('2024-11-20T01:30:00+01:00'), Date.UTC(2024, 10, 20, 0, 30));
});

test('every malformed input gets its own code and a message that says what to send', () => {
  const cases: Array<[string | null, string | null, string, RegExp]> = [
    [null, 'k', 'TC_RECORD_INVALID', /no value/],
    ['{oops', 'k', 'TC_RECORD_NOT_JSON', /not valid JSON/],
    ['"str"', 'k', 'TC_RECORD_INVALID', /JSON object/],
    ['{"ts":1732060800123,"value":1}', null, 'TC_RECORD_BAD_SERIES', /series id missing/],
    ['{"series":"a b","ts":1732060800123,"value":1}', null, 'TC_RECORD_BAD_SERIES', /does not match/],
    ['{"series":"a","value":1}', null, 'TC_RECORD_BAD_TS', /ts missing/],
    ['{"series":"a","ts":1732060800,"value":1}', null, 'TC_RECORD_BAD_TS', /epoch ms/],
    ['{"series":"a","ts":"yesterday","value":1}', null, 'TC_RECORD_BAD_TS', /"yesterday"/],
    ['{"series":"a","ts":1732060800123,"value":"1"}', null, 'TC_RECORD_BAD_VALUE', /finite number/],
    ['{"series":"a","ts":1732060800123,"value":1e999}', null, 'TC_RECORD_BAD_VALUE', /finite number/],
    ['{"series":"a","ts":1732060800123}', null, 'TC_RECORD_MISSING_FEATURE', /neither/],
  ];
  for (const [v, k, code, msg] of cases) {
    const r = dec(v, k, uni);
    assert.equal(r.ok, false, `${v} must be refused`);
    if (!r.ok) {
      assert.equal(r.error.code, code, `${v}`);
      assert.match(r.error.message, msg);
    }
  }
  const missing = dec('{"series":"a","ts":1732060800123,"values":{"price":1}}');
  assert.ok(!missing.ok && missing.error.code === 'TC_RECORD_MISSING_FEATURE' && /volume/.test(missing.error.message));
  const big = dec(JSON.stringify({ series: 'a', ts: 1732060800123, value: 1, pad: 'x'.repeat(2000) }), null, uni);
  assert.ok(!big.ok && big.error.code === 'TC_RECORD_TOO_LARGE');
});

test("missingFeature 'carry' marks the gap as NaN for the window store to fill", () => {
  const r = dec('{"series":"a","ts":1732060800123,"values":{"price":1}}', null, { ...opts, missingFeature: 'carry' });
  assert.ok(r.ok);
  assert.equal(r.tick.values[0], 1);
  assert.ok(Number.isNaN(r.tick.values[1]));
});
