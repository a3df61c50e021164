// input.fields.features (since 7 Dec 2026): readings spread over several objects of one payload.
// Before, no setting could read {"env":{"temp":…},"power":{"w":…}}: input.fields.values names one
// object, and a feature name is a key in it ("env.temp" was looked up as that one key).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTick, type CodecOptions } from '../../../src/domain/tick-codec.ts';
import { tickFieldProblems } from '../../../src/domain/tick-fields.ts';
import { loadConfig } from '../../../src/config/load.ts';

const TS = 1732060800123;
const opts = (features: Record<string, string>, values = '', missingFeature: 'reject' | 'carry' = 'reject'): CodecOptions => ({
  features: ['temp', 'w', 'rssi'], maxRecordBytes: 1024, seriesPattern: /^[A-Za-z0-9._:-]{1,32}$/, missingFeature, fields: { series: 'device', ts: 'ts', values, features },
});
const MAP = { temp: 'env.temp', w: 'power.w' };
const dec = (v: object, o: CodecOptions) => decodeTick(null, Buffer.from(JSON.stringify(v)), o);

test('features in several objects, each at its own path; the rest from input.fields.values', () => {
  const r = dec({ device: 'plug-1', ts: TS, env: { temp: 21.5, hum: 40 }, power: { w: 120, v: 230 }, rssi: -61 }, opts(MAP));
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(Array.from(r.tick.values), [21.5, 120, -61]);
  // With a values object: the unmapped feature is read in it.
  const nested = dec({ device: 'plug-1', ts: TS, env: { temp: 21.5 }, power: { w: 120 }, radio: { rssi: -70 } }, opts(MAP, 'radio'));
  assert.ok(nested.ok && nested.tick.values[2] === -70);
  // Every feature mapped: no values object needed.
  const all = dec({ device: 'p', ts: TS, env: { temp: 1 }, power: { w: 2 }, net: { rssi: 3 } }, opts({ ...MAP, rssi: 'net.rssi' }, 'values'));
  assert.ok(all.ok && Array.from(all.tick.values).join() === '1,2,3', all.ok ? '' : all.error.message);
});

test('a mapped feature missing or not a number: refused (or carried), the reason naming the map', () => {
  const r = dec({ device: 'p', ts: TS, env: { temp: 21.5 }, rssi: -61 }, opts(MAP));
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'TC_RECORD_MISSING_FEATURE');
  assert.equal(r.error.message, 'feature "w" missing from the record (expected temp, w, rssi) (input.fields.features: "temp" at "env.temp", "w" at "power.w")');
  const carried = dec({ device: 'p', ts: TS, env: { temp: 21.5 }, rssi: -61 }, opts(MAP, '', 'carry'));
  assert.ok(carried.ok && Number.isNaN(carried.tick.values[1]));
  const bad = dec({ device: 'p', ts: TS, env: { temp: '21.5' }, power: { w: 1 }, rssi: 1 }, opts(MAP));
  assert.ok(!bad.ok && bad.error.code === 'TC_RECORD_BAD_VALUE' && /"temp" must be a finite number; got "21.5" \(a number in a string/.test(bad.error.message), bad.ok ? '' : bad.error.message);
});

test('the map is checked once at start: no feature, malformed, on the series or ts, two at one path', () => {
  const problems = (features: Record<string, string>) => tickFieldProblems({ series: 'device.id', ts: 'ts', values: '', features }, ['temp', 'w']).map((p) => `${p.key}: ${p.message}`);
  assert.deepEqual(problems(MAP), []);
  assert.deepEqual(problems({ tmp: 'env.temp' }), ['input.fields.features.tmp: "tmp" is not one of input.features (temp, w)']);
  assert.match(problems({ temp: 'env..temp' })[0], /^input.fields.features.temp: "env..temp" has an empty key/);
  assert.deepEqual(problems({ temp: 'device' }), ['input.fields.features.temp: "device" is, holds or is inside input.fields.series: a feature is a number of its own']);
  assert.deepEqual(problems({ temp: 'ts' }), ['input.fields.features.temp: "ts" is, holds or is inside input.fields.ts: a feature is a number of its own']);
  assert.deepEqual(problems({ temp: 'a.b', w: 'a.b' }), ['input.fields.features.w: features "temp" and "w" are both at "a.b"']);
  const c = loadConfig({ env: { TICKCAST_INPUT_FEATURES: 'temp,w', TICKCAST_INPUT_TARGETS: 'temp', TICKCAST_INPUT_FIELDS_VALUES: '', TICKCAST_INPUT_FIELDS_FEATURES: 'temp=env.temp,w=power.w' } });
  assert.deepEqual(c.input.fields.features, MAP);
});
