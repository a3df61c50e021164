/**
 * POST /v1/series/{id}/reset (7 Dec 2026): a sensor re-configured from Cel to K had every pack
 * dead-lettered (TC_RECORD_UNIT_MISMATCH: units are held per series) with no per-series way out
 * short of idle eviction or `input.senmlUnits: any`. Through inject() on the HTTP server, over the
 * real pipeline (SenML codec, series units, real detector, real tiny model): the K pack is refused,
 * the reset forgets the series (its open alert resolved with reason "reset"), the K pack is taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawRecord } from '../../../src/domain/types.ts';
import type { AnomalyRecord, OutMessage } from '../../../src/pipeline/ports.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import { SeriesUnits } from '../../../src/pipeline/series-units.ts';
import { ServingService } from '../../../src/pipeline/serving.ts';
import { createScorer } from '../../../src/pipeline/scorer.ts';
import { createModelServing, SMALL_SPEC } from './support/model-serving.ts';
import { build, KEY } from './support/build.ts';

const T0 = 1_700_000_000;
const spec = { ...SMALL_SPEC, features: ['temp'], targets: ['temp'] };
let offset = 0;
const pack = (body: object[]): RawRecord => ({ key: Buffer.from('gw'), value: Buffer.from(JSON.stringify(body)), headers: {}, source: { topic: 't', partition: 0, offset: String(offset++) }, receivedAtMs: 0 });
const reading = (i: number, u: string, v: number) => pack([{ bn: 'dev:', bt: T0 + i * 60, n: 'temp', u, v }]);

async function setup() {
  const ms = await createModelServing({ spec });
  const outlook = new SeriesOutlook();
  const recentAnomalies = new RecentAnomalies();
  const sent: OutMessage[] = [];
  const evicted: string[] = [];
  const pipeline = new StreamPipeline({
    store: ms.store, outlook, recentAnomalies, inference: ms.inference, scorer: createScorer({ maxSeries: 100 }, { learningTicks: 30, rangeWarmupTicks: 30, cooldownMs: 60_000, refractoryTicks: 1 }), units: new SeriesUnits(ms.store.registry, spec.features),
    sink: { send: async (m: OutMessage[]) => void sent.push(...m) }, observer: { evicted: (_s: string, reason: string) => void evicted.push(reason) },
    codec: { features: ['temp'], maxRecordBytes: 4096, seriesPattern: /^[a-z:]+$/, missingFeature: 'reject', format: 'senml', senmlSeries: 'name' },
  });
  const info = ms.serving.modelInfo();
  const serving = new ServingService({
    store: ms.store, outlook, recentAnomalies, inference: ms.inference, model: { info: () => info, rollback: async () => info },
    subscribe: () => () => {}, health: () => ({ live: true, ready: true, reasons: [], draining: false }), maxQueued: 10_000,
    flushDeparted: () => pipeline.flushDeparted(),
  });
  const { app } = await build({ apiKeys: [KEY], rateLimit: { enabled: false } }, serving);
  const anomalies = () => sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as AnomalyRecord);
  return { ms, app, pipeline, sent, evicted, anomalies, close: async () => { await app.close(); await ms.close(); } };
}

test('a series re-configured from Cel to K: dead-lettered, reset (open alert resolved "reset"), then its K pack is taken', async () => {
  const s = await setup();
  try {
    for (let i = 0; i < 60; i++) await s.pipeline.handle([reading(i, 'Cel', 21 + 0.1 * Math.sin(i))]);
    await s.pipeline.handle([reading(60, 'Cel', 90)]);
    const firing = s.anomalies().filter((a) => a.state === 'firing');
    assert.ok(firing.length > 0, 'the spike fires an alert');
    const before = s.anomalies().length;
    assert.equal(s.anomalies().at(-1)!.state, 'firing', 'and it is open');

    await s.pipeline.handle([reading(61, 'K', 294.15)]);
    const dlq = s.sent.filter((m) => m.stream === 'dlq');
    assert.equal(dlq.length, 1);
    assert.equal(dlq[0].headers['tickcast-error-code'], 'TC_RECORD_UNIT_MISMATCH');

    const res = await s.app.inject({ method: 'POST', url: '/v1/series/dev%3Atemp/reset', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { series: 'dev:temp', resolvedAlerts: ['temp'], resolvesSent: true, snapshotWritten: false });
    const resolved = s.anomalies().slice(before);
    assert.equal(resolved.length, 1, 'the open alert is resolved now, not with a next chunk');
    assert.equal(resolved[0].state, 'resolved');
    assert.equal(resolved[0].reason, 'reset');
    assert.equal(resolved[0].eviction, undefined);
    assert.equal(resolved[0].firingId, firing.at(-1)!.id);
    assert.deepEqual(s.evicted, ['reset'], 'tickcast_series_evicted_total{reason="reset"}');
    assert.equal((await s.app.inject({ method: 'GET', url: '/v1/series/dev%3Atemp' })).statusCode, 404, 'window, forecasts: gone');

    await s.pipeline.handle([reading(62, 'K', 294.15)]);
    assert.equal(s.sent.filter((m) => m.stream === 'dlq').length, 1, 'the K pack is taken after the reset');
    const after = (await s.app.inject({ method: 'GET', url: '/v1/series/dev%3Atemp' })).json();
    assert.deepEqual(after.window.values.temp, [294.15], 'a fresh window: no Cel reading beside the K one');
  } finally {
    await s.close();
  }
});

test('reset: 401 without a key (the series kept), 404 with "did you mean" for an unknown series', async () => {
  const s = await setup();
  try {
    await s.pipeline.handle([reading(0, 'Cel', 21)]);
    const anon = await s.app.inject({ method: 'POST', url: '/v1/series/dev%3Atemp/reset' });
    assert.equal(anon.statusCode, 401, anon.body);
    assert.equal((await s.app.inject({ method: 'GET', url: '/v1/series/dev%3Atemp' })).statusCode, 200, 'not reset');
    const unknown = await s.app.inject({ method: 'POST', url: '/v1/series/dev%3ATemp/reset', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(unknown.statusCode, 404, unknown.body);
    const e = unknown.json().error;
    assert.equal(e.code, 'TC_SERIES_NOT_FOUND');
    assert.deepEqual(e.details.didYouMean, ['dev:temp']);
    assert.deepEqual(s.evicted, []);
  } finally {
    await s.close();
  }
});
