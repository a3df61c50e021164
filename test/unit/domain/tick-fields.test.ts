// input.fields (since 7 Dec 2026): device payloads read under their own names. Before, every record
// below was dead-lettered ("series id missing …; the record has "device_id": name it "series"").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTick, type CodecOptions } from '../../../src/domain/tick-codec.ts';
import { tickFieldProblems } from '../../../src/domain/tick-fields.ts';

const base: CodecOptions = { features: ['temperature', 'humidity'], maxRecordBytes: 1024, seriesPattern: /^[A-Za-z0-9._:-]{1,32}$/, missingFeature: 'reject' };
const iot: CodecOptions = { ...base, fields: { series: 'device_id', ts: 'timestamp', values: '' } };
const dec = (v: string, o = iot, key: string | null = null) => decodeTick(key === null ? null : Buffer.from(key), Buffer.from(v), o);
const reason = (v: string, o = iot, key: string | null = null) => {
  const r = dec(v, o, key);
  assert.ok(!r.ok, v);
  return [r.error.code, r.error.message];
};

test('a flat device payload (device_id, timestamp, features at the top level) is a tick; other keys are ignored', () => {
  const r = dec('{"device_id":"t-1","timestamp":"2026-12-07T01:00:00Z","rssi":-61,"humidity":40,"temperature":21.5,"labels":{"site":"b2"}}');
  assert.ok(r.ok);
  assert.equal(r.tick.series, 't-1');
  assert.equal(r.tick.tsMs, Date.UTC(2026, 11, 7, 1));
  assert.deepEqual(Array.from(r.tick.values), [21.5, 40]);
  assert.deepEqual(r.tick.labels, { site: 'b2' });
  // The record key still names the series when the payload has no id (an MQTT topic level as key).
  const keyed = dec('{"timestamp":1732060800123,"temperature":20,"humidity":41}', iot, 't-2');
  assert.ok(keyed.ok && keyed.tick.series === 't-2');
  // The documented names are no longer read: "series"/"ts" are just other keys.
  assert.deepEqual(reason('{"series":"t-1","ts":1732060800123,"temperature":1,"humidity":2}'), ['TC_RECORD_BAD_SERIES', 'series id missing: set "device_id" in the value or use the series id as the record key; the record has "series": name it "device_id", or set input.fields.series to "series"']);
});

test('with input.fields the reasons name the configured fields, and the hints the way out', () => {
  assert.deepEqual(reason('{"device_id":"t-1","time":1732060800123,"temperature":1,"humidity":2}'), ['TC_RECORD_BAD_TS', '"timestamp" missing: give epoch milliseconds or an ISO-8601 string; the record has "time": name it "timestamp", or set input.fields.ts to "time"']);
  assert.deepEqual(reason('{"device_id":"t-1","timestamp":1732060800,"temperature":1,"humidity":2}'), ['TC_RECORD_BAD_TS', '"timestamp" must be epoch ms or ISO-8601; got 1732060800 (it looks like epoch seconds: send milliseconds, × 1000, or set input.tsUnit to "s")']);
  assert.deepEqual(reason('{"device_id":7,"timestamp":1732060800123,"temperature":1,"humidity":2}'), ['TC_RECORD_BAD_SERIES', '"device_id" must be a string; got 7']);
  assert.deepEqual(reason('{"device_id":"t-1","timestamp":1732060800123,"temperature":"21.5","humidity":2}'), ['TC_RECORD_BAD_VALUE', '"temperature" must be a finite number; got "21.5" (a number in a string: send it as a JSON number, unquoted)']);
  assert.deepEqual(reason('{"device_id":"t-1","timestamp":1732060800123,"temperature":1}'), ['TC_RECORD_MISSING_FEATURE', 'feature "humidity" missing from the record (expected temperature, humidity)']);
  assert.deepEqual(reason('{"device_id":"t-1","timestamp":1732060800123,"temp":1}', { ...iot, missingFeature: 'carry' }), ['TC_RECORD_MISSING_FEATURE', 'the record has none (input.fields.values "": at its top level) of the configured features (temperature, humidity); got ["device_id","timestamp","temp"]']);
  assert.deepEqual(reason('[1]'), ['TC_RECORD_INVALID', 'value must be a JSON object like {"device_id":"id","timestamp":<epoch ms>,"<feature>":<number>,…}; got [1]']);
  // Prototype names are never read as fields (a record without "constructor" has none).
  assert.equal(reason('{"timestamp":1732060800123,"temperature":1,"humidity":2}', { ...iot, fields: { series: 'constructor', ts: 'timestamp', values: '' } })[0], 'TC_RECORD_BAD_SERIES');
});

test('a features object under another name (input.fields.values)', () => {
  const o = { ...base, fields: { series: 'series', ts: 'ts', values: 'readings' } };
  const r = dec('{"series":"t-1","ts":1732060800123,"readings":{"temperature":21.5,"humidity":40}}', o);
  assert.ok(r.ok && r.tick.values[1] === 40);
  assert.deepEqual(reason('{"series":"t-1","ts":1732060800123,"readings":{"temperature":"x","humidity":40}}', o), ['TC_RECORD_BAD_VALUE', 'readings.temperature must be a finite number; got "x"']);
  assert.deepEqual(reason('{"series":"t-1","ts":1732060800123,"temperature":1,"humidity":2}', o), ['TC_RECORD_MISSING_FEATURE', 'neither "readings" (object) nor "value" (number) present; "temperature", "humidity" are at the top level: send {"readings":{"temperature":…,"humidity":…}}, or set input.fields.values to "" (features at the top level)']);
});

test('fields that a record could not tell apart are refused at start, each named', () => {
  const f = (series: string, ts: string, values: string) => ({ series, ts, values });
  const problems = (fields: ReturnType<typeof f>, features: string[]) => tickFieldProblems(fields, features).map((p) => `${p.key}: ${p.message}`);
  assert.deepEqual(problems(f('series', 'ts', 'values'), ['value']), []);
  assert.deepEqual(problems(f('device_id', 'timestamp', ''), ['temperature', 'value']), []);
  assert.deepEqual(problems(f('id', 'id', 'values'), ['x']), ['input.fields.ts: input.fields.series and input.fields.ts are both "id": a record could not say which is which']);
  assert.deepEqual(problems(f('series', 'ts', 'labels'), ['x']), ['input.fields.values: input.fields.values and the record\'s "labels" are both "labels": a record could not say which is which']);
  assert.deepEqual(problems(f('value', 'ts', 'values'), ['x']), ['input.fields.series: input.fields.series and the univariate shorthand "value" are both "value": a record could not say which is which']);
  assert.deepEqual(problems(f('device', 'time', ''), ['time', 'labels', 'temp']), [
    'input.fields.values: feature "time" is also input.fields.ts, and input.fields.values "" reads features at the record\'s top level: rename one',
    'input.fields.values: feature "labels" is also the record\'s "labels", and input.fields.values "" reads features at the record\'s top level: rename one',
  ]);
});
