/**
 * input.fields through the whole app (since 7 Dec 2026): a bridge forwarding device payloads as
 * they are — {"device_id","timestamp", features at the top level}, one record per reading — gets
 * its readings into the device's window. Before, every such record was dead-lettered
 * (TC_RECORD_BAD_SERIES "…; the record has "device_id": name it "series"").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2026, 11, 7);

test('a device payload read under input.fields: series, timestamp and top-level readings reach the window; the documented shape is then refused with a reason naming the fields', async () => {
  const sent: OutMessage[] = [];
  const fields = { series: 'device_id', ts: 'timestamp', values: '' };
  const app = await startTestApp({ input: { features: ['temperature', 'humidity'], targets: ['temperature'], missingFeature: 'carry', fields } }, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource });
  try {
    let offset = 0;
    const rec = (body: Record<string, unknown>): RawRecord => ({
      key: null, // a bridge that sets no key: the id is in the payload
      value: Buffer.from(JSON.stringify(body)),
      headers: {},
      source: { topic: 'ticks', partition: 0, offset: String(offset++) },
      receivedAtMs: Date.now(),
    });
    const at = (k: number) => new Date(T0 + k * 60_000).toISOString();
    await app.pipeline.handle([
      rec({ device_id: 't-1', timestamp: at(0), temperature: 21.5, humidity: 40, rssi: -61 }),
      rec({ device_id: 't-1', timestamp: at(1), temperature: 21.7 }), // one record per reading,
      rec({ device_id: 't-1', timestamp: at(1), humidity: 41 }), //       merged into its tick
      rec({ series: 't-1', ts: T0 + 2 * 60_000, values: { temperature: 22 } }),
    ]);
    const dlq = sent.filter((m) => m.stream === 'dlq');
    assert.deepEqual(dlq.map((d) => [d.headers['tickcast-source-offset'], d.headers['tickcast-error-code']]), [['3', 'TC_RECORD_BAD_SERIES']]);
    assert.equal(String(dlq[0].headers['tickcast-error-message']), 'series id missing: set "device_id" in the value or use the series id as the record key; the record has "series": name it "device_id", or set input.fields.series to "series"');
    const body = (await (await fetch(`${app.address()}/v1/series/t-1`)).json()) as { window: { values: Record<string, number[]> } };
    assert.deepEqual(body.window.values, { temperature: [21.5, 21.7], humidity: [40, 41] });
  } finally {
    await app.stop();
  }
});

// input.tsUnit through the app (since 7 Dec 2026): before, a topic stamped in epoch seconds was dead-lettered whole.
test('input.tsUnit "s": ticks stamped in epoch seconds (a fraction kept) reach the window at their time in ms', async () => {
  const sent: OutMessage[] = [];
  const app = await startTestApp({ input: { features: ['value'], tsUnit: 's' } }, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource });
  try {
    const s0 = T0 / 1000;
    const records = [s0, s0 + 60.25, T0 + 120_000].map((ts, i): RawRecord => ({
      key: Buffer.from('t-2'),
      value: Buffer.from(JSON.stringify({ ts, value: i })),
      headers: {},
      source: { topic: 'ticks', partition: 0, offset: String(i) },
      receivedAtMs: Date.now(),
    }));
    await app.pipeline.handle(records);
    const dlq = sent.filter((m) => m.stream === 'dlq');
    assert.deepEqual(dlq.map((d) => [d.headers['tickcast-source-offset'], d.headers['tickcast-error-code']]), [['2', 'TC_RECORD_BAD_TS']], 'a ts in ms is refused under "s"');
    const body = (await (await fetch(`${app.address()}/v1/series/t-2`)).json()) as { window: { ts: number[]; values: Record<string, number[]> } };
    assert.deepEqual(body.window.ts, [T0, T0 + 60_250]);
  } finally {
    await app.stop();
  }
});

// Nested paths and input.tsUnit "auto" through the app (since 7 Dec 2026). Before, no setting read an
// AWS IoT shadow's state.reported, and a topic where some devices stamp seconds and others ms lost
// one kind to the dead-letter topic.
test('AWS IoT shadow documents (values state.reported) from devices stamping seconds and ms reach their windows; a desired-only update is dead-lettered with its bytes and where the path stopped', async () => {
  const sent: OutMessage[] = [];
  const fields = { series: 'clientToken', ts: 'timestamp', values: 'state.reported' };
  const app = await startTestApp({ input: { features: ['temp', 'humidity'], targets: ['temp'], fields, tsUnit: 'auto' } }, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource });
  try {
    const s0 = T0 / 1000;
    const docs = [
      { state: { reported: { temp: 21.5, humidity: 40 } }, metadata: { reported: { temp: { timestamp: s0 } } }, version: 1, timestamp: s0, clientToken: 'dev-7' },
      { state: { reported: { temp: 18, humidity: 60 } }, version: 3, timestamp: T0 + 30_000, clientToken: 'dev-9' }, // firmware stamping ms
      { state: { desired: { led: 'on' } }, version: 2, timestamp: s0 + 30, clientToken: 'dev-7' }, // the app's update: no readings
      { state: { reported: { temp: 21.7, humidity: 41 } }, version: 4, timestamp: s0 + 60, clientToken: 'dev-7' },
      { state: { reported: { temp: 18.2, humidity: 61 } }, version: 5, timestamp: T0 + 90_000, clientToken: 'dev-9' },
    ];
    const values = docs.map((d) => Buffer.from(JSON.stringify(d)));
    await app.pipeline.handle(values.map((value, i): RawRecord => ({ key: null, value, headers: {}, source: { topic: 'ticks', partition: 0, offset: String(i) }, receivedAtMs: Date.now() })));
    const dlq = sent.filter((m) => m.stream === 'dlq');
    assert.deepEqual(dlq.map((d) => [d.headers['tickcast-source-offset'], d.headers['tickcast-error-code'], String(d.headers['tickcast-error-message'])]), [
      ['2', 'TC_RECORD_MISSING_FEATURE', 'neither "state.reported" (object) nor "value" (number) present; "state" has no "reported"'],
    ]);
    assert.ok(Buffer.from(dlq[0].value as Buffer).equals(values[2]), 'the dead letter keeps the original bytes');
    const win = async (id: string) => ((await (await fetch(`${app.address()}/v1/series/${id}`)).json()) as { window: { ts: number[]; values: Record<string, number[]> } }).window;
    const dev7 = await win('dev-7');
    assert.deepEqual([dev7.ts, dev7.values], [[T0, T0 + 60_000], { temp: [21.5, 21.7], humidity: [40, 41] }]);
    assert.deepEqual((await win('dev-9')).ts, [T0 + 30_000, T0 + 90_000]);
  } finally {
    await app.stop();
  }
});

// input.missingTs through the app (since 7 Dec 2026): Zigbee2MQTT forwards readings with no time (the
// device's friendly name as the record key). Before, each was dead-lettered (TC_RECORD_BAD_TS "ts
// missing"); now the Kafka record timestamp is the event time, carried from the source as recordTsMs.
test('input.missingTs "kafka": readings without a time reach the window at their Kafka record timestamp; a record without one is dead-lettered', async () => {
  const sent: OutMessage[] = [];
  const app = await startTestApp({ input: { features: ['temperature', 'humidity'], targets: ['temperature'], fields: { series: 'series', ts: 'ts', values: '' }, missingTs: 'kafka' } }, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource });
  try {
    const base = Date.now() - 60 * 60_000; // an hour ago: inside the maxFutureMs bound, as live records are
    const records = [base, base + 60_000, undefined].map((recordTsMs, i): RawRecord => ({
      key: Buffer.from('living-room'),
      value: Buffer.from(JSON.stringify({ battery: 100, humidity: 58 + i, linkquality: 134, temperature: 21 + i, voltage: 3000 })),
      headers: {},
      source: { topic: 'zigbee', partition: 0, offset: String(i) },
      receivedAtMs: recordTsMs ?? Date.now(),
      ...(recordTsMs === undefined ? {} : { recordTsMs }),
    }));
    await app.pipeline.handle(records);
    const dlq = sent.filter((m) => m.stream === 'dlq');
    assert.deepEqual(dlq.map((d) => [d.headers['tickcast-source-offset'], d.headers['tickcast-error-code']]), [['2', 'TC_RECORD_BAD_TS']], 'no Kafka timestamp to take');
    const body = (await (await fetch(`${app.address()}/v1/series/living-room`)).json()) as { window: { ts: number[]; values: Record<string, number[]> } };
    assert.deepEqual(body.window.ts, [base, base + 60_000]);
    assert.deepEqual(body.window.values, { temperature: [21, 22], humidity: [58, 59] });
  } finally {
    await app.stop();
  }
});
