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
  assert.deepEqual(reason('{"device_id":7.5,"timestamp":1732060800123,"temperature":1,"humidity":2}'), ['TC_RECORD_BAD_SERIES', '"device_id" must be a string or an integer; got 7.5 (a number with a fraction: an id is a whole number or text)']);
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
  assert.deepEqual(reason('{"series":"t-1","ts":1732060800123,"readings":{"temperature":"x","humidity":40}}', o), ['TC_RECORD_BAD_VALUE', 'feature "temperature" in "readings" must be a finite number; got "x"']);
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

// Nested paths (since 7 Dec 2026). Before, each configured name was one top-level key: every record
// below was dead-lettered ("neither "state.reported" (object) nor "value" (number) present").
const nested = (series: string, ts: string, values: string, extra: Partial<CodecOptions> = {}): CodecOptions => ({ ...base, fields: { series, ts, values }, ...extra });

test('real device payloads with nested parts: an AWS IoT shadow, Azure IoT Hub routing, The Things Stack uplink, Telegraf json', () => {
  const shadow = nested('clientToken', 'timestamp', 'state.reported', { tsUnit: 's' });
  const aws = dec('{"state":{"reported":{"temperature":21.5,"humidity":40,"led":"on"}},"metadata":{"reported":{"temperature":{"timestamp":1700000000}}},"version":12,"timestamp":1700000000,"clientToken":"dev-7"}', shadow);
  assert.ok(aws.ok);
  assert.deepEqual([aws.tick.series, aws.tick.tsMs, Array.from(aws.tick.values)], ['dev-7', 1_700_000_000_000, [21.5, 40]]);

  const azure = dec('{"EnqueuedTimeUtc":"2026-12-07T01:00:00.1230000Z","Properties":{"alert":"false"},"SystemProperties":{"connectionDeviceId":"dev-8","enqueuedTime":"2026-12-07T01:00:00.1230000Z"},"Body":{"temperature":19,"humidity":55}}', nested('SystemProperties.connectionDeviceId', 'EnqueuedTimeUtc', 'Body'));
  assert.ok(azure.ok);
  assert.deepEqual([azure.tick.series, azure.tick.tsMs, Array.from(azure.tick.values)], ['dev-8', Date.UTC(2026, 11, 7, 1, 0, 0, 123), [19, 55]]);

  const ttn = dec('{"end_device_ids":{"device_id":"eui-70b3d57ed0001234","application_ids":{"application_id":"farm"}},"received_at":"2026-12-07T01:00:00.123456789Z","uplink_message":{"f_port":1,"decoded_payload":{"temperature":4.5,"humidity":90},"rx_metadata":[{"rssi":-97}]}}', nested('end_device_ids.device_id', 'received_at', 'uplink_message.decoded_payload'));
  assert.ok(ttn.ok, JSON.stringify(ttn));
  assert.deepEqual([ttn.tick.series, Array.from(ttn.tick.values)], ['eui-70b3d57ed0001234', [4.5, 90]]);
  assert.ok(Math.abs(ttn.tick.tsMs - Date.UTC(2026, 11, 7, 1, 0, 0, 123)) < 1, 'nanoseconds in an ISO string read to the ms');

  const telegraf = dec('{"fields":{"temperature":22,"humidity":35},"name":"env","tags":{"host":"gw-1","sensor":"t-9"},"timestamp":1765069200}', nested('tags.sensor', 'timestamp', 'fields', { tsUnit: 's' }));
  assert.ok(telegraf.ok && telegraf.tick.series === 't-9' && telegraf.tick.tsMs === 1_765_069_200_000);

  // Shelly Gen2 NotifyStatus over MQTT: readings under a component key holding ":", ts in seconds with a fraction.
  const shelly = dec('{"src":"shellyhtg3-84fce63ad204","dst":"ht/events","method":"NotifyStatus","params":{"ts":1765069200.48,"temperature:0":{"id":0,"tC":21.4,"tF":70.5}}}', { ...nested('src', 'params.ts', 'params.temperature:0', { tsUnit: 'auto' }), features: ['tC'] });
  assert.ok(shelly.ok && shelly.tick.series === 'shellyhtg3-84fce63ad204' && shelly.tick.tsMs === 1_765_069_200_480 && shelly.tick.values[0] === 21.4);
  // Configured one level too high, the component object is named as the values path to set (before: the bare "must be a finite number").
  assert.deepEqual(reason('{"src":"s-1","params":{"ts":1765069200.48,"temperature:0":{"id":0,"tC":21.4}}}', { ...nested('src', 'params.ts', 'params', { tsUnit: 'auto' }), features: ['temperature:0'] }), ['TC_RECORD_BAD_VALUE', 'feature "temperature:0" in "params" must be a finite number; got {"id":0,"tC":21.4}; it is an object: to read its keys as features, set input.fields.values to "params.temperature:0", or give each feature a path of its own in input.fields.features (e.g. "temperature:0": "params.temperature:0.id")']);
  assert.match(reason('{"device_id":"d","timestamp":1732060800123,"temperature":{"v.1":1},"humidity":2}')[1], /; it is an object: to read its keys as features, set input.fields.values to "temperature", or give each feature a path of its own in input.fields.features \(e.g. "temperature": "temperature.v\\\\.1"\)$/);
  assert.match(reason('{"device_id":"d","timestamp":1732060800123,"temperature":[1],"humidity":2}')[1], /got \[1\]$/, 'an array is not an object of readings');
  // Tasmota tele/<device>/SENSOR (device from the record key): one sensor's object; its Time has no zone and is read as UTC.
  const tasmota = dec('{"Time":"2026-12-07T01:00:00","AM2301":{"Temperature":21.5,"Humidity":40},"TempUnit":"C"}', { ...nested('device', 'Time', 'AM2301'), features: ['Temperature', 'Humidity'] }, 'tasmota-1');
  assert.ok(tasmota.ok && tasmota.tick.series === 'tasmota-1' && tasmota.tick.tsMs === Date.UTC(2026, 11, 7, 1));

  // A key that itself holds a dot is written "\." (a flat key, not a nested path).
  const dotted = dec('{"sensor.id":"t-3","ts":1732060800123,"values":{"temperature":1,"humidity":2}}', nested('sensor\\.id', 'ts', 'values'));
  assert.ok(dotted.ok && dotted.tick.series === 't-3');
});

test('a nested part missing or not an object is dead-lettered with where the path stopped', () => {
  const shadow = nested('clientToken', 'timestamp', 'state.reported', { tsUnit: 's' });
  // A desired-only shadow update (the app set the LED): no readings.
  assert.deepEqual(reason('{"state":{"desired":{"led":"on"}},"timestamp":1700000000,"clientToken":"dev-7"}', shadow), ['TC_RECORD_MISSING_FEATURE', 'neither "state.reported" (object) nor "value" (number) present; "state" has no "reported"']);
  assert.deepEqual(reason('{"state":"on","timestamp":1700000000,"clientToken":"dev-7"}', shadow), ['TC_RECORD_MISSING_FEATURE', 'neither "state.reported" (object) nor "value" (number) present; "state" is "on", not an object']);
  assert.deepEqual(reason('{"state":{"reported":null},"timestamp":1700000000,"clientToken":"dev-7"}', shadow), ['TC_RECORD_BAD_VALUE', '"state.reported" must be an object of feature → number; got null']);
  assert.deepEqual(reason('{"state":{"reported":{"temperature":"21.5","humidity":40}},"timestamp":1700000000,"clientToken":"dev-7"}', shadow), ['TC_RECORD_BAD_VALUE', 'feature "temperature" in "state.reported" must be a finite number; got "21.5" (a number in a string: send it as a JSON number, unquoted)']);
  assert.deepEqual(reason('{"state":{"reported":{"temperature":21.5}},"timestamp":1700000000,"clientToken":"dev-7"}', shadow), ['TC_RECORD_MISSING_FEATURE', 'feature "humidity" missing from "state.reported" (expected temperature, humidity)']);
  const azure = nested('SystemProperties.connectionDeviceId', 'SystemProperties.enqueuedTime', 'Body');
  assert.deepEqual(reason('{"SystemProperties":[],"Body":{"temperature":1,"humidity":2}}', azure), ['TC_RECORD_BAD_SERIES', 'series id missing: set "SystemProperties.connectionDeviceId" in the value or use the series id as the record key; "SystemProperties" is an array ([]): paths step through objects only']);
  assert.deepEqual(reason('{"SystemProperties":{"connectionDeviceId":"d"},"Body":{"temperature":1,"humidity":2}}', azure), ['TC_RECORD_BAD_TS', '"SystemProperties.enqueuedTime" missing: give epoch milliseconds or an ISO-8601 string; "SystemProperties" has no "enqueuedTime"']);
  assert.deepEqual(reason('{"SystemProperties":{"connectionDeviceId":{"id":"d"}}}', azure), ['TC_RECORD_BAD_SERIES', '"SystemProperties.connectionDeviceId" must be a string or an integer; got {"id":"d"}']);
  assert.deepEqual(reason('[1]', azure), ['TC_RECORD_INVALID', 'value must be a JSON object like input.fields has it (series at "SystemProperties.connectionDeviceId", ts at "SystemProperties.enqueuedTime", features in "Body"); got [1]']);
  // Top-level readings under a nested values path: the hint names the path, not a one-key wrapper.
  assert.deepEqual(reason('{"clientToken":"d","timestamp":1700000000,"temperature":1,"humidity":2}', shadow), ['TC_RECORD_MISSING_FEATURE', 'neither "state.reported" (object) nor "value" (number) present; the record has no "state"; "temperature", "humidity" are at the top level: send them in "state.reported", or set input.fields.values to "" (features at the top level)']);
  // The object a nested series path starts at is not offered as the series itself.
  assert.deepEqual(reason('{"device":{"name":"t-1"},"ts":1732060800123,"values":{"temperature":1,"humidity":2}}', nested('device.id', 'ts', 'values')), ['TC_RECORD_BAD_SERIES', 'series id missing: set "device.id" in the value or use the series id as the record key; "device" has no "id"']);
});

test('paths refused at start: malformed, a leaf holding another part, a feature at or around the series or ts', () => {
  const problems = (series: string, ts: string, values: string, features = ['temp']) => tickFieldProblems({ series, ts, values }, features).map((p) => `${p.key}: ${p.message}`);
  assert.deepEqual(problems('clientToken', 'timestamp', 'state.reported'), []);
  assert.deepEqual(problems('tags.sensor', 'timestamp', 'fields'), []);
  assert.deepEqual(problems('data.id', 'data.ts', 'data'), [], 'the series and ts inside the features object: other keys there are ignored');
  assert.deepEqual(problems('a..b', 'ts', 'x\\y'), [
    'input.fields.series: "a..b" has an empty key (a "." at its start or end, or ".."): write keys separated by single dots, e.g. "state.reported"; a key holding a dot as "a\\.b"',
    'input.fields.values: "x\\\\y" has "\\" before "y": in a path, "\\." is a dot within a key and "\\\\" a backslash; nothing else is escaped',
  ]);
  assert.deepEqual(problems('state', 'ts', 'state.reported'), ['input.fields.series: input.fields.series "state" would hold input.fields.values "state.reported", but it must be a string, not an object']);
  assert.deepEqual(problems('id', 'meta', 'values', ['x']).length, 0);
  assert.deepEqual(problems('meta.id', 'meta', 'values'), ['input.fields.ts: input.fields.ts "meta" would hold input.fields.series "meta.id", but it must be a number or string, not an object']);
  assert.deepEqual(problems('id', 'data.ts', 'data', ['ts']), ['input.fields.values: feature "ts" is also input.fields.ts, and input.fields.values is "data": rename one']);
  assert.deepEqual(problems('meta.id', 'ts', '', ['meta']), ['input.fields.values: feature "meta" would hold input.fields.series "meta.id" (input.fields.values "" reads features at the record\'s top level), but a feature is a number, not an object: rename one']);
  assert.deepEqual(problems('a\\.b', 'a.b', 'values'), [], '"a\\.b" (one key) and "a.b" (nested) are different places');
  // Before 7 Dec 2026 this passed the check and every record was refused: labels must be strings.
  assert.deepEqual(problems('series', 'ts', 'labels.readings'), ['input.fields.values: input.fields.values "labels.readings" is inside the record\'s "labels", whose members must be strings (alert grouping labels), but it is an object of feature → number: name a field outside "labels"']);
  assert.deepEqual(problems('labels.host', 'ts', 'values'), [], 'a series id is a string: it may be one of the labels');
  // An ISO-8601 ts is a string too: it decodes from "labels" (and is one of them). From 7 Dec 2026
  // (af35ea9) until this fix such a config was refused at start, as if every record would fail.
  assert.deepEqual(problems('series', 'labels.time', 'values'), [], 'an ISO-8601 ts is a string: it may be one of the labels');
});

// Before 7 Dec 2026 a numeric id was refused ("device_id" must be a string; got 17): firmware that
// numbers its sensors had every record dead-lettered. A safe integer is now its decimal text.
test('a ts inside "labels" decodes when it is a string (ISO-8601); an epoch-ms number there is refused per record, naming the label', () => {
  const fields = { series: 'device_id', ts: 'labels.time', values: '' };
  assert.deepEqual(tickFieldProblems(fields, base.features), [], 'the config loads');
  const o: CodecOptions = { ...iot, fields };
  const r = dec('{"device_id":"d1","labels":{"time":"2024-11-20T00:00:00.123Z","site":"a"},"temperature":1,"humidity":2}', o);
  assert.ok(r.ok);
  assert.equal(r.tick.tsMs, 1732060800123);
  assert.deepEqual(r.tick.labels, { time: '2024-11-20T00:00:00.123Z', site: 'a' });
  assert.match(reason('{"device_id":"d1","labels":{"time":1732060800123},"temperature":1,"humidity":2}', o)[1], /labels\.time is 1732060800123/);
});

test('an integer device id is the series "17"; a fraction or an integer JSON cannot hold exactly is refused', () => {
  const sensor: CodecOptions = { ...iot, fields: { series: 'sensor_id', ts: 'timestamp', values: '' } };
  const series = (id: string): string => {
    const r = dec(`{"sensor_id":${id},"timestamp":1732060800123,"temperature":1,"humidity":2}`, sensor, 'key');
    assert.ok(r.ok, id);
    return r.tick.series;
  };
  assert.equal(series('17'), '17');
  assert.equal(series('17.0'), '17'); // one number once parsed: JSON cannot tell 17.0 from 17
  assert.equal(series('-3'), '-3');
  assert.equal(series('9007199254740991'), '9007199254740991');
  assert.equal(series('"17"'), '17'); // the same series as the string id
  const refused = (id: string) => reason(`{"sensor_id":${id},"timestamp":1732060800123,"temperature":1,"humidity":2}`, sensor, 'key');
  assert.deepEqual(refused('9007199254740993'), ['TC_RECORD_BAD_SERIES', '"sensor_id" is 9007199254740992, an integer beyond 2^53−1 (9007199254740991) that JSON numbers cannot hold exactly (its last digits are already rounded): send the id as a string']);
  assert.match(refused('1e21')[1], /^"sensor_id" is 1e\+21, an integer beyond 2\^53−1/);
  assert.match(refused('17.5')[1], /^"sensor_id" must be a string or an integer; got 17.5/);
  // The series pattern still applies to the id's text.
  assert.match(reason('{"sensor_id":-3,"timestamp":1732060800123,"temperature":1,"humidity":2}', { ...sensor, seriesPattern: /^[0-9]+$/ })[0], /TC_RECORD_BAD_SERIES/);
});

// input.missingTs (since 7 Dec 2026): Zigbee2MQTT and many MQTT→Kafka bridges send readings with no
// time at all. Before, each such record was TC_RECORD_BAD_TS ("ts missing") with no way to read it.
test('input.missingTs "kafka": a record without a ts takes its Kafka record timestamp; one with a ts keeps it; none to take is refused', () => {
  const zigbee: CodecOptions = { ...base, fields: { series: 'device', ts: 'timestamp', values: '' }, missingTs: 'kafka' };
  const kafkaTs = Date.UTC(2026, 11, 7, 4, 30);
  const payload = '{"battery":100,"humidity":58.2,"linkquality":134,"temperature":21.3,"voltage":3000}';
  const r = decodeTick(Buffer.from('0x00158d0001a2b3c4'), Buffer.from(payload), zigbee, kafkaTs, kafkaTs);
  assert.ok(r.ok);
  assert.equal(r.tick.series, '0x00158d0001a2b3c4');
  assert.equal(r.tick.tsMs, kafkaTs);
  assert.deepEqual(Array.from(r.tick.values), [21.3, 58.2]);
  // null counts as absent, as it does for a feature.
  const nulled = decodeTick(Buffer.from('k'), Buffer.from('{"timestamp":null,"temperature":1,"humidity":2}'), zigbee, kafkaTs, kafkaTs);
  assert.ok(nulled.ok && nulled.tick.tsMs === kafkaTs);
  // A record with its own time keeps it; a bad one is still refused (not replaced).
  const own = decodeTick(Buffer.from('k'), Buffer.from('{"timestamp":1732060800123,"temperature":1,"humidity":2}'), zigbee, kafkaTs, kafkaTs);
  assert.ok(own.ok && own.tick.tsMs === 1732060800123);
  const bad = decodeTick(Buffer.from('k'), Buffer.from('{"timestamp":"soon","temperature":1,"humidity":2}'), zigbee, kafkaTs, kafkaTs);
  assert.ok(!bad.ok && bad.error.code === 'TC_RECORD_BAD_TS');
  // No Kafka timestamp (a pre-0.10 record's -1, or a source without one): refused, saying so.
  const none = decodeTick(Buffer.from('k'), Buffer.from(payload), zigbee, kafkaTs);
  assert.ok(!none.ok);
  assert.deepEqual([none.error.code, none.error.message], ['TC_RECORD_BAD_TS', '"timestamp" missing and the record has no Kafka timestamp to take instead (input.missingTs "kafka"; a record in the pre-0.10 format has none): give epoch milliseconds or an ISO-8601 string']);
  // The Kafka timestamp is range-checked like any ts (a producer that stamps 0-based clocks).
  const early = decodeTick(Buffer.from('k'), Buffer.from(payload), zigbee, kafkaTs, 5_000);
  assert.ok(!early.ok && /^the Kafka record timestamp \(input.missingTs "kafka"\) must be epoch ms or ISO-8601; got 5000/.test(early.error.message), !early.ok ? early.error.message : '');
  // The default ('reject') is unchanged and names the setting.
  const off = decodeTick(Buffer.from('k'), Buffer.from(payload), { ...zigbee, missingTs: 'reject' }, kafkaTs, kafkaTs);
  assert.ok(!off.ok);
  assert.equal(off.error.message, '"timestamp" missing: give epoch milliseconds or an ISO-8601 string; or set input.missingTs to "kafka" to take the Kafka record timestamp');
});

// Until 7 Dec 2026 the hints named the path as configured: "send {"a\\.b":{…}}", "set "a\\.b" in the
// value" (keys no record holds), and for a nested ts "name it "state.ts"" (a top-level key the path does not read).
test('hints name the key a record holds: a one-key path unescaped, a nested one as the key in its object', () => {
  const dotted = nested('dev\\.id', 'at\\.ts', 'read\\.ings');
  assert.deepEqual(reason('{"at.ts":1732060800123,"read.ings":{"temperature":1,"humidity":2}}', dotted), ['TC_RECORD_BAD_SERIES', 'series id missing: set "dev.id" in the value or use the series id as the record key']);
  assert.deepEqual(reason('{"dev.id":"d","at.ts":1732060800123,"temperature":1,"humidity":2}', dotted), ['TC_RECORD_MISSING_FEATURE', 'neither "read.ings" (object) nor "value" (number) present; "temperature", "humidity" are at the top level: send {"read.ings":{"temperature":…,"humidity":…}}, or set input.fields.values to "" (features at the top level)']);
  assert.deepEqual(reason('{"dev.id":"d","at.ts":1732060800123,"value":1}', dotted), ['TC_RECORD_MISSING_FEATURE', 'a univariate "value" was sent but 2 features are configured (temperature, humidity); send "read.ings"']);
  assert.deepEqual(reason('[1]', dotted), ['TC_RECORD_INVALID', 'value must be a JSON object like {"dev.id":"id","at.ts":<epoch ms>,"read.ings":{...}}; got [1]']);
  assert.deepEqual(reason('{"timestamp":1732060800123,"values":{"temperature":1,"humidity":2}}', nested('dev\\.id', 'ts', 'values')), ['TC_RECORD_BAD_SERIES', 'series id missing: set "dev.id" in the value or use the series id as the record key']);
  assert.deepEqual(reason('{"series":"d","state":{"timestamp":1732060800123},"values":{"temperature":1,"humidity":2}}', nested('series', 'state.ts', 'values')), ['TC_RECORD_BAD_TS', '"state.ts" missing: give epoch milliseconds or an ISO-8601 string; "state" has no "ts"']);
  assert.deepEqual(reason('{"series":"d","state":{},"timestamp":1732060800123,"values":{"temperature":1,"humidity":2}}', nested('series', 'state.ts', 'values')), ['TC_RECORD_BAD_TS', '"state.ts" missing: give epoch milliseconds or an ISO-8601 string; "state" has no "ts"; the record has "timestamp": send it as "ts" in "state", or set input.fields.ts to "timestamp"']);
  assert.deepEqual(reason('{"dev.id":"d","time":1732060800123,"read.ings":{"temperature":1,"humidity":2}}', dotted)[1], '"at.ts" missing: give epoch milliseconds or an ISO-8601 string; the record has "time": name it "at.ts", or set input.fields.ts to "time"');
  // The reasons too name a one-key path by its key (until 7 Dec 2026 "dev\\.id", "read\\.ings").
  assert.deepEqual(reason('{"dev.id":7.5,"at.ts":1732060800123,"read.ings":{}}', dotted), ['TC_RECORD_BAD_SERIES', '"dev.id" must be a string or an integer; got 7.5 (a number with a fraction: an id is a whole number or text)']);
  assert.deepEqual(reason('{"dev.id":1e21,"at.ts":1732060800123,"read.ings":{}}', dotted)[1], '"dev.id" is 1e+21, an integer beyond 2^53−1 (9007199254740991) that JSON numbers cannot hold exactly (its last digits are already rounded): send the id as a string');
  assert.deepEqual(reason('{"dev.id":"d","at.ts":1732060800,"read.ings":{}}', dotted), ['TC_RECORD_BAD_TS', '"at.ts" must be epoch ms or ISO-8601; got 1732060800 (it looks like epoch seconds: send milliseconds, × 1000, or set input.tsUnit to "s")']);
  assert.deepEqual(reason('{"dev.id":"d","at.ts":1732060800123,"read.ings":5}', dotted), ['TC_RECORD_BAD_VALUE', '"read.ings" must be an object of feature → number; got 5']);
  assert.deepEqual(reason('{"dev.id":"d","at.ts":1732060800123,"read.ings":{"temperature":1}}', dotted), ['TC_RECORD_MISSING_FEATURE', 'feature "humidity" missing from "read.ings" (expected temperature, humidity)']);
  assert.deepEqual(reason('{"dev.id":"d","at.ts":1732060800123,"read.ings":{"t":1}}', { ...dotted, missingFeature: 'carry' }), ['TC_RECORD_MISSING_FEATURE', '"read.ings" has none of the configured features (temperature, humidity); got ["t"]']);
  // Until 7 Dec 2026 this one reason showed the escaped path ("read\\.ings.temperature"); the feature is
  // named apart from its object, so a feature key holding a dot is not read as one more step either.
  assert.deepEqual(reason('{"dev.id":"d","at.ts":1732060800123,"read.ings":{"temperature":"x","humidity":2}}', dotted), ['TC_RECORD_BAD_VALUE', 'feature "temperature" in "read.ings" must be a finite number; got "x"']);
  assert.deepEqual(reason('{"series":"d","ts":1732060800123,"values":{"t.c":"x"}}', { ...base, features: ['t.c'] }), ['TC_RECORD_BAD_VALUE', 'feature "t.c" in "values" must be a finite number; got "x"']);
});

// A time under another name with input.missingTs "kafka" (ts configured "timestamp", the record has
// "time"). Chosen (7 Dec 2026): the Kafka time is still taken, not refused — a user picks "kafka" also
// to ignore a time field (Tasmota's "Time" is local time with no zone, read as UTC it is hours off),
// and refusing would dead-letter every record of a config that works. What is not lost is the hint:
// until this fix, a record the Kafka time could not serve either was refused without naming "time".
test('input.missingTs "kafka" with a time under another name: the Kafka time is taken; a refusal names the other field', () => {
  const o: CodecOptions = { ...iot, missingTs: 'kafka' };
  const kafkaTs = Date.UTC(2026, 11, 7, 4, 30);
  const payload = '{"device_id":"t-1","time":1732060800123,"temperature":1,"humidity":2}';
  const taken = decodeTick(null, Buffer.from(payload), o, kafkaTs, kafkaTs);
  assert.ok(taken.ok && taken.tick.tsMs === kafkaTs, 'pinned: the Kafka time, not "time"');
  const hint = '; the record has "time": name it "timestamp", or set input.fields.ts to "time"';
  const none = decodeTick(null, Buffer.from(payload), o, kafkaTs);
  assert.ok(!none.ok);
  assert.equal(none.error.message, `"timestamp" missing and the record has no Kafka timestamp to take instead (input.missingTs "kafka"; a record in the pre-0.10 format has none): give epoch milliseconds or an ISO-8601 string${hint}`);
  const early = decodeTick(null, Buffer.from(payload), o, kafkaTs, 5_000);
  assert.ok(!early.ok && early.error.message.endsWith(hint), !early.ok ? early.error.message : '');
  // Under "reject" the hint was always there (and the missingTs way out is not offered over it).
  assert.ok(reason(payload)[1].endsWith(hint));
});
