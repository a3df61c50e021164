/**
 * SenML packs (RFC 8428) as input (input.format "senml", since 7 Dec 2026): resolution of base
 * values, absolute and relative times, both series mappings, what is skipped and counted, and the
 * refusals — each refusing the whole pack with a TC_RECORD_* code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeRecord, type RecordCodecOptions } from '../../../src/domain/record-codec.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { ErrorCodes } from '../../../src/errors/index.ts';

const SENT = Date.UTC(2026, 11, 7, 8, 0, 0);
const T0 = 1_732_060_800; // 2024-11-20T00:00:00Z in seconds
const base: RecordCodecOptions = { features: ['temp'], maxRecordBytes: 65536, seriesPattern: /^[A-Za-z0-9._:/@-]{1,128}$/, missingFeature: 'reject', maxFutureMs: 86_400_000, format: 'senml' };
const decode = (pack: unknown, opts: Partial<RecordCodecOptions> = {}, key: string | null = null) =>
  decodeRecord(key === null ? null : Buffer.from(key), Buffer.from(typeof pack === 'string' ? pack : JSON.stringify(pack)), { ...base, ...opts }, SENT);
const ticks = (pack: unknown, opts: Partial<RecordCodecOptions> = {}, key: string | null = null) => {
  const r = decode(pack, opts, key);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.ticks.map((t) => [t.series, t.tsMs, ...t.values]);
};
const refusal = (pack: unknown, opts: Partial<RecordCodecOptions> = {}) => {
  const r = decode(pack, opts);
  assert.ok(!r.ok, 'refused');
  return [r.error.code, r.error.message];
};

test('name mode: bn + n is the series, bt + t the time (s), bv + v the value; ticks in time order', () => {
  const pack = [
    { bn: 'urn:dev:mac:0024befffe804ff1:', bt: T0, bv: 20, n: 'temp', v: 1.5, t: 60 },
    { n: 'temp', v: 1.25 },
    { n: 'cpu', v: -20 },
    { bn: 'dev2/', n: 'temp', t: 30.5, v: 0 },
  ];
  assert.deepEqual(ticks(pack), [
    ['urn:dev:mac:0024befffe804ff1:temp', T0 * 1000, 21.25],
    ['urn:dev:mac:0024befffe804ff1:cpu', T0 * 1000, 0],
    ['dev2/temp', T0 * 1000 + 30_500, 20],
    ['urn:dev:mac:0024befffe804ff1:temp', T0 * 1000 + 60_000, 21.5],
  ]);
});

test('a time below 2^28 s is relative to when the record was sent; none is "now"', () => {
  assert.deepEqual(ticks([{ n: 'a', v: 1, t: -120 }, { n: 'b', v: 2 }, { n: 'c', bt: -60, t: 10, v: 3 }]), [
    ['a', SENT - 120_000, 1],
    ['c', SENT - 50_000, 3],
    ['b', SENT, 2],
  ]);
});

test('baseName mode: one tick per bn and time, n the feature; other names skipped and counted', () => {
  const opts = { features: ['temp', 'hum'], senmlSeries: 'baseName' as const };
  const r = decode([{ bn: 'room-1', bt: T0, n: 'temp', v: 21 }, { n: 'hum', v: 40 }, { n: 'co2', v: 600 }, { n: 'temp', t: 60, v: 22 }, { n: 'hum', t: 60, v: 41 }, { n: 'door', vb: true }], opts);
  assert.ok(r.ok);
  assert.deepEqual(r.ticks.map((t) => [t.series, t.tsMs, ...t.values]), [['room-1', T0 * 1000, 21, 40], ['room-1', T0 * 1000 + 60_000, 22, 41]]);
  assert.deepEqual(r.skipped, { not_numeric: 1, other_name: 1, name_case: 0, repeated: 0 });
  // No bn: the record key is the series.
  assert.deepEqual(ticks([{ n: 'temp', v: 1, t: T0 }, { n: 'hum', v: 2, t: T0 }], opts, 'gw-7'), [['gw-7', T0 * 1000, 1, 2]]);
});

test('baseName mode: the series is bn without the separator it ends with (RFC 8428: "urn:dev:ow:10e2073a01080063:" + "temp")', () => {
  // From its release (7 Dec 2026) until later that day the series id kept the separator: "urn:dev:mac:0024befffe804ff1:".
  const opts = { features: ['temp'], senmlSeries: 'baseName' as const };
  const series = (bn: string): string => ticks([{ bn, bt: T0, n: 'temp', v: 1 }], opts)[0][0] as string;
  assert.equal(series('urn:dev:mac:0024befffe804ff1:'), 'urn:dev:mac:0024befffe804ff1');
  assert.equal(series('/3303/0/'), '/3303/0', 'LwM2M: the object instance');
  assert.equal(series('site.room-1.'), 'site.room-1');
  assert.equal(series('room-1'), 'room-1', 'no separator: unchanged');
  assert.equal(series('room-1_'), 'room-1_', 'only ":", "/" and "." are separators');
  assert.equal(series('/'), '/', 'a bn that is only a separator stays whole');
  // "dev:" and "dev" are one device: their readings at one time make one tick.
  assert.deepEqual(ticks([{ bn: 'dev:', bt: T0, n: 'temp', v: 1 }, { bn: 'dev', n: 'temp', v: 1 }], opts), [['dev', T0 * 1000, 1]]);
  // 'name' mode keeps the whole resolved name.
  assert.deepEqual(ticks([{ bn: 'dev:', bt: T0, n: 'temp', v: 1 }]), [['dev:temp', T0 * 1000, 1]]);
});

test('baseName mode: the separator in n instead of bn ("dev1" + ":temp") is the same SenML name: device "dev1", feature "temp"', () => {
  // Before 7 Dec 2026 (night) n ":temp" matched no feature: every reading skipped as other_name, the device never ticked.
  const opts = { features: ['temp', 'hum'], senmlSeries: 'baseName' as const };
  const pack = [{ bn: 'urn:dev:mac:0024befffe804ff1', bt: T0, n: ':temp', v: 21 }, { n: ':hum', v: 40 }];
  assert.deepEqual(ticks(pack, opts), [['urn:dev:mac:0024befffe804ff1', T0 * 1000, 21, 40]]);
  assert.deepEqual(ticks([{ bn: '/3303/0', bt: T0, n: '/temp', v: 1 }, { n: '/hum', v: 2 }], opts), [['/3303/0', T0 * 1000, 1, 2]], 'LwM2M split the other way');
  assert.deepEqual(ticks([{ bn: 'dev:', bt: T0, n: 'temp', v: 1 }, { bn: 'dev', n: ':hum', v: 2 }], opts), [['dev', T0 * 1000, 1, 2]], 'either split: one device, one tick');
  const both = decode([{ bn: 'dev:', bt: T0, n: ':temp', v: 1 }], { ...opts, missingFeature: 'carry' });
  assert.ok(both.ok && both.ticks.length === 0 && both.skipped?.other_name === 1, 'a separator on both sides ("dev::temp") is another name: skipped');
});

test('baseName mode: a name differing from a feature only in case is not taken (SenML names are case-sensitive) but counted as name_case', () => {
  // Before, "Temp" for feature "temp" was counted as other_name, like any unknown name: a firmware that changed its case looked like one that sent nothing.
  const opts = { features: ['temp', 'hum'], senmlSeries: 'baseName' as const, missingFeature: 'carry' as const };
  const r = decode([{ bn: 'd', bt: T0, n: 'Temp', v: 21 }, { n: 'HUM', v: 40 }, { n: 'hum', v: 41 }, { n: 'co2', v: 600 }], opts);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(r.ticks.map((t) => [t.series, ...t.values]), [['d', NaN, 41]]);
  assert.deepEqual(r.skipped, { not_numeric: 0, other_name: 1, name_case: 2, repeated: 0 });
});

test('baseName mode: a tick without a feature refuses the pack (reject) or carries it (carry)', () => {
  const opts = { features: ['temp', 'hum'], senmlSeries: 'baseName' as const };
  const pack = [{ bn: 'room-1', bt: T0, n: 'temp', v: 21 }, { n: 'hum', v: 40 }, { n: 'temp', t: 60, v: 22 }];
  const [code, message] = refusal(pack, opts);
  assert.equal(code, ErrorCodes.RECORD_MISSING_FEATURE);
  assert.match(message, /series "room-1" at 2024-11-20T00:01:00.000Z has no reading of "hum"/);
  assert.deepEqual(ticks(pack, { ...opts, missingFeature: 'carry' }), [['room-1', T0 * 1000, 21, 40], ['room-1', T0 * 1000 + 60_000, 22, NaN]]);
  assert.equal(refusal([{ bn: 'r', bt: T0, n: 'temp', v: 1 }, { n: 'temp', v: 2 }, { n: 'hum', v: 3 }], opts)[1], 'the SenML pack has two readings of "temp" for series "r" at 2024-11-20T00:00:00.000Z, 1 and 2: send one');
});

test('both series modes treat two readings of one name at one time alike: another value refuses the pack, the same value is taken once and counted', () => {
  // Before 7 Dec 2026 'name' passed both on (the pipeline then dropped one as a duplicate, by windows.duplicatePolicy) and 'baseName' refused even an exact repeat.
  const conflict = [{ bn: 'r:', bt: T0, n: 'temp', v: 1 }, { n: 'temp', t: 60, v: 5 }, { n: 'temp', v: 2 }];
  assert.deepEqual(refusal(conflict), [ErrorCodes.RECORD_INVALID, 'the SenML pack has two readings of "temp" for series "r:temp" at 2024-11-20T00:00:00.000Z, 1 and 2: send one']);
  const baseName = { features: ['temp'], senmlSeries: 'baseName' as const };
  assert.deepEqual(refusal(conflict, baseName), [ErrorCodes.RECORD_INVALID, 'the SenML pack has two readings of "temp" for series "r" at 2024-11-20T00:00:00.000Z, 1 and 2: send one']);
  const repeat = [{ bn: 'r:', bt: T0, n: 'temp', v: 1 }, { n: 'temp', t: 60, v: 5 }, { n: 'temp', bt: T0 + 30, t: -30, v: 1 }];
  for (const opts of [{}, baseName]) {
    const r = decode(repeat, opts);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    assert.deepEqual(r.ticks.map((t) => [t.tsMs, ...t.values]), [[T0 * 1000, 1], [T0 * 1000 + 60_000, 5]]);
    assert.equal(r.skipped?.repeated, 1);
  }
});

test('baseName mode: a record key that is not UTF-8 is named as such, not as no key', () => {
  const r = decodeRecord(Buffer.from([0x67, 0xe9]), Buffer.from(JSON.stringify([{ n: 'temp', v: 1, t: T0 }])), { ...base, senmlSeries: 'baseName' }, SENT);
  assert.ok(!r.ok);
  assert.equal(r.error.code, ErrorCodes.RECORD_BAD_SERIES);
  assert.match(r.error.message, /has no bn in effect and the record key is not valid UTF-8 \(byte 0xe9 at offset 1\)/);
  assert.match(refusal([{ n: 'temp', v: 1, t: T0 }], { senmlSeries: 'baseName' })[1], /has no bn in effect and the record has no key: /);
});

test('string, boolean, data values and a sum alone are skipped and counted; base-only records carry their bases', () => {
  const r = decode([{ bn: 'd:', bt: T0 }, { n: 'state', vs: 'on' }, { n: 'door', vb: false }, { n: 'blob', vd: 'aGk' }, { n: 'kwh', s: 12 }, { n: 'temp', v: 5 }]);
  assert.ok(r.ok);
  assert.deepEqual(r.ticks.map((t) => [t.series, t.tsMs, ...t.values]), [['d:temp', T0 * 1000, 5]]);
  assert.deepEqual(r.skipped, { not_numeric: 4, other_name: 0, name_case: 0, repeated: 0 });
});

test('each malformed pack is refused whole, with a code and a reason naming the record', () => {
  const cases: Array<[unknown, string, RegExp]> = [
    [{ bn: 'd', e: [{ n: 't', v: 1 }] }, ErrorCodes.RECORD_INVALID, /non-empty JSON array.*pre-RFC draft SenML/],
    [[], ErrorCodes.RECORD_INVALID, /non-empty JSON array/],
    ['[{"n":"a","v":1},', ErrorCodes.RECORD_NOT_JSON, /not valid JSON/],
    [[{ n: 'a', v: 1 }, 7], ErrorCodes.RECORD_INVALID, /^SenML record 1 is 7, not an object$/],
    [[{ n: 'a', v: 1, t: T0 }, { n: 'b', v: 1, ttl_: 5 }], ErrorCodes.RECORD_INVALID, /SenML record 1 has "ttl_": a field ending in "_" must be understood/],
    [[{ bver: 11, n: 'a', v: 1 }], ErrorCodes.RECORD_INVALID, /bver 11 is not a SenML version/],
    [[{ n: 'a', v: '21.5' }], ErrorCodes.RECORD_BAD_VALUE, /SenML record 0: v must be a number; got "21.5"/],
    [[{ n: 'a', v: 1 }, { n: 'b', t: 'soon', v: 1 }], ErrorCodes.RECORD_BAD_TS, /SenML record 1: t must be a number of seconds/],
    [[{ n: 'a', bt: 1e12, v: 1 }], ErrorCodes.RECORD_BAD_TS, /tickcast accepts 1973–2200/],
    [[{ n: 'a', t: SENT / 1000 + 3 * 86_400, v: 1 }], ErrorCodes.RECORD_BAD_TS, /ahead of when it was sent; the bound is 86400 s \(input.maxFutureMs\)/],
    [[{ v: 1 }], ErrorCodes.RECORD_BAD_SERIES, /has no name \(neither bn nor n\)/],
    [[{ n: 'a b', v: 1 }], ErrorCodes.RECORD_BAD_SERIES, /"a b"/],
    [[{ n: 'a' }], ErrorCodes.RECORD_INVALID, /SenML record 0 has no value/],
    [[{ n: 'a', v: 1e200 }], ErrorCodes.RECORD_BAD_VALUE, /series "a" at .*: feature "temp" is 1e\+200/],
  ];
  for (const [pack, code, message] of cases) {
    const [c, m] = refusal(pack);
    assert.equal(c, code, `${JSON.stringify(pack)}: ${m}`);
    assert.match(m, message, JSON.stringify(pack));
  }
});

test('input.format json (the default) still decodes one tick object', () => {
  const r = decodeRecord(null, Buffer.from(JSON.stringify({ series: 's', ts: T0 * 1000, values: { temp: 1 } })), { ...base, format: undefined }, SENT);
  assert.ok(r.ok);
  assert.deepEqual(r.ticks.map((t) => [t.series, t.tsMs, ...t.values]), [['s', T0 * 1000, 1]]);
});

test('config: senml is checked once at start against the settings it must agree with', () => {
  const load = (input: object) => () => loadConfig({ env: {}, overrides: { input: { format: 'senml', ...input } } });
  assert.throws(load({ features: ['temp', 'hum'], targets: ['temp'] }), /input.senmlSeries.*"name" makes each SenML name \(bn \+ n\) a univariate series, but input.features has 2/);
  assert.throws(load({ features: ['temp'], targets: ['temp'], tsUnit: 's' }), /input.tsUnit applies to input.format "json" only/);
  assert.throws(load({ features: ['temp'], targets: ['temp'], fields: { series: 'device' } }), /input.fields applies to input.format "json" only/);
  assert.throws(load({ features: ['temp'], targets: ['temp'], fields: { features: { temp: 'env.t' } } }), /input.fields applies to input.format "json" only/);
  assert.equal(loadConfig({ env: {}, overrides: { input: { format: 'senml', senmlSeries: 'baseName', features: ['temp', 'hum'], targets: ['temp'] } } }).input.senmlSeries, 'baseName');
  assert.equal(loadConfig({ env: { TICKCAST_INPUT_FORMAT: 'senml', TICKCAST_INPUT_FEATURES: 'temp', TICKCAST_INPUT_TARGETS: 'temp' } }).input.format, 'senml');
  assert.equal(loadConfig({ env: { TICKCAST_INPUT_FORMAT: 'senml', TICKCAST_INPUT_FEATURES: 'temp', TICKCAST_INPUT_TARGETS: 'temp' } }).input.senmlNames, 'rfc8428');
  assert.equal(loadConfig({ env: { TICKCAST_INPUT_SENML_NAMES: 'legacy' } }).input.senmlNames, 'legacy');
  // A feature whose name RFC 8428 § 4.5.1 refuses, under baseName (n is the feature) and senmlNames rfc8428: every pack
  // carrying it was refused, found from the dead letters only (before 7 Dec 2026, late evening, input.senmlNames was not checked at start).
  const baseName = { senmlSeries: 'baseName' as const, targets: ['temp'] };
  assert.throws(load({ ...baseName, features: ['temp', 'room temp'] }), /input.features.*"room temp" has " ".*RFC 8428 § 4.5.1.*input.senmlNames/);
  assert.equal(loadConfig({ env: {}, overrides: { input: { format: 'senml', ...baseName, features: ['temp', 'room temp'], senmlNames: 'legacy' } } }).input.senmlNames, 'legacy', 'legacy: taken');
  assert.equal(loadConfig({ env: {}, overrides: { input: { format: 'senml', ...baseName, features: ['temp', '5700', 'a-b.c_d:e/f'] } } }).input.senmlSeries, 'baseName', 'the RFC\'s characters');
});

test('fuzz: 3000 seeded random packs never throw; each is refused with a TC_RECORD_* code or gives sane ticks', () => {
  let seed = 20261207;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const keys = ['bn', 'bt', 'bu', 'bv', 'bs', 'bver', 'n', 'u', 'v', 'vs', 'vb', 'vd', 's', 't', 'ut', 'x_', '__proto__', 'constructor'];
  const vals: unknown[] = ['temp', 'hum', 'd:', '', 'a b', 0, -1, 1.5, T0, 2 ** 28, 1e300, -1e12, true, null, [], {}, [1], 'NaN', 10, 11];
  const codes = new Set(Object.entries(ErrorCodes).filter(([k]) => k.startsWith('RECORD_')).map(([, v]) => v as string));
  for (let i = 0; i < 3000; i++) {
    const pack = Array.from({ length: 1 + rnd(5) }, () => (rnd(20) === 0 ? vals[rnd(vals.length)] : Object.fromEntries(Array.from({ length: rnd(5) }, () => [keys[rnd(keys.length)], vals[rnd(vals.length)]]))));
    const text = JSON.stringify(pack);
    for (const senmlSeries of ['name', 'baseName'] as const) {
      const r = decodeRecord(Buffer.from('k'), Buffer.from(text), { ...base, features: senmlSeries === 'name' ? ['temp'] : ['temp', 'hum'], senmlSeries, missingFeature: rnd(2) === 0 ? 'carry' : 'reject' }, SENT);
      if (!r.ok) assert.ok(codes.has(r.error.code) && r.error.message.length < 2000, `${text}: ${r.error.code}`);
      else for (const t of r.ticks) assert.ok(base.seriesPattern.test(t.series) && t.tsMs >= 1e11 && t.tsMs <= SENT + 86_400_000 && t.values.some((v) => Number.isFinite(v)), `${text}: ${JSON.stringify(t)}`);
    }
  }
  assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'bn'), false);
});

test('RFC 8428 § 4.5.1 names: a resolved name outside A-Z a-z 0-9 - : . / _, or starting with other than a letter or digit (or "/", as LwM2M sends), refuses the pack though input.seriesPattern would take it', () => {
  // Before 7 Dec 2026 only input.seriesPattern was checked, and the default one takes "@", a leading "-", "_" or ".".
  for (const [pack, message] of [
    [[{ bn: 'dev@site:', n: 'temp', v: 1, t: T0 }], /^SenML record 0: the name "dev@site:temp" \(bn \+ n\) has "@" at 3; RFC 8428 § 4\.5\.1 allows only A-Z a-z 0-9 - : \. \/ _ /],
    [[{ n: 'ok', v: 1, t: T0 }, { bn: '-dev:', n: 'temp', v: 1 }], /^SenML record 1: the name "-dev:temp" \(bn \+ n\) starts with "-"; RFC 8428 § 4\.5\.1 allows only .* starting with a letter or digit \(tickcast also takes "\/", as LwM2M sends\): fix the gateway's bn or n, or set input\.senmlNames to "legacy"$/],
    [[{ bn: '_x', v: 1, t: T0 }], /the name "_x" \(bn \+ n\) starts with "_"/],
    [[{ bn: '.', n: 'a', v: 1, t: T0 }], /the name "\.a" \(bn \+ n\) starts with "\."/],
  ] as const) {
    for (const senmlSeries of ['name', 'baseName'] as const) {
      const r = decode(pack, { senmlSeries, features: ['temp', 'a'].slice(0, senmlSeries === 'name' ? 1 : 2), missingFeature: 'carry' }, 'k');
      assert.ok(!r.ok, `${JSON.stringify(pack)} ${senmlSeries}: refused`);
      assert.equal(r.error.code, ErrorCodes.RECORD_BAD_SERIES);
      assert.match(r.error.message, message);
    }
  }
  assert.deepEqual(ticks([{ bn: '/3303/0/', bt: T0, n: '5700', v: 21.3 }, { bn: 'urn:dev:mac:0024befffe804ff1:', n: 'a_b-c.d/e:f', v: 1 }, { bn: '', n: '9lives', v: 2 }]), [
    ['/3303/0/5700', T0 * 1000, 21.3],
    ['urn:dev:mac:0024befffe804ff1:a_b-c.d/e:f', T0 * 1000, 1],
    ['9lives', T0 * 1000, 2],
  ]);
});

test('input.senmlNames "legacy": a name outside RFC 8428 § 4.5.1 is taken where input.seriesPattern and input.features take it (gateways whose names predate the check)', () => {
  // Before 7 Dec 2026 (evening) no setting took them: every pack of such a gateway was dead-lettered after the upgrade.
  const legacy = { senmlNames: 'legacy' as const };
  assert.deepEqual(ticks([{ bn: 'dev#1/', bt: T0, n: 'room temp', v: 20 }], { ...legacy, seriesPattern: /^[\w #/-]{1,128}$/ }), [['dev#1/room temp', T0 * 1000, 20]]);
  assert.deepEqual(ticks([{ bn: 'dev-1:', bt: T0, n: 'room temp', v: 20 }, { n: '#2', v: 40 }], { ...legacy, senmlSeries: 'baseName', features: ['room temp', '#2'] }), [['dev-1', T0 * 1000, 20, 40]]);
  assert.match(refusal([{ bn: 'dev 1:', bt: T0, n: 'temp', v: 20 }], legacy)[1], /^series id "dev 1:temp" does not match .* \(input\.seriesPattern\)/, 'input.seriesPattern still judges the series');
  assert.match(refusal([{ bn: 'dev 1:', bt: T0, n: 'temp', v: 20 }])[1], /the name "dev 1:temp" \(bn \+ n\) has " " at 3/, 'the default, rfc8428, refuses it');
});

test('a record with v and another value field (vs, vb, vd) refuses its pack (RFC 8428: exactly one value field); v with a sum s is taken', () => {
  // Before 7 Dec 2026 (evening) v was taken and the other value silently ignored.
  for (const k of ['vs', 'vb', 'vd']) {
    const [code, message] = refusal([{ bn: 'd:', bt: T0, n: 'temp', v: 1, [k]: k === 'vb' ? true : 'x' }]);
    assert.equal(code, ErrorCodes.RECORD_INVALID);
    assert.match(message, new RegExp(`^SenML record 0 has both v and ${k}: a SenML record carries exactly one value field`));
  }
  assert.deepEqual(ticks([{ bn: 'd:', bt: T0, n: 'temp', v: 1, s: 10 }]), [['d:temp', T0 * 1000, 1]]);
});

test('a time in ms, µs or ns (firmware that stamps SenML like JSON) is refused with the factor to fix it', () => {
  // Before 7 Dec 2026 the refusal said only "is +056856-10-27T00:00:00.000Z; tickcast accepts 1973–2200".
  const at = (bt: number) => refusal([{ bn: 'd:', bt, n: 'temp', v: 1 }]);
  assert.match(at(T0 * 1000)[1], /time 1732060800000 s .*; tickcast accepts 1973–2200 \(SenML times are epoch seconds, or relative to now below 2\^28\); it looks like epoch milliseconds: send seconds, ÷ 1000$/);
  assert.match(at(T0 * 1e6)[1], /it looks like epoch microseconds: send seconds, ÷ 1,000,000$/);
  assert.match(at(T0 * 1e9)[1], /is not a time; .*it looks like epoch nanoseconds: send seconds, ÷ 1,000,000,000$/);
  assert.match(at(5e10)[1], /tickcast accepts 1973–2200 \(SenML times are epoch seconds, or relative to now below 2\^28\)$/, 'no unit fits: the range alone');
  // Before, a time past Date's range (above ~8.64e12 s: µs, ns, 1e300) threw RangeError from toISOString: the pack was dead-lettered as a tickcast fault (TC_RECORD_PROCESSING_FAILED).
  for (const bt of [1e13, 1e300]) assert.deepEqual(at(bt)[0], ErrorCodes.RECORD_BAD_TS, String(bt));
});

test('bt is bounded on its own: a huge bt that t cancels is refused, not taken as "now"', () => {
  // Before 7 Dec 2026 only bt + t was checked: bt 1e300 with t -1e300 summed to 0 (relative: "now") and was taken.
  for (const [bt, t] of [[1e300, -1e300], [T0 * 1000, -T0 * 1000 + T0]]) {
    const [code, message] = refusal([{ bn: 'd:', bt, n: 'temp', t, v: 1 }]);
    assert.equal(code, ErrorCodes.RECORD_BAD_TS, `${bt} ${t}`);
    assert.match(message, /^SenML record 0 \("d:temp"\): bt [0-9e+.]+ s is past 2200 \(\|bt\| ≤ 7300000000 s\), though bt \+ t/);
  }
  assert.match(refusal([{ bn: 'd:', bt: T0 * 1000, n: 'temp', t: -T0 * 1000 + T0, v: 1 }])[1], /it looks like epoch milliseconds/);
  assert.deepEqual(ticks([{ bn: 'd:', bt: -60, n: 'temp', v: 1 }, { bn: 'e:', bt: T0, n: 'temp', t: -30, v: 2 }]).map((x) => x[0]).sort(), ['d:temp', 'e:temp'], 'a relative bt, and an absolute bt with a t offset, are still taken');
});

test('an epoch bt that t cancels (the sum below 2^28, "relative") is refused, not taken as "now"', () => {
  // Before 7 Dec 2026 (night) bt 1.7e9 with t -1.7e9 summed to 0, read as relative to the send time, and was taken.
  for (const [bt, t] of [[1.7e9, -1.7e9], [T0, -T0 + 5], [T0, -T0 + 1e8]]) {
    const [code, message] = refusal([{ bn: 'd:', bt, n: 'temp', t, v: 1 }]);
    assert.equal(code, ErrorCodes.RECORD_BAD_TS, `${bt} ${t}`);
    assert.match(message, /^SenML record 0 \("d:temp"\): bt [0-9.e+]+ s is an epoch time, but t -[0-9.e+]+ brings bt \+ t to [0-9.e+]+ s, below 2\^28, which SenML reads as relative to now/);
  }
  // Later records inherit the bt: the one whose t cancels it refuses the pack.
  assert.equal(refusal([{ bn: 'd:', bt: T0, n: 'temp', v: 1 }, { n: 'temp', t: -T0, v: 2 }])[0], ErrorCodes.RECORD_BAD_TS);
  // Still taken: a relative bt with a relative t, and an epoch bt whose t stays epoch.
  assert.deepEqual(ticks([{ bn: 'd:', bt: -120, n: 'temp', t: 60, v: 1 }]), [['d:temp', SENT - 60_000, 1]]);
  assert.deepEqual(ticks([{ bn: 'd:', bt: T0, n: 'temp', t: -86_400, v: 1 }]), [['d:temp', (T0 - 86_400) * 1000, 1]]);
});

test('units: each tick carries its readings\' (u, else the bu in effect; \'\' where none), and two units for one reading refuse the pack', () => {
  const unitsOf = (pack: unknown, opts: Partial<RecordCodecOptions> = {}) => {
    const r = decode(pack, opts);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    return r.ticks.map((x) => x.units);
  };
  const t = unitsOf([{ bn: 'd:', bt: T0, bu: 'Cel', n: 'temp', v: 21 }, { n: 'temp', t: 1, u: 'K', v: 294 }, { bn: 'e:', bu: '', n: 'temp', v: 1 }]);
  assert.deepEqual(t, [['Cel'], undefined, ['K']]); // in time order: e:temp is at bt, d:temp's K a second later
  const base2 = { features: ['temp', 'hum'], senmlSeries: 'baseName' as const, missingFeature: 'carry' as const };
  assert.deepEqual(unitsOf([{ bn: 'd:', bt: T0, n: 'temp', v: 21 }, { n: 'hum', u: '%RH', v: 40 }], base2), [['', '%RH']]);
  assert.deepEqual(refusal([{ bn: 'd:', bt: T0, n: 'temp', u: 7, v: 21 }]), [ErrorCodes.RECORD_INVALID, 'SenML record 0: u must be a string; got 7']);
  const twice = refusal([{ bn: 'd:', bt: T0, n: 'temp', u: 'Cel', v: 21 }, { n: 'temp', u: 'degF', v: 21 }]);
  assert.equal(twice[0], ErrorCodes.RECORD_UNIT_MISMATCH);
  assert.match(twice[1], /is in "degF", but the series was first sent in "Cel"/);
  assert.equal(refusal([{ bn: 'd:', bt: T0, n: 'temp', u: 'Cel', v: 21 }, { n: 'hum', u: 'degF', v: 21 }, { n: 'temp', u: 'K', v: 1 }], base2)[0], ErrorCodes.RECORD_UNIT_MISMATCH);
});
