/**
 * Fusion with fast baselines (src/domain/fusion): each series is served the candidate with the
 * lowest recent error — the model while it earns it, else naive, seasonal naive or drift, labelled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ForecastFusion, type FusionOptions } from '../../../src/domain/fusion/forecast-fusion.ts';
import { baselinePaths, seasonTicks } from '../../../src/domain/fusion/baselines.ts';
import type { ForecastStep } from '../../../src/domain/types.ts';

const H = 4;
const OPTS: FusionOptions = { horizon: H, targets: 1, quantiles: [0.1, 0.5, 0.9], halfLifeTicks: 50, minScoredTicks: 8, margin: 0.05, seasonTicks: 0 };
const HOUR = 3_600_000;

function steps(p50s: number[], width = 1): ForecastStep[] {
  return p50s.map((p50, h) => ({ step: h + 1, ts: h, p10: p50 - width, p50, p90: p50 + width }) as ForecastStep);
}

/** Stream `x` through fusion at stride 1 with a window of `W`; `model(t)` gives the model's p50 path at tick t. Returns the served labels and p50 paths. */
function run(f: ForecastFusion, x: number[], model: (t: number) => number[], W = 32, intervalMs = HOUR, series = 's') {
  const served: Array<{ model: string; p50: number[]; steps: ForecastStep[] }> = [];
  const buf = new Float64Array(W);
  for (let t = 0; t < x.length; t++) {
    f.realised(series, [x[t]], [0], 1);
    if (t < W - 1) continue;
    const recent = (_: number, out: Float64Array) => {
      const n = Math.min(W, t + 1);
      for (let i = 0; i < n; i++) out[i] = x[t - n + 1 + i];
      return n;
    };
    const r = f.serve(series, 'v1', [steps(model(t))], f.baselines(recent, intervalMs, buf));
    served.push({ model: r.model, p50: r.steps[0].map((s) => s.p50), steps: r.steps[0] });
  }
  return served;
}

let seed = 5;
const rnd = () => ((seed = (seed * 16807) % 2147483647), seed / 2147483647 - 0.5);

test('a model that forecasts the series well keeps serving', () => {
  const x = Array.from({ length: 300 }, (_, t) => 50 + 10 * Math.sin(t / 3) + rnd() * 0.1);
  const truth = (t: number) => Array.from({ length: H }, (_, h) => 50 + 10 * Math.sin((t + h + 1) / 3));
  const served = run(new ForecastFusion(OPTS), x, truth);
  assert.ok(served.every((s) => s.model === 'v1'), `labels: ${[...new Set(served.map((s) => s.model))]}`);
});

test('a ramp the model flattens gets the drift line, exact, labelled baseline:drift', () => {
  const x = Array.from({ length: 200 }, (_, t) => 1_000_000 + 60_000 * t);
  const flat = (t: number) => Array(H).fill(x[t]);
  const f = new ForecastFusion(OPTS);
  const served = run(f, x, flat);
  const last = served.at(-1)!;
  assert.equal(last.model, 'baseline:drift');
  const t = x.length - 1;
  last.p50.forEach((p, h) => assert.ok(Math.abs(p - (x[t] + 60_000 * (h + 1))) < 1e-6, `step ${h + 1}: ${p}`));
  // Not before the series' forecasts were scored on minScoredTicks ticks.
  assert.ok(served.slice(0, OPTS.minScoredTicks).every((s) => s.model === 'v1'));
  assert.deepEqual(f.servedCounts(), { model: 0, 'baseline:naive': 0, 'baseline:seasonal-naive': 0, 'baseline:drift': 1 });
  const v = f.view('s', 'v1')!;
  assert.equal(v.served, 'baseline:drift');
  assert.equal(v.relativeError.naive, 1);
  assert.ok(v.relativeError.drift! < 1e-9 && v.relativeError.model! > 0.99, JSON.stringify(v));
});

test('a random walk the model gets wrong is served naive, with a band from naive\'s own errors', () => {
  let level = 100;
  const x = Array.from({ length: 600 }, () => (level += rnd() * 2));
  const meanReverting = (t: number) => Array(H).fill(x.slice(t - 31, t + 1).reduce((a, b) => a + b, 0) / 32);
  const served = run(new ForecastFusion(OPTS), x, meanReverting);
  const tail = served.slice(-200);
  const naive = tail.filter((s) => s.model === 'baseline:naive').length;
  assert.ok(naive > 150, `naive served ${naive}/200 (labels ${[...new Set(tail.map((s) => s.model))]})`);
  const s = tail.find((e) => e.model === 'baseline:naive')!;
  // The band widens with the step (a walk's error grows as √h) and is centred on the last value.
  assert.ok(s.steps[3].p90 - s.steps[3].p10 > s.steps[0].p90 - s.steps[0].p10);
  assert.ok(s.steps.every((st) => st.p10 < st.p50 && st.p50 < st.p90 && st.p50 === s.p50[0]));
});

test('an hourly daily cycle the model misses gets seasonal naive (season found from the spacing)', () => {
  const x = Array.from({ length: 400 }, (_, t) => 100 + 30 * Math.sin((2 * Math.PI * t) / 24) + rnd() * 0.5);
  const flat = (t: number) => Array(H).fill(x[t]);
  const served = run(new ForecastFusion(OPTS), x, flat);
  assert.equal(served.at(-1)!.model, 'baseline:seasonal-naive');
  assert.equal(seasonTicks(0, HOUR), 24);
  assert.equal(seasonTicks(0, 60_000), 1440, 'a day of minute ticks: more than a window holds, so not used');
  assert.equal(seasonTicks(7, HOUR), 7, 'configured');
});

test('the margin keeps a near tie on the model', () => {
  // A random walk (naive is the best forecast; with a long window drift is within a few % of it,
  // seasonal naive far behind) and a model that forecasts the last value plus a hair: naive is
  // better, but by far less than the 5 % margin.
  let level = 10;
  const x = Array.from({ length: 400 }, () => (level += rnd()));
  const nearlyNaive = (t: number) => Array(H).fill(x[t] + 0.001);
  const served = run(new ForecastFusion(OPTS), x, nearlyNaive, 128);
  assert.ok(served.every((s) => s.model === 'v1'), `labels: ${[...new Set(served.map((s) => s.model))]}`);
  const noMargin = run(new ForecastFusion({ ...OPTS, margin: 0 }), x, nearlyNaive, 128);
  assert.ok(noMargin.some((s) => s.model !== 'v1'), 'without the margin the tie flips');
});

test('a tick after filled-in readings advances the step count (forecast step k meets the k-th reading)', () => {
  const f = new ForecastFusion({ ...OPTS, minScoredTicks: 1 });
  const buf = new Float64Array(8);
  const recent = (_: number, out: Float64Array) => (out.set([1, 2, 3, 4, 5, 6, 7, 8]), 8);
  // The model forecasts 9, 10, 11, 12: the truth for a ramp of one per reading.
  f.serve('s', 'v1', [steps([9, 10, 11, 12])], f.baselines(recent, HOUR, buf));
  // Two readings missed (filled in), then the third arrives: value 11 is step 3.
  f.realised('s', [11], [0], 3);
  const v = f.view('s', 'v1')!;
  assert.equal(v.scoredTicks, 1);
  // Scored at step 3 only: the model was exact, naive (8) off by 3.
  assert.equal(v.relativeError.model, 0, JSON.stringify(v));
  assert.equal(v.relativeError.naive, 1);
});

test('forget drops a series and its count; unknown series are ignored', () => {
  const f = new ForecastFusion(OPTS);
  run(f, Array.from({ length: 60 }, (_, t) => t), (t) => Array(H).fill(t), 32, HOUR, 'a');
  run(f, Array.from({ length: 60 }, (_, t) => t), (t) => Array.from({ length: H }, (_, h) => t + h + 1), 32, HOUR, 'b');
  const total = () => Object.values(f.servedCounts()).reduce((a, b) => a + b, 0);
  assert.equal(total(), 2);
  f.forget('a');
  f.forget('nope');
  f.realised('nope', [1], [0], 1);
  assert.equal(total(), 1);
  assert.equal(f.view('a', 'v1'), undefined);
});

test('baselinePaths: naive, seasonal naive (NaN when the season does not fit), drift', () => {
  const out = new Float64Array(4 * 3);
  baselinePaths(Float64Array.from([1, 2, 3, 4, 5]), 5, 2, 3, out, 0);
  assert.deepEqual([...out.subarray(3, 6)], [5, 5, 5]);
  assert.deepEqual([...out.subarray(6, 9)], [4, 5, 4]);
  assert.deepEqual([...out.subarray(9, 12)], [6, 7, 8]);
  baselinePaths(Float64Array.from([1, 2, 3]), 3, 24, 3, out, 0);
  assert.ok(out.subarray(6, 9).every(Number.isNaN));
});

test('floored targets (input.nonNegative): baseline paths stop at zero, so a draining series is scored and served a drift line that stays at 0', () => {
  const f = new ForecastFusion({ ...OPTS, minScoredTicks: 1, floored: [true] });
  const buf = new Float64Array(8);
  // Falling by 2 a tick to 1: drift would go 1 − 2·h.
  const recent = (_: number, out: Float64Array) => (out.set([15, 13, 11, 9, 7, 5, 3, 1]), 8);
  const paths = f.baselines(recent, HOUR, buf);
  const drift = paths.slice(3 * H, 4 * H);
  assert.deepEqual(drift, [0, 0, 0, 0]);
  assert.deepEqual(new ForecastFusion(OPTS).baselines(recent, HOUR, buf).slice(3 * H, 4 * H), [-1, -3, -5, -7], 'unfloored: the line runs below zero');
});
