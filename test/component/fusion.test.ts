/**
 * Fusion with fast baselines through the whole app: a steady ramp (which the model flattens) is
 * served the drift line once its forecasts have been scored, labelled `baseline:drift`; the
 * series view says what is served and why, the metric counts series per source; with
 * fusion.enabled false every forecast is the model's. The detector keeps the model's band.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import { isCold, modelVersionOf } from '../helpers/forecasts.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const T0 = Date.UTC(2025, 0, 1);
const N = 200;

function records(from: number, to: number): RawRecord[] {
  const out: RawRecord[] = [];
  for (let k = from; k < to; k++) {
    const value = Buffer.from(JSON.stringify({ series: 'ramp', ts: T0 + k * 60_000, value: 1_000_000 + 60_000 * k }));
    out.push({ key: Buffer.from('ramp'), value, headers: {}, source: { topic: 'ticks', partition: 0, offset: String(k) }, receivedAtMs: Date.now() });
  }
  return out;
}

async function run(enabled: boolean) {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ fusion: { enabled } }, { sink, source: idleSource });
  try {
    for (let k = 0; k < N; k += 20) await app.pipeline.handle(records(k, k + 20));
    const forecasts = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)));
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    return { forecasts, metrics, detail: app.serving.getSeries('ramp')!, version: app.model.predictor.version, window: app.config.windows.length };
  } finally {
    await app.stop();
  }
}

test('a ramp is served the drift line once scored, labelled, in the series view and the metric', async () => {
  const { forecasts, metrics, detail, version } = await run(true);
  const last = forecasts.at(-1);
  assert.equal(last.model, 'baseline:drift');
  assert.equal(last.replaces, version, 'a fused baseline names the model version it stood in for');
  const lastValue = 1_000_000 + 60_000 * (N - 1);
  last.horizon.forEach((s: { p50: number }, h: number) => assert.ok(Math.abs(s.p50 - (lastValue + 60_000 * (h + 1))) < 1e-3, `step ${h + 1}: ${s.p50}`));
  // The first model forecasts of the series are the model's (nothing scored yet).
  const warm = forecasts.filter((f) => !isCold(f));
  assert.equal(warm[0].model, version);
  assert.ok(warm.every((f) => modelVersionOf(f) === version));
  assert.ok(forecasts.filter(isCold).every((f) => f.model === 'baseline:naive' && f.replaces === undefined), 'cold-series baselines carry no replaces');
  assert.equal(detail.lastForecast?.model, 'baseline:drift');
  assert.equal(detail.fusion?.served, 'baseline:drift');
  assert.ok(detail.fusion!.relativeError.drift! < 0.01 && detail.fusion!.relativeError.model! > 0.1, JSON.stringify(detail.fusion));
  assert.match(metrics, /^tickcast_forecast_source_series\{source="baseline:drift"\} 1$/m);
  assert.match(metrics, /^tickcast_forecast_source_series\{source="model"\} 0$/m);
});

test('fusion.enabled false: every forecast after the window is the model\'s', async () => {
  const { forecasts, detail, version, window } = await run(false);
  const warm = forecasts.slice(window - 2);
  assert.equal(warm.length, N - window + 1);
  assert.ok(warm.every((f) => f.model === version), `labels: ${[...new Set(warm.map((f) => f.model))]}`);
  assert.equal(detail.fusion, undefined);
});
