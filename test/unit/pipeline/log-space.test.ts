/**
 * A model trained on ln(value) (spec.logFeatures) served end to end: the window store normalises
 * ln(value), forecasts come back in the series' units, values a log feature cannot take become
 * dead letters (stream) or a 400 (request windows), and the learner sees model space.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copySpec, logMask, outOfLogDomain, specDiffs } from '../../../src/domain/model-spec.ts';
import { decodeForecast } from '../../../src/domain/forecast.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { normStd } from '../../../src/domain/norm-std.ts';
import type { ModelSpec, RawRecord } from '../../../src/domain/types.ts';
import { LINEAR_FORMAT, LinearBaselinePredictor } from '../../../src/eval/linear-baseline.ts';
import { validateSpec } from '../../../src/model/config.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { StreamPipeline } from '../../../src/pipeline/stream-pipeline.ts';
import type { OutMessage, TickObservation } from '../../../src/pipeline/ports.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { createModelServing } from '../http/support/model-serving.ts';

const W = 8;
const H = 3;
const GROWTH = 1.05;
const value = (t: number) => 100 * GROWTH ** t;

/**
 * A linear model that extrapolates the last step: ŷ[k] = last + (k + 1)·(last − previous), in
 * NLinear form (no bias, so the window store's own statistics do not matter). On ln(100·1.05^t)
 * it is exact; on the values themselves it is not (the contrast in the stream test).
 */
function extrapolator(logFeatures: string[] = ['value']): LinearBaselinePredictor {
  const weights = new Array((W + 1) * H).fill(0);
  for (let k = 0; k < H; k++) weights[(W - 2) * H + k] = -(k + 1);
  const quantileOffsets = Array.from({ length: H }, () => [-0.1, 0, 0.1]).flat();
  const spec = copySpec({ window: W, features: ['value'], targets: ['value'], horizon: H, quantiles: [0.1, 0.5, 0.9], logFeatures });
  return new LinearBaselinePredictor({ format: LINEAR_FORMAT, formatVersion: 1, spec, weights, quantileOffsets, ridge: 0 }, 'extrapolator');
}

/** Forecasts of the stream pipeline over the model, plus its dead letters and learner feed. */
async function stream(model: LinearBaselinePredictor, ticks: Array<[number, number]>) {
  const ms = await createModelServing({ spec: model.spec, wrap: () => model });
  const sent: OutMessage[] = [];
  const seen: TickObservation[] = [];
  const pipeline = new StreamPipeline({
    store: ms.store, outlook: new SeriesOutlook(), recentAnomalies: new RecentAnomalies(), inference: ms.inference, scorer: null,
    sink: { send: async (m) => void sent.push(...m) },
    codec: { features: ['value'], maxRecordBytes: 4096, seriesPattern: /^[a-z]+$/, missingFeature: 'reject', logFeatures: logMask(model.spec) },
    learner: { observe: (o) => void seen.push(o), forget: () => {} },
  });
  try {
    for (const [i, v] of ticks) await pipeline.handle([rec(i, v)]);
  } finally {
    await ms.close();
  }
  const forecasts = sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)));
  return { forecasts, dead: sent.filter((m) => m.stream === 'dlq'), seen };
}

/** Largest |p50 / truth − 1| over every forecast step. */
function worstError(forecasts: Array<{ ts: number; horizon: Record<string, number>[] }>): number {
  let worst = 0;
  for (const f of forecasts) {
    const origin = Math.round((f.ts - 1_700_000_000_000) / 60_000);
    f.horizon.forEach((s, k) => (worst = Math.max(worst, Math.abs(s.p50 / value(origin + k + 1) - 1))));
  }
  return worst;
}

function rec(i: number, v: number): RawRecord {
  return { key: Buffer.from('s'), value: Buffer.from(JSON.stringify({ ts: 1_700_000_000_000 + i * 60_000, value: v })), headers: {}, source: { topic: 't', partition: 0, offset: String(i) }, receivedAtMs: 0 };
}

test('model spec: logFeatures is part of what two specs must share, and is validated', () => {
  const base: ModelSpec = { window: W, features: ['a', 'b'], targets: ['a'], horizon: H, quantiles: [0.1, 0.5, 0.9] };
  const log = copySpec({ ...base, logFeatures: ['a'] });
  assert.deepEqual(specDiffs(base, copySpec(base)), []);
  assert.deepEqual(specDiffs(base, { ...base, logFeatures: [] }), [], 'absent and empty are the same');
  assert.deepEqual(specDiffs(base, log), ['logFeatures [] ≠ [a]']);
  assert.equal('logFeatures' in copySpec({ ...base, logFeatures: [] }), false, 'older specs are stored as they were');
  assert.deepEqual(logMask(log), [true, false]);
  assert.deepEqual(outOfLogDomain([0, -1], [true, false]), { index: 0, value: 0 });
  assert.equal(outOfLogDomain([Number.NaN, -1], [true, false]), null, 'a missing value is carried forward, not judged');
  assert.throws(() => validateSpec({ ...base, logFeatures: ['c'] }), /log feature "c" is not one of the features/);
});

test('window store: statistics and windows in ln space, recent() in the series units', () => {
  const store = new WindowStore({ window: 4, features: 2, stride: 1, maxSeries: 4, idleEvictMs: 1e9, duplicatePolicy: 'drop', normHalfLifeTicks: 1e6, logFeatures: [true, false] });
  const rows = [[1, 1], [Math.E, 2], [Math.E ** 2, 3], [Math.E ** 3, 4]];
  rows.forEach((r, i) => store.push('s', i, r, 0));
  const st = store.stats('s')!;
  assert.ok(Math.abs(st.mean[0] - 1.5) < 1e-12, 'mean of ln values 0,1,2,3');
  assert.ok(Math.abs(st.mean[1] - 2.5) < 1e-12, 'the other feature as it is');
  const x = new Float32Array(8);
  store.snapshot('s', x, 0);
  const sd = Math.sqrt(1.25);
  for (let i = 0; i < 4; i++) {
    assert.ok(Math.abs(x[i * 2] - (i - 1.5) / sd) < 1e-6);
    assert.ok(Math.abs(x[i * 2 + 1] - (i + 1 - 2.5) / sd) < 1e-6);
  }
  assert.ok(Math.abs(store.current('s')!.values[0] - 3) < 1e-12, 'the learner sees model space');
  // Raw values for the series view: exp(ln v) in 64 bits (the window was float32 before 5 Dec 2026).
  store.recent('s')!.values.forEach((r, i) => r.forEach((v, f) => assert.ok(Math.abs(v - rows[i][f]) <= 1e-12 * rows[i][f], `${v} vs ${rows[i][f]}`)));
});

test('decodeForecast: a log target comes back through exp, quantiles still ordered', () => {
  const spec = copySpec({ window: W, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9], logFeatures: ['value'] });
  const [steps] = decodeForecast(Float32Array.of(-1, 0, 1), 0, spec, [0], [2], [0.5], [1]);
  assert.ok(Math.abs(steps[0].p50 - Math.exp(2)) < 1e-9);
  assert.ok(Math.abs(steps[0].p10 - Math.exp(1.5)) < 1e-9);
  assert.ok(Math.abs(steps[0].p90 - Math.exp(2.5)) < 1e-9);
});

test('stream: an exponential series forecast by a log-space model, in the series units; values ≤ 0 are dead letters', async () => {
  const T = 30;
  const ticks: Array<[number, number]> = Array.from({ length: T }, (_, i) => [i, value(i)]);
  const { forecasts, dead, seen } = await stream(extrapolator(), [...ticks, [T, 0], [T + 1, -3], [T + 2, value(T + 2)]]);
  assert.equal(forecasts.length, T - W + 2, 'one per tick from the full window on, the bad ticks excepted: the stream goes on');
  const clean = forecasts.slice(0, -1); // the last window spans the two dropped ticks
  assert.ok(worstError(clean) < 1e-5, `p50 within 1e-5 of the truth; worst ${worstError(clean)}`);
  for (const f of forecasts) for (const s of f.horizon) assert.ok(s.p10 > 0 && s.p10 < s.p50 && s.p50 < s.p90);
  assert.equal(dead.length, 2);
  for (const d of dead) {
    assert.equal(d.headers['tickcast-error-code'], 'TC_RECORD_BAD_VALUE');
    assert.match(String(d.headers['tickcast-error-message']), /feature "value" is (0|-3); the model reads it as ln\(value\), so it must be > 0/);
  }
  assert.deepEqual(JSON.parse(String(dead[0].value)), { ts: 1_700_000_000_000 + T * 60_000, value: 0 }, 'the original bytes');
  const before = seen[T - 1];
  assert.ok(Math.abs(before.values[0] - Math.log(value(T - 1))) < 1e-9, 'the learner gets ln(value)');
  assert.ok(before.expected !== null && Math.abs(before.expected - Math.log(value(T - 1))) < 1e-5, 'and the expectation in the same space');
  assert.equal(seen.length, T + 1, 'dead letters never reach the learner');

  // The same weights on the values themselves extrapolate a straight line: off by > 1 % at step 3.
  const plain = await stream(extrapolator([]), ticks);
  assert.ok(worstError(plain.forecasts) > 0.01, `value space: worst ${worstError(plain.forecasts)}`);
});

test('request windows: ln applied before normalising; a value ≤ 0 is a 400 that says which', async () => {
  const model = extrapolator();
  const ms = await createModelServing({ spec: model.spec, wrap: () => model });
  try {
    const window = Array.from({ length: W }, (_, t) => value(t + 50));
    const res = await ms.serving.forecast({ window });
    res.horizon.forEach((s, k) => assert.ok(Math.abs(s.p50 / value(50 + W + k) - 1) < 1e-5, `step ${k + 1}: ${s.p50}`));
    await assert.rejects(ms.serving.forecast({ window: [...window.slice(1), 0] }), (err: unknown) => {
      assert.ok(isTickcastError(err) && err.statusCode === 400);
      assert.match((err as Error).message, /window\[7\] has 0 for feature "value"; the model reads it as ln\(value\)/);
      return true;
    });
  } finally {
    await ms.close();
  }
});

test('decodeForecast: a constant window (deviation at its floor) decodes to the level, also through exp; a varying one does not', () => {
  const spec = copySpec({ window: W, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] });
  const y = Float32Array.of(-0.3, 0.01, 0.4);
  const zeros = decodeForecast(y, 0, spec, [0], [0], [normStd(0, 0)], [1])[0][0];
  assert.deepEqual([zeros.p10, zeros.p50, zeros.p90], [0, 0, 0], JSON.stringify(zeros));
  const level = decodeForecast(y, 0, spec, [0], [3], [normStd(0, 3)], [1])[0][0];
  assert.deepEqual([level.p10, level.p50, level.p90], [3, 3, 3], JSON.stringify(level));
  const logSpec = copySpec({ ...spec, logFeatures: ['value'] });
  const logged = decodeForecast(y, 0, logSpec, [0], [2], [normStd(0, 2)], [1])[0][0];
  assert.deepEqual([logged.p10, logged.p50, logged.p90], [Math.exp(2), Math.exp(2), Math.exp(2)]);
  const moving = decodeForecast(y, 0, spec, [0], [0], [normStd(1e-290, 0)], [1])[0][0];
  assert.ok(moving.p10 < 0 && moving.p90 > 0, 'a tiny but real deviation still spreads the band');
});
