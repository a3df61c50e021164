import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTick, type CodecOptions } from '../../../src/domain/tick-codec.ts';
import { parseTimestamp, sentAtMs } from '../../../src/domain/tick-timestamp.ts';

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

// Until 7 Dec 2026 an empty series field with the id in the key (a Go producer's unset string field,
// sent as "") was refused, telling the producer to use the series id as the record key, which it did.
test('an empty series field is no id: the record key is the series, as for an absent or null one', () => {
  for (const v of ['{"series":"","ts":1732060800123,"value":1}', '{"series":null,"ts":1732060800123,"value":1}']) {
    const r = dec(v, 'cpu-1', uni);
    assert.ok(r.ok, v);
    assert.equal(r.tick.series, 'cpu-1');
  }
  const noKey = dec('{"series":"","ts":1732060800123,"value":1}', null, uni);
  assert.ok(!noKey.ok);
  assert.equal(noKey.error.code, 'TC_RECORD_BAD_SERIES');
});

// Until 6 Dec 2026 these said only "ts missing: …" and "neither \"values\" … nor \"value\" … present";
// until 7 Dec 2026 without the setting that reads the record as it is (input.fields).
test('a timestamp or features under another name: the reason names the field the record has and where it belongs', () => {
  const reason = (v: string, o = opts) => {
    const r = dec(v, 'k', o);
    assert.ok(!r.ok);
    return [r.error.code, r.error.message];
  };
  assert.deepEqual(reason('{"timestamp":1732060800123,"values":{"price":1,"volume":2}}'), ['TC_RECORD_BAD_TS', 'ts missing: give epoch milliseconds or an ISO-8601 string; the record has "timestamp": name it "ts", or set input.fields.ts to "timestamp"']);
  assert.deepEqual(reason('{"TS":1732060800123,"value":1}', uni), ['TC_RECORD_BAD_TS', 'ts missing: give epoch milliseconds or an ISO-8601 string; the record has "TS": name it "ts", or set input.fields.ts to "TS"']);
  assert.deepEqual(reason('{"ts":1732060800123,"price":1,"volume":2}'), ['TC_RECORD_MISSING_FEATURE', 'neither "values" (object) nor "value" (number) present; "price", "volume" are at the top level: send {"values":{"price":…,"volume":…}}, or set input.fields.values to "" (features at the top level)']);
  assert.deepEqual(reason('{"ts":1732060800123,"price":1}'), ['TC_RECORD_MISSING_FEATURE', 'neither "values" (object) nor "value" (number) present; "price" is at the top level: send {"values":{"price":…}}, or set input.fields.values to "" (features at the top level)']);
  assert.deepEqual(reason('{"ts":1732060800123,"cpu":0.5}', { ...opts, features: ['cpu'] }), ['TC_RECORD_MISSING_FEATURE', 'neither "values" (object) nor "value" (number) present; "cpu" is at the top level: send {"values":{"cpu":…}} or {"value":…}, or set input.fields.values to "" (features at the top level)']);
  // Nothing like it: the reason as before.
  // No time under a known name (since 7 Dec 2026 the reason names input.missingTs, the way out for a bridge that sends none).
  assert.deepEqual(reason('{"when":1732060800123,"value":1}', uni), ['TC_RECORD_BAD_TS', 'ts missing: give epoch milliseconds or an ISO-8601 string; or set input.missingTs to "kafka" to take the Kafka record timestamp']);
  assert.deepEqual(reason('{"ts":1732060800123,"x":1}'), ['TC_RECORD_MISSING_FEATURE', 'neither "values" (object) nor "value" (number) present']);
});

test('what an IoT producer commonly gets wrong is named: NaN/Infinity (Python json.dumps), the rest of a key split off by kcat -K:, a device id under another name', () => {
  const reason = (v: string) => {
    const r = dec(v, 'site-1', opts);
    assert.ok(!r.ok);
    return [r.error.code, r.error.message];
  };
  // Before 6 Dec 2026 only the parser's own words ("Unexpected token 'N'…").
  const [code, nan] = reason('{"ts":1732060800123,"values":{"price":NaN,"volume":2}}');
  assert.equal(code, 'TC_RECORD_NOT_JSON');
  assert.match(nan, /; NaN and Infinity are not JSON \(Python's json\.dumps writes them unless allow_nan=False\): leave the reading out, or send null — carried forward with input\.missingFeature: carry$/);
  assert.match(reason('{"ts":1732060800123,"value":-Infinity}')[1], /NaN and Infinity are not JSON/);
  const [, split] = reason('dev-40:{"ts":1732060800123,"values":{"price":1,"volume":2}}');
  assert.match(split, /; the value starts with "dev-40:" before a JSON object: a key:value line whose key holds ":" is split at its first ":" \(kcat -K:\); use a delimiter no series id holds, e\.g\. kcat -K'\|'$/);
  // A device id under another name, no key: the reason names it (before: "series id missing" alone).
  const noKey = (v: string) => {
    const r = dec(v, null, opts);
    assert.ok(!r.ok);
    return r.error.message;
  };
  assert.equal(noKey('{"device_id":"dev-8","ts":1732060800123,"values":{"price":1,"volume":2}}'), 'series id missing: set "series" in the value or use the series id as the record key; the record has "device_id": name it "series", or set input.fields.series to "device_id"');
  assert.match(noKey('{"deviceId":"dev-8","ts":1732060800123,"value":1}'), /; the record has "deviceId": name it "series", or set input.fields.series to "deviceId"$/);
  assert.match(noKey('{"sensor":"t-1","ts":1732060800123,"value":1}'), /; the record has "sensor": name it "series", or set input.fields.series to "sensor"$/);
  assert.equal(noKey('{"ts":1732060800123,"value":1}'), 'series id missing: set "series" in the value or use the series id as the record key');
  assert.equal(noKey('{"series":"","ts":1732060800123,"value":1}'), 'series id missing: set "series" in the value or use the series id as the record key');
  // No guess where there is nothing to go on.
  assert.match(reason('{oops')[1], /^value is not valid JSON \([^;]*\)$/); // no hint ("; …"); Node 24 nests "(line 1 column 2)" in the parser message
  assert.match(reason('{"ts":1,"note":"NaN"')[1], /^value is not valid JSON \([^;]*\)$/);
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
    // The reason names the mistake: a unit 1000× off, digits in a string, a series that is not a string.
    ['{"series":"a","ts":1732060800,"value":1}', null, 'TC_RECORD_BAD_TS', /looks like epoch seconds: send milliseconds, × 1000/],
    ['{"series":"a","ts":1732060800123456,"value":1}', null, 'TC_RECORD_BAD_TS', /looks like epoch microseconds: send milliseconds, ÷ 1000\)/],
    ['{"series":"a","ts":1732060800123456789,"value":1}', null, 'TC_RECORD_BAD_TS', /looks like epoch nanoseconds/],
    ['{"series":"a","ts":9e12,"value":1}', null, 'TC_RECORD_BAD_TS', /out of range: tickcast accepts 1973–2200/],
    ['{"series":"a","ts":"1732060800123","value":1}', null, 'TC_RECORD_BAD_TS', /a string of digits: send epoch ms as a JSON number/],
    // A tick's ts is an instant: the CLI's file forms (src/data/time.ts: periods 2024W01, 2024Q1, 2024Jan,
    // 2024-01, dotted and slashed dates, BigQuery's " UTC") are not read on the wire (checked 7 Dec 2026).
    ...['2024W01', '2024-W01', '2024Q1', '2024-Q1', '2024S1', '2024Jan', '2024-01', '31.01.2024', '2024/01/31 13:00', '2024-01-01 00:00:00 UTC'].map(
      (t): [string, null, string, RegExp] => [`{"series":"a","ts":"${t}","value":1}`, null, 'TC_RECORD_BAD_TS', /ts must be epoch ms or ISO-8601/],
    ),
    // An integer series is its id since 7 Dec 2026 (tick-fields.test.ts); a fraction or a boolean is not.
    ['{"series":42.5,"ts":1732060800123,"value":1}', 'k', 'TC_RECORD_BAD_SERIES', /"series" must be a string or an integer; got 42.5 \(a number with a fraction/],
    ['{"series":true,"ts":1732060800123,"value":1}', 'k', 'TC_RECORD_BAD_SERIES', /"series" must be a string or an integer; got true/],
    ['{"series":"a","ts":1732060800123,"value":" 20.5"}', null, 'TC_RECORD_BAD_VALUE', /a number in a string: send it as a JSON number/],
    ['{"series":"a","ts":1732060800123,"values":{"value":"1e3"}}', null, 'TC_RECORD_BAD_VALUE', /^feature "value" in "values" must be a finite number; got "1e3" \(a number in a string/],
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

test("missingFeature 'carry' refuses a tick with none of the features: carrying them all would make up a whole reading", () => {
  const carry = { ...opts, missingFeature: 'carry' as const };
  for (const v of ['{}', '{"price":null,"volume":null}', '{"Price":1,"vol":2}', '{"constructor":1}']) {
    const r = dec(`{"series":"a","ts":1732060800123,"values":${v}}`, null, carry);
    assert.ok(!r.ok, v);
    assert.equal(r.error.code, 'TC_RECORD_MISSING_FEATURE', v);
    assert.match(r.error.message, /"values" has none of the configured features \(price, volume\)/, v);
  }
  // A feature named like an Object.prototype member is read from the record only.
  const proto = dec('{"series":"a","ts":1732060800123,"values":{"x":1}}', null, { ...carry, features: ['x', 'constructor'] });
  assert.ok(proto.ok);
  assert.ok(Number.isNaN(proto.tick.values[1]), 'constructor is missing, not Object');
});

test('values up to |1e150| are accepted; beyond it the record is refused naming the feature, value and bound', () => {
  for (const v of ['1e150', '-1e150', '0', '-3.5e149']) {
    const r = dec(`{"series":"a","ts":1732060800123,"value":${v}}`, null, uni);
    assert.ok(r.ok, v);
    assert.equal(r.tick.values[0], Number(v));
  }
  const cases: Array<[string, string]> = [
    ['{"series":"a","ts":1732060800123,"value":1.0000001e150}', 'value'],
    ['{"series":"a","ts":1732060800123,"value":1e308}', 'value'],
    ['{"series":"a","ts":1732060800123,"values":{"price":1,"volume":-1e200}}', 'volume'],
    ['{"series":"a","ts":1732060800123,"values":{"price":1e308,"volume":1}}', 'price'],
  ];
  for (const [v, feature] of cases) {
    const r = dec(v, null, feature === 'value' ? uni : opts);
    assert.ok(!r.ok, `${v} must be refused`);
    assert.equal(r.error.code, 'TC_RECORD_BAD_VALUE', v);
    assert.match(r.error.message, new RegExp(`feature "${feature}" is -?1(\\.0000001)?e\\+(150|200|308); tickcast accepts values with \\|value\\| ≤ 1e\\+150`), v);
  }
});

test("missingFeature 'carry' still passes NaN gaps through the value bound", () => {
  const carry = { ...opts, missingFeature: 'carry' as const };
  const r = dec('{"series":"a","ts":1732060800123,"values":{"price":1e150}}', null, carry);
  assert.ok(r.ok);
  assert.equal(r.tick.values[0], 1e150);
  assert.ok(Number.isNaN(r.tick.values[1]));
  const big = dec('{"series":"a","ts":1732060800123,"values":{"volume":2e150}}', null, carry);
  assert.ok(!big.ok && big.error.code === 'TC_RECORD_BAD_VALUE' && /"volume"/.test(big.error.message));
});

test('valid ISO-8601 forms keep their epoch ms', () => {
  const cases: Array<[string, number]> = [
    ['2024-11-20T01:30:00Z', Date.UTC(2024, 10, 20, 1, 30)],
    ['2024-11-20T01:30:00+02:00', Date.UTC(2024, 10, 19, 23, 30)],
    ['2024-11-20T01:30:00-0230', Date.UTC(2024, 10, 20, 4, 0)],
    ['2024-11-20T01:30Z', Date.UTC(2024, 10, 20, 1, 30)],
    ['2024-11-20T01:30', Date.UTC(2024, 10, 20, 1, 30)],
    ['2024-11-20T01:30:00.25Z', Date.UTC(2024, 10, 20, 1, 30, 0, 250)],
    // A fraction past the millisecond is kept to the microsecond, as epoch seconds' is (until 7 Dec 2026 cut to the ms).
    ['2024-11-20T01:30:00.123456789Z', Date.UTC(2024, 10, 20, 1, 30, 0, 123) + 0.457],
    ['2024-11-20T01:30:00.0000004Z', Date.UTC(2024, 10, 20, 1, 30)],
    ['2024-11-20T01:30:59.9999996Z', Date.UTC(2024, 10, 20, 1, 31)],
    ['2024-11-20', Date.UTC(2024, 10, 20)],
    ['2024-11-20 01:30:00', Date.UTC(2024, 10, 20, 1, 30)],
    ['2024-11-20 01:30:00+01:00', Date.UTC(2024, 10, 20, 0, 30)],
    [' 2024-11-20T01:30:00Z ', Date.UTC(2024, 10, 20, 1, 30)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29', Date.UTC(2000, 1, 29)],
    ['2024-12-31T23:59:59.999Z', Date.UTC(2024, 11, 31, 23, 59, 59, 999)],
    ['1973-03-03T09:46:40Z', 1e11],
    ['2200-12-31T23:59:59Z', Date.UTC(2200, 11, 31, 23, 59, 59)],
    // An hour-only offset, as PostgreSQL/TimescaleDB write timestamptz, and RFC 3339's lower-case t and z.
    ['2024-11-20 01:30:00+00', Date.UTC(2024, 10, 20, 1, 30)],
    ['2024-11-20 01:30:00.123456+05', Date.UTC(2024, 10, 19, 20, 30, 0, 123) + 0.456],
    ['2024-11-20T01:30:00-03', Date.UTC(2024, 10, 20, 4, 30)],
    ['2024-11-20t01:30:00z', Date.UTC(2024, 10, 20, 1, 30)],
  ];
  for (const [s, ms] of cases) assert.equal(parseTimestamp(s), ms, s);
  // Trades stamped in microseconds (Python's isoformat(), pandas, exchange feeds): two in one millisecond are two
  // ticks, the same ts as the number a producer would send (until 7 Dec 2026 one ts, the second a duplicate).
  const trades = ['2024-11-20T01:30:00.123456Z', '2024-11-20T01:30:00.123789Z'].map((t) => dec(`{"series":"BTC-USD","ts":"${t}","value":1}`, null, uni));
  assert.deepEqual(trades.map((r) => r.ok && r.tick.tsMs), [1732066200123.456, 1732066200123.789]);
  for (const s of ['2024-11-20T01:30:00+24', '2024-11-20T01:30:00+05:99', '2024-11-20T01:30:00+5', '2024-11-20T01:30:00+053']) assert.equal(parseTimestamp(s), null, s);
  // numbers (and numeric strings) are read as before
  assert.equal(parseTimestamp(1732060800123), 1732060800123);
  assert.equal(parseTimestamp(1732060800), null);
  assert.equal(parseTimestamp('1732060800123'), null);
});

test('ISO timestamps outside 1973–2200 or not on the calendar are refused with TC_RECORD_BAD_TS', () => {
  const cases: Array<[string, RegExp]> = [
    ['9999-12-31T23:59:59Z', /out of range: tickcast accepts 1973–2200/],
    ['0001-01-01T00:00:00Z', /out of range: tickcast accepts 1973–2200/],
    ['1972-12-31T23:59:59Z', /out of range/],
    ['2202-01-01', /out of range/],
    ['2024-02-30T00:00:00Z', /not a calendar date/],
    ['2023-02-29T00:00:00Z', /not a calendar date/],
    ['1900-02-29', /not a calendar date/],
    ['2024-04-31', /not a calendar date/],
    ['2024-00-10T00:00:00Z', /not a calendar date/],
    ['2024-13-01T00:00:00Z', /not a calendar date/],
    ['2024-01-00', /not a calendar date/],
    ['2024-01-01T24:00:00Z', /not a calendar date/],
    ['2024-01-01 24:00', /not a calendar date/],
    ['2024-01-01T23:60:00Z', /not a calendar date/],
    ['2024-01-01T23:59:60Z', /not a calendar date/],
    ['2024-01-01T00:00:00+24:00', /epoch ms or ISO-8601/],
  ];
  for (const [ts, msg] of cases) {
    assert.equal(parseTimestamp(ts), null, ts);
    const r = dec(JSON.stringify({ series: 'a', ts, value: 1 }), null, uni);
    assert.ok(!r.ok, `${ts} must be refused`);
    assert.equal(r.error.code, 'TC_RECORD_BAD_TS', ts);
    assert.match(r.error.message, msg, ts);
    assert.ok(r.error.message.includes(ts), `${ts}: the message quotes the ts`);
  }
});

test('maxFutureMs: a ts further ahead of the given clock is refused with how far; at the bound, without a clock or with 0 it is not', () => {
  const now = Date.UTC(2026, 0, 1);
  const bounded = { ...uni, maxFutureMs: 86_400_000 };
  const at = (ts: number, o: CodecOptions, clock: number | null = now) => decodeTick(null, Buffer.from(`{"series":"a","ts":${ts},"value":1}`), o, clock ?? undefined);
  const far = at(Date.UTC(2099, 0, 1), bounded);
  assert.ok(!far.ok && far.error.code === 'TC_RECORD_BAD_TS');
  assert.match(far.error.message, /^ts 2099-01-01T00:00:00\.000Z is 26700 days ahead of when it was sent \(its Kafka timestamp, at most this host's clock\); the bound is 24 h \(input\.maxFutureMs\)/);
  assert.match(far.error.message, /Every series refused by about as much: this host's clock is behind \(docs\/runbook\.md/, 'the one cause on the service side is named');
  // A host clock 30 h behind the producers: a tick stamped now (its Kafka timestamp too) is 30 h "ahead".
  const behind = decodeTick(null, Buffer.from(`{"series":"a","ts":${now},"value":1}`), bounded, sentAtMs(now, now - 30 * 3_600_000));
  assert.ok(!behind.ok && behind.error.code === 'TC_RECORD_BAD_TS' && /is 30 h ahead of when it was sent/.test(behind.error.message));
  assert.ok(!at(now + 86_400_001, bounded).ok);
  assert.ok(at(now + 86_400_000, bounded).ok, 'at the bound');
  assert.ok(at(Date.UTC(2099, 0, 1), bounded, null).ok, 'no clock given (tools replaying files)');
  assert.ok(at(Date.UTC(2099, 0, 1), { ...bounded, maxFutureMs: 0 }).ok, '0: no bound');
});

test('sentAtMs: a record\'s Kafka timestamp, never later than the clock; the clock without one', () => {
  assert.equal(sentAtMs(1_000, 5_000), 1_000, 'read later (a restart, a lagging consumer): when it was sent');
  assert.equal(sentAtMs(9_000, 5_000), 5_000, 'a producer clock ahead of this host: the clock');
  assert.equal(sentAtMs(0, 5_000), 5_000, 'no timestamp');
});

test('the default input.seriesPattern refuses the ids "." and ".." (browsers resolve them as path segments), with a reason that says so; ids merely holding dots pass', async () => {
  const { loadConfig } = await import('../../../src/config/load.ts');
  const dflt: CodecOptions = { ...uni, seriesPattern: new RegExp(loadConfig({ env: {} }).input.seriesPattern) };
  for (const id of ['.', '..']) {
    for (const [v, key] of [[`{"series":"${id}","ts":1732060800123,"value":1}`, null], ['{"ts":1732060800123,"value":1}', id]] as const) {
      const r = dec(v, key, dflt);
      assert.ok(!r.ok, `${id} refused`);
      assert.equal(r.error.code, 'TC_RECORD_BAD_SERIES');
      assert.match(r.error.message, /is refused: browsers and fetch\(\) resolve/);
    }
  }
  for (const id of ['...', '.a', 'a.', 'a..b', 'a/..', '../x', 'v1.2', 'x'.repeat(128)]) assert.ok(dec(`{"series":"${id}","ts":1732060800123,"value":1}`, null, dflt).ok, id);
  assert.ok(!dec(`{"series":"${'x'.repeat(129)}","ts":1732060800123,"value":1}`, null, dflt).ok, 'still at most 128 characters');
  const custom = dec('{"series":"..","ts":1732060800123,"value":1}', null, { ...uni, seriesPattern: /^[.a-z]+$/ });
  assert.ok(custom.ok, 'a pattern of the operator\'s own that allows them still does');
});

test('a market symbol the series pattern refuses: the reason names the character and how to allow it', () => {
  // Was: 'series id "ES=F" does not match ^(?!\.{1,2}$)[A-Za-z0-9._:/@-]{1,128}$ (input.seriesPattern)' —
  // which character, and where to change it, left to the reader of the regex.
  const pattern = /^(?!\.{1,2}$)[A-Za-z0-9._:/@-]{1,128}$/;
  const reason = (series: string) => {
    const r = dec(JSON.stringify({ series, ts: 1732060800123, values: { price: 1, volume: 0 } }), null, { ...opts, seriesPattern: pattern });
    assert.ok(!r.ok && r.error.code === 'TC_RECORD_BAD_SERIES');
    return r.error.message;
  };
  const future = reason('ES=F');
  assert.match(future, /^series id "ES=F" does not match .* \(input\.seriesPattern\): "=" is not allowed; to take such ids set input\.seriesPattern \(TICKCAST_INPUT_SERIES_PATTERN\)/);
  // The suggested pattern takes the symbol, and still refuses "." and "..".
  const suggested = new RegExp(/e\.g\. (\S+),/.exec(future)![1]);
  assert.ok(suggested.test('ES=F') && suggested.test('BRK.B') && !suggested.test('.') && !suggested.test('..'));
  const index = reason('^GSPC');
  assert.match(index, /"\^" is not allowed/);
  assert.ok(new RegExp(/e\.g\. (\S+),/.exec(index)![1]).test('^GSPC'));
  assert.match(reason('BRK B'), /" " is not allowed; .*TICKCAST_INPUT_SERIES_PATTERN/);
  assert.match(reason('x'.repeat(129)), /: it is 129 characters long$/);
  assert.match(reason('.'), /browsers and fetch\(\) resolve/);
});

test('a refused series id both too long and with a refused character: the reason says both, and offers no pattern that would still refuse it', () => {
  // Was: '"=" is not allowed; ... e.g. ^(?!\.{1,2}$)[A-Za-z0-9._:/@=-]{1,128}$' for a 130-character id:
  // the offered pattern took the "=" but refused the id all the same (its length went unsaid).
  const pattern = /^(?!\.{1,2}$)[A-Za-z0-9._:/@-]{1,128}$/;
  const series = `${'x'.repeat(128)}=F`;
  const r = dec(JSON.stringify({ series, ts: 1732060800123, values: { price: 1, volume: 0 } }), null, { ...opts, seriesPattern: pattern });
  assert.ok(!r.ok && r.error.code === 'TC_RECORD_BAD_SERIES');
  assert.match(r.error.message, /: "=" is not allowed, and it is 130 characters long;/);
  const offered = /e\.g\. (\S+),/.exec(r.error.message);
  assert.ok(offered === null || new RegExp(offered[1]).test(series), `an offered pattern must take the id: ${r.error.message}`);
});

// Until 7 Dec 2026 epoch seconds (IoT firmware's usual stamp) were refused whatever the setting: there was none.
test('input.tsUnit "s": a numeric ts is epoch seconds, its fraction kept to the microsecond; ISO strings alike; the range and the hints follow the unit', () => {
  const secs: CodecOptions = { ...uni, tsUnit: 's' };
  const tsOf = (v: string, o = secs) => {
    const r = dec(v, 'k', o);
    assert.ok(r.ok, v);
    return r.tick.tsMs;
  };
  assert.equal(tsOf('{"ts":1732060800,"value":1}'), 1732060800000);
  assert.equal(tsOf('{"ts":1732060800.123,"value":1}'), 1732060800123);
  // × 1000 alone gives 1732060800823.3792: the sent microseconds are kept as sent.
  assert.equal(tsOf('{"ts":1732060800.823379,"value":1}'), 1732060800823.379);
  assert.equal(tsOf('{"ts":"2024-11-20T00:00:00Z","value":1}'), Date.UTC(2024, 10, 20));
  assert.equal(tsOf('{"ts":1732060800123,"value":1}', { ...uni, tsUnit: 'ms' }), 1732060800123, "'ms' as without the option");
  const reason = (v: string, o = secs) => {
    const r = dec(v, 'k', o);
    assert.equal(r.ok, false, v);
    return r.ok ? '' : `${r.error.code} ${r.error.message}`;
  };
  assert.equal(reason('{"ts":1732060800123,"value":1}'), 'TC_RECORD_BAD_TS ts must be epoch seconds (input.tsUnit "s") or ISO-8601; got 1732060800123 (it looks like epoch milliseconds: send seconds, ÷ 1000, or set input.tsUnit to "ms")');
  assert.equal(reason('{"ts":1732060800123456,"value":1}'), 'TC_RECORD_BAD_TS ts must be epoch seconds (input.tsUnit "s") or ISO-8601; got 1732060800123456 (it looks like epoch microseconds: send seconds, ÷ 1,000,000)');
  assert.match(reason('{"ts":1732060800123456789,"value":1}'), /\(it looks like epoch nanoseconds: send seconds, ÷ 1,000,000,000\)$/);
  // The range is checked after the conversion: 1973–2200 in seconds, whatever the unit looks like.
  assert.match(reason('{"ts":99999999,"value":1}'), /got 99999999 \(out of range: tickcast accepts 1973–2200, 100000000 to 7300000000\)$/);
  assert.match(reason('{"ts":7300000001,"value":1}'), /out of range/);
  assert.match(reason('{"ts":"1732060800","value":1}'), /a string of digits: send epoch seconds as a JSON number\)$/);
  assert.match(reason('{"value":1}'), /^TC_RECORD_BAD_TS ts missing: give epoch seconds or an ISO-8601 string/);
  // Under 'ms' (the default) seconds are refused as before, the hint naming the setting.
  assert.match(reason('{"ts":1732060800.123,"value":1}', uni), /\(it looks like epoch seconds: send milliseconds, × 1000, or set input.tsUnit to "s"\)$/);
});

// input.tsUnit "auto" (since 7 Dec 2026): before, a topic where some devices stamp seconds and others
// ms lost one kind to the dead-letter topic whatever the setting ("ms" or "s").
test('input.tsUnit "auto": a numeric ts below 1e11 is seconds, from 1e11 ms — one reading per number over 1973–2200; the gap and other units refused', () => {
  const auto: CodecOptions = { ...uni, tsUnit: 'auto' };
  const tsOf = (ts: number) => {
    const r = dec(`{"ts":${ts},"value":1}`, 'k', auto);
    assert.ok(r.ok, String(ts));
    return r.tick.tsMs;
  };
  assert.equal(tsOf(1732060800), 1732060800000);
  assert.equal(tsOf(1732060800.823379), 1732060800823.379);
  assert.equal(tsOf(1732060800123), 1732060800123);
  assert.equal(tsOf(1732060800123.5), 1732060800123.5);
  // The ends of both ranges: 1973-03-03 and 2200 in either unit.
  assert.equal(tsOf(1e8), 1e11);
  assert.equal(tsOf(7.3e9), 7.3e12);
  assert.equal(tsOf(1e11), 1e11);
  assert.equal(tsOf(7.3e12), 7.3e12);
  const reason = (ts: number | string) => {
    const r = dec(`{"ts":${typeof ts === 'string' ? ts : String(ts)},"value":1}`, 'k', auto);
    assert.equal(r.ok, false, String(ts));
    return r.ok ? '' : `${r.error.code} ${r.error.message}`;
  };
  // Between the ranges: seconds after 2200 or ms before 1973 — neither is taken.
  assert.equal(reason(5e10), 'TC_RECORD_BAD_TS ts must be epoch seconds or ms (input.tsUnit "auto") or ISO-8601; got 50000000000 (out of range: tickcast accepts 1973–2200, 100000000 to 7300000000 as seconds or 100000000000 to 7300000000000 as ms)');
  assert.match(reason(99999999), /\(out of range: /, 'before 1973 in seconds (a clock reset to 1970 plus uptime)');
  assert.equal(reason(1732060800123456), 'TC_RECORD_BAD_TS ts must be epoch seconds or ms (input.tsUnit "auto") or ISO-8601; got 1732060800123456 (it looks like epoch microseconds: send milliseconds, ÷ 1000)');
  assert.match(reason('1732060800123456789'), /\(it looks like epoch nanoseconds: send milliseconds, ÷ 1,000,000\)$/);
  assert.match(reason('{}'), /^TC_RECORD_BAD_TS ts must be epoch seconds or ms/);
  const none = dec('{"value":1}', 'k', auto);
  assert.ok(!none.ok && /^ts missing: give epoch seconds or milliseconds or an ISO-8601 string/.test(none.error.message));
  assert.equal(dec('{"ts":"2024-11-20T00:00:00Z","value":1}', 'k', auto).ok, true, 'ISO strings as under each unit');
});
