/**
 * A feature that stops arriving while its alert fires, through the whole app (input.missingFeature
 * carry, anomaly.features all): the alert is resolved with reason "stale" on the anomalies topic
 * once the feature has had no value for longer than anomaly.staleFeatureMs — unset here, so
 * windows.idleEvictMs, its default. Before 6 Dec 2026 it stayed firing until the feature came back
 * or the series was evicted (measured: still firing 259 ticks later).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const SPIKE_AT = 600;
const N = 700;
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;

/** h0 and h1, cpu and mem every minute; h1's mem spikes at SPIKE_AT and is absent from every later tick of h1. */
function chunk(from: number, to: number, offset: { n: number }): RawRecord[] {
  const out: RawRecord[] = [];
  for (let k = from; k < to; k++) {
    for (const series of ['h0', 'h1']) {
      const cpu = 50 + 10 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.5;
      const mem = 20 + 3 * Math.cos((2 * Math.PI * k) / 96) + Math.sin(k * 78.233) * 0.2 + (series === 'h1' && k === SPIKE_AT ? 40 : 0);
      const values = series === 'h1' && k > SPIKE_AT ? { cpu } : { cpu, mem };
      const value = Buffer.from(JSON.stringify({ series, ts: T0 + k * MIN, values }));
      out.push({ key: Buffer.from(series), value, headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset.n++) }, receivedAtMs: Date.now() });
    }
  }
  return out;
}

test('a firing feature that stops arriving is resolved (reason stale) once absent longer than windows.idleEvictMs; the series, the metric and the dashboard state follow', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const config = { input: { features: ['cpu', 'mem'], targets: ['cpu'], missingFeature: 'carry' as const }, anomaly: { features: 'all' as const }, windows: { idleEvictMs: 30 * MIN } };
  const app = await startTestApp(config, { sink, source: idleSource });
  try {
    const offset = { n: 0 };
    for (const [from, to] of [[0, 200], [200, 400], [400, SPIKE_AT + 1], [SPIKE_AT + 1, N]]) await app.pipeline.handle(chunk(from, to, offset));
    const mem = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as Record<string, unknown>).filter((a) => a.series === 'h1' && a.feature === 'mem');
    assert.deepEqual(mem.map((a) => [a.state, ((a.ts as number) - T0) / MIN, a.reason ?? null]), [['firing', SPIKE_AT, null], ['resolved', SPIKE_AT + 31, 'stale']], 'resolved at the first tick more than 30 min after its last value');
    const [fired, resolved] = mem;
    assert.equal(resolved.value, fired.value, 'the resolve carries the last value seen');
    assert.equal(resolved.severity, fired.severity);
    for (const k of ['expected', 'lower', 'upper', 'score', 'model']) assert.equal(resolved[k], fired[k], `${k} as on the firing record`);
    const summary = app.serving.listSeries({ offset: 0, limit: 10 }).items.find((s) => s.id === 'h1');
    assert.equal(summary?.anomalyState, 'normal');
    assert.deepEqual(summary?.anomalyFeatures ?? [], []);
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /^tickcast_anomalies_resolved_total\{feature="mem",reason="stale"\} 1$/m);
    const recent = await (await fetch(`${app.address()}/v1/anomalies?series=h1`)).json() as { items?: Array<Record<string, unknown>> };
    assert.ok(JSON.stringify(recent).includes('"reason":"stale"'), `GET /v1/anomalies shows the reason: ${JSON.stringify(recent).slice(0, 400)}`);
  } finally {
    await app.stop();
  }
});
