/**
 * The output contract, field by field (docs/schemas.md, docs/http-api.md): every record the real
 * pipeline and model write to the forecasts, anomalies (alerts fired and resolved, per feature;
 * incidents) and dead-letter streams — cold-series baselines, model forecasts and fused baselines
 * — keeps the documented shape (closed schemas: no undocumented field, types, required fields,
 * units), for a univariate series (the shape promised before per-feature alerts, plus `feature`)
 * and a multivariate one (targets, a non-target feature judged by the fallback forecaster). The
 * REST answers over the same state keep the schemas the OpenAPI document (/docs/json) declares.
 * The same records on the wire (key, headers as the broker holds them): test/integration/output-contract.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { startTestApp, TEST_HORIZON, TEST_WINDOW } from '../helpers/app.ts';
import { outputContract, type OutputRecord } from '../helpers/output-contract.ts';
import type { LiveEvent, OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import { KafkaSink } from '../../src/adapters/kafka/sink.ts';
import type { KafkaJS } from '@confluentinc/kafka-javascript';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
/** web-1:* spike together at tick 600 (one incident by prefix); `ramp` is a steady ramp fusion serves as drift. */
const SERIES = ['web-1:cpu', 'web-1:mem', 'ramp'];

function level(id: string, s: number, i: number): number {
  if (id === 'ramp') return 10 + i;
  const v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
  return i === 600 ? v + 80 : v;
}

function records(from: number, to: number, multi: boolean, offset: { n: number }): RawRecord[] {
  const recs: RawRecord[] = [];
  const rec = (value: string, headers: Record<string, string> = {}): RawRecord =>
    ({ key: null, value: Buffer.from(value), headers, source: { topic: 'ticks', partition: 3, offset: String(offset.n++) }, receivedAtMs: Date.now() });
  for (let i = from; i < to; i++) {
    SERIES.forEach((id, s) => {
      const v = level(id, s, i);
      const body = multi ? { series: id, ts: T0 + i * MIN, values: { cpu: v, mem: 2 * v, disk: 300 + (i % 7) } } : { series: id, ts: T0 + i * MIN, value: v };
      // A valid trace context is carried; one that is not W3C's form is not (docs/schemas.md § Input).
      recs.push(rec(JSON.stringify(body), i % 2 === 0 ? { traceparent: TRACEPARENT, tracestate: 'k=v' } : { traceparent: 'not-a-trace' }));
    });
  }
  if (from === 0) recs.push(rec('{"series":"bad","ts":1,"value":1}', { traceparent: TRACEPARENT }), rec('not json'));
  return recs;
}

async function run(overrides: ConfigInput, multi: boolean, ticks = 700, more: RawRecord[] = []) {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ incidents: { groupBy: 'prefix' }, ...overrides }, { sink, source: idleSource });
  // The live forecast events GET /v1/events sends (the route writes each as JSON.stringify(event)).
  const live: Json[] = [];
  const tickEvents: Json[] = []; // and the live tick events
  app.serving.subscribe((e: LiveEvent) => void (e.type === 'forecast' ? live : e.type === 'tick' ? tickEvents : []).push(JSON.parse(JSON.stringify(e))));
  const offset = { n: 0 };
  for (let k = 0; k < ticks; k += 50) await app.pipeline.handle(records(k, Math.min(k + 50, ticks), multi, offset));
  if (more.length > 0) await app.pipeline.handle(more.map((r) => ({ ...r, source: { ...r.source, offset: String(offset.n++) } })));
  const outputs: OutputRecord[] = sent.map((m) => ({
    stream: m.stream as OutputRecord['stream'],
    key: m.key === null ? null : String(m.key),
    value: m.value === null ? null : String(m.value),
    headers: Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)])),
  }));
  return { app, outputs, live, ticks: tickEvents };
}

type Json = Record<string, any>;
const bodies = (outs: OutputRecord[], stream: OutputRecord['stream']): Json[] => outs.filter((o) => o.stream === stream).map((o) => JSON.parse(o.value!));

/** What every record of a run must keep: the closed schemas, plus the rules a schema cannot say. */
function checkRun(outputs: OutputRecord[], targets: string[], live: Json[]): void {
  const contract = outputContract();
  const problems = outputs.flatMap((o) => contract.check(o));
  assert.deepEqual(problems.slice(0, 5), [], `${problems.length} records break the documented contract`);

  const forecasts = bodies(outputs, 'forecasts');
  for (const f of forecasts) {
    assert.equal(f.horizon.length, TEST_HORIZON);
    f.horizon.forEach((s: Json, k: number) => {
      assert.equal(s.step, k + 1);
      assert.equal(s.ts, f.ts + (k + 1) * MIN, 'step ts: tick ts + (k+1) × the series spacing, in epoch ms');
      assert.ok(s.p10 <= s.p50 && s.p50 <= s.p90, 'p10 ≤ p50 ≤ p90');
      assert.deepEqual(Object.keys(s).sort(), ['p10', 'p50', 'p90', 'step', 'ts'], 'the default quantile keys');
    });
    if (targets.length > 1) {
      assert.deepEqual(Object.keys(f.targets), targets, 'targets: every target, in spec order');
      assert.deepEqual(f.targets[targets[0]], f.horizon, '`horizon` is the first target');
    } else assert.equal(f.targets, undefined, 'no targets on a single-target model');
    assert.ok(f.latencyMs < 60_000, 'latencyMs is milliseconds');
  }
  // The live `forecast` event is the record the topic got, less latencyMs: `targets` by name on a multi-target model.
  assert.deepEqual(live, forecasts.map(({ latencyMs: _, ...f }) => ({ type: 'forecast', ...f })), 'SSE forecast events: the forecasts topic\'s shape');
  const cold = forecasts.filter((f) => f.model.startsWith('baseline:') && f.replaces === undefined);
  const fused = forecasts.filter((f) => f.replaces !== undefined);
  assert.equal(cold.length, SERIES.length * (TEST_WINDOW - 2), 'one cold baseline per tick 2 … window − 1 of each series');
  for (const f of cold) assert.ok(['baseline:naive', 'baseline:seasonal-naive'].includes(f.model), f.model);
  assert.ok(fused.length > 0, 'fusion served a baseline somewhere');
  for (const f of fused) {
    assert.ok(['baseline:naive', 'baseline:seasonal-naive', 'baseline:drift'].includes(f.model), f.model);
    assert.equal(f.replaces, 'v1', 'replaces: the model version it stood in for');
  }
  assert.ok(forecasts.some((f) => f.model === 'v1'), 'the model served somewhere');

  const alerts = bodies(outputs, 'anomalies').filter((a) => a.kind !== 'incident');
  assert.ok(alerts.some((a) => a.state === 'firing') && alerts.some((a) => a.state === 'resolved'), 'alerts fired and resolved');
  for (const a of alerts) {
    assert.equal(a.source.topic, 'ticks');
    assert.equal(a.source.partition, 3);
    assert.ok(a.lower <= a.expected && a.expected <= a.upper, 'lower ≤ expected ≤ upper');
  }
  const incidents = bodies(outputs, 'anomalies').filter((a) => a.kind === 'incident');
  assert.ok(incidents.some((i) => i.state === 'open') && incidents.some((i) => i.state === 'closed'), 'an incident opened and closed');

  const dlq = outputs.filter((o) => o.stream === 'dlq');
  assert.deepEqual(dlq.map((d) => d.headers['tickcast-error-code']).sort(), ['TC_RECORD_BAD_TS', 'TC_RECORD_NOT_JSON']);
  assert.deepEqual(dlq.map((d) => d.value).sort(), ['not json', '{"series":"bad","ts":1,"value":1}'], 'the original value, unchanged');
  assert.equal(dlq.find((d) => d.headers['tickcast-error-code'] === 'TC_RECORD_BAD_TS')!.headers.traceparent, TRACEPARENT, 'original headers kept');

  const traced = outputs.filter((o) => o.stream !== 'dlq');
  assert.ok(traced.some((o) => o.headers.traceparent === TRACEPARENT && o.headers.tracestate === 'k=v'), 'valid trace context carried');
  assert.ok(traced.every((o) => o.headers.traceparent !== 'not-a-trace'), 'invalid trace context not carried');
}

/** Every object schema closed (no undeclared fields), so that an answer with a field the schema does not describe fails too. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
  if ('properties' in out && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

/** Check real REST answers against the 200 schemas /docs/json declares for their routes (closed). */
async function checkRest(base: string, calls: Array<[string, string, unknown?]>): Promise<Json[]> {
  const doc = (await (await fetch(new URL('/docs/json', base))).json()) as Json;
  const ajv = new Ajv({ strict: true, allErrors: true });
  for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) ajv.addSchema(closed(s) as object, `#/components/schemas/${name}`);
  const answers: Json[] = [];
  for (const [method, url, body] of calls) {
    const res = await fetch(new URL(url, base), body === undefined ? {} : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, `${method} ${url}: ${await res.clone().text()}`);
    const answer = (await res.json()) as Json;
    const route = Object.keys(doc.paths).find((p) => new RegExp(`^${p.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(new URL(url, base).pathname))!;
    const schema = doc.paths[route][method.toLowerCase()].responses['200'].content['application/json'].schema;
    const validate = ajv.compile(closed(schema) as object);
    assert.ok(validate(answer), `${method} ${url}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(answer).slice(0, 2000)}`);
    answers.push(answer);
  }
  return answers;
}

const restCalls: Array<[string, string, unknown?]> = [
  ['GET', '/v1/series?limit=2'],
  ['GET', '/v1/series/web-1:cpu'],
  ['GET', '/v1/series/ramp'],
  ['GET', '/v1/anomalies?limit=1000'],
  ['GET', '/v1/incidents'],
  ['POST', '/v1/predict', { series: 'ramp' }],
];

test('univariate: every forecast, alert, incident and dead letter keeps the documented shape; so do the REST answers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tc-contract-'));
  const { app, outputs, live, ticks } = await run({ feedback: { file: join(dir, 'feedback.jsonl') }, http: { allowUnauthenticatedMutations: true } }, false);
  try {
    checkRun(outputs, ['value'], live);
    assert.ok(ticks.length > 0 && ticks.every((t) => t.values === undefined && typeof t.value === 'number'), 'a univariate tick event: `value` alone');
    const alerts = bodies(outputs, 'anomalies').filter((a) => a.kind === 'alert');
    assert.ok(alerts.every((a) => a.feature === 'value' && a.model === 'v1'), 'a univariate series: feature "value", judged against the model');
    for (const a of alerts) {
      assert.equal(a.value, level(a.series, SERIES.indexOf(a.series), (a.ts - T0) / MIN), '`value` is as sent');
      assert.equal(a.score, Number(a.score.toPrecision(6)), '`score` to 6 significant digits');
    }
    const fired = alerts.find((a) => a.state === 'firing')!;
    const [, , , , , , given, listed] = await checkRest(app.address()!, [
      ...restCalls,
      ['POST', `/v1/anomalies/${fired.id}/feedback`, { verdict: 'expected', durationMs: 3_600_000, note: 'maintenance' }],
      ['GET', '/v1/feedback'],
      ['GET', '/v1/model'],
    ]);
    assert.equal(given.feedback.untilTs, fired.ts + 3_600_000, 'the maintenance span: from the alert ts, in ms');
    assert.deepEqual(listed.items.map((e: Json) => [e.alertId, e.series, e.alertTs, e.score, e.view]), [[fired.id, fired.series, fired.ts, fired.score, fired.view]]);
    // The same outputs through the Kafka sink under a producer limit the forecasts are over: their dead letters keep the contract too.
    const batches: KafkaJS.ProducerBatch[] = [];
    const sink = new KafkaSink({ sendBatch: async (b) => void batches.push(b) }, { forecasts: 'forecasts', anomalies: 'anomalies', dlq: 'dlq' }, { maxMessageBytes: 1_000 });
    await sink.send(outputs.slice(0, 200).map((o) => ({ ...o, value: o.value ?? '' })));
    const written = batches.flatMap((b) => b.topicMessages!.flatMap((t) => t.messages.map((m) => ({ stream: t.topic as OutputRecord['stream'], key: m.key === null || m.key === undefined ? null : String(m.key), value: m.value === null ? null : String(m.value), headers: m.headers as Record<string, string> }))));
    assert.ok(written.some((w) => w.headers['tickcast-error-code'] === 'TC_OUTPUT_TOO_LARGE'), 'forecasts over the limit went as dead letters');
    const problems = written.flatMap((w) => outputContract().check(w));
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} records written break the documented contract`);
  } finally {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('multivariate (two targets, a third feature scored by the fallback): the same contract, per feature', async () => {
  const features = ['cpu', 'mem', 'disk'];
  const { app, outputs, live, ticks } = await run({ input: { features, targets: ['cpu', 'mem'] }, anomaly: { features: 'all' } }, true);
  try {
    checkRun(outputs, ['cpu', 'mem'], live);
    // The live tick event names every feature's reading (the dashboard draws the one picked); `value` is the first target's.
    const tick = ticks.find((t) => t.series === 'web-1:cpu' && t.ts === T0 + 10 * MIN)!;
    const sent = records(10, 11, true, { n: 0 }).map((r) => JSON.parse(String(r.value))).find((b) => b.series === 'web-1:cpu');
    assert.deepEqual(tick, { type: 'tick', series: 'web-1:cpu', ts: T0 + 10 * MIN, value: sent.values.cpu, values: sent.values }, 'tick event: every feature by name');
    const alerts = bodies(outputs, 'anomalies').filter((a) => a.kind === 'alert');
    assert.deepEqual([...new Set(alerts.map((a) => a.feature))].sort(), ['cpu', 'mem'], 'the spiking features alert, each on its own');
    // Two features of a series firing on one tick are two members: each names its feature (else they differ by id alone).
    const incident = bodies(outputs, 'anomalies').filter((a) => a.kind === 'incident').at(-1)!;
    assert.deepEqual(incident.alerts.map((m: Json) => `${m.series}/${m.feature}`).sort(), ['web-1:cpu/cpu', 'web-1:cpu/mem', 'web-1:mem/cpu', 'web-1:mem/mem']);
    for (const m of incident.alerts) assert.equal(alerts.find((a) => a.id === m.id)?.feature, m.feature, 'the member is that alert');
    const [, cpu, ramp] = await checkRest(app.address()!, restCalls);
    // lastForecast is what was served, in the topic's shape: the model's and a fused baseline alike name every target.
    assert.equal(cpu.lastForecast.model, 'v1');
    assert.equal(ramp.lastForecast.replaces, 'v1');
    const last = bodies(outputs, 'forecasts').filter((f) => f.series === 'ramp').at(-1)!;
    for (const { lastForecast: f } of [cpu, ramp]) {
      assert.deepEqual(Object.keys(f.targets), ['cpu', 'mem']);
      assert.deepEqual(f.targets.cpu, f.horizon);
    }
    assert.deepEqual(ramp.lastForecast, { ts: last.ts, model: last.model, replaces: last.replaces, horizon: last.horizon, targets: last.targets }, 'the record the topic got');
  } finally {
    await app.stop();
  }
});

test('a series evicted while its alerts fire: each feature\'s resolved record (reason "evicted") keeps the contract', async () => {
  // windows.maxSeries 3: a fourth series, just after the spike, evicts the least recently seen one (web-1:cpu, firing).
  const newcomer = JSON.stringify({ series: 'newcomer', ts: T0 + 605 * MIN, values: { cpu: 1, mem: 2, disk: 3 } });
  const more: RawRecord[] = [{ key: null, value: Buffer.from(newcomer), headers: {}, source: { topic: 'ticks', partition: 3, offset: '0' }, receivedAtMs: Date.now() }];
  const { app, outputs } = await run({ windows: { maxSeries: 3 }, input: { features: ['cpu', 'mem', 'disk'], targets: ['cpu', 'mem'] } }, true, 605, more);
  try {
    const problems = outputs.flatMap((o) => outputContract().check(o));
    assert.deepEqual(problems.slice(0, 5), [], `${problems.length} records break the documented contract`);
    const evicted = bodies(outputs, 'anomalies').filter((a) => a.reason === 'evicted');
    assert.deepEqual(evicted.map((a) => `${a.series}/${a.feature}/${a.eviction}`).sort(), ['web-1:cpu/cpu/cap', 'web-1:cpu/mem/cap']);
  } finally {
    await app.stop();
  }
});

test('after a warm-up replay (no model run) a ready series shows no cold-series baseline as its lastForecast; a cold one shows its own', async () => {
  const app = await startTestApp({}, { sink: { send: async () => {} }, source: idleSource });
  try {
    const tick = (series: string, i: number): RawRecord => ({ key: null, value: Buffer.from(JSON.stringify({ series, ts: T0 + i * MIN, value: 50 + Math.sin(i) })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(i) }, receivedAtMs: Date.now(), warmup: true });
    await app.pipeline.handle([...Array.from({ length: 100 }, (_, i) => tick('warm', i)), ...Array.from({ length: 5 }, (_, i) => tick('cold', i))]);
    const get = async (id: string) => (await (await fetch(new URL(`/v1/series/${id}`, app.address()!))).json()) as Json;
    const warm = await get('warm');
    assert.equal(warm.ready, true);
    // Was: the baseline of its replayed tick 15, 85 ticks behind lastTs, shown (and drawn: "cold series: window filling") as what it is served.
    assert.equal(warm.lastForecast, null, 'no forecast since the replay filled its window: none to show until its next tick');
    const cold = await get('cold');
    assert.equal(cold.ready, false);
    assert.equal(cold.lastForecast.model, 'baseline:naive');
    assert.equal(cold.lastForecast.ts, cold.lastTs, 'a cold series: the baseline of its last tick');
  } finally {
    await app.stop();
  }
});
