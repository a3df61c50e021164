/**
 * The resolution floor (resolution.ts, ninth round): the step a quantised series is learnt, the
 * forecast and seasonal error scales are floored at what rounding to it costs, a continuous series
 * is untouched, and the detector stays invariant to units and restorable from a snapshot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyDetector, type AnomalyConfig } from '../../../src/domain/anomaly/index.ts';
import { Resolution } from '../../../src/domain/anomaly/resolution.ts';
import { mulberry32 } from '../../../src/eval/nab/rng.ts';
import { gauss } from '../../../src/model/random.ts';
import { restoredCopy } from '../../helpers/detector-snapshot.ts';

const STEP = 300_000;

/** A daily cycle at 5-minute steps with Gaussian noise, rounded to multiples of `q` (0: not rounded). */
function series(n: number, noise: number, q: number, seed = 1): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const v = 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + noise * gauss(r);
    return q > 0 ? Math.round(v / q) * q : v;
  });
}

const stepOf = (xs: readonly number[]): number => {
  const res = new Resolution(0.005);
  xs.forEach((v) => res.learn(v));
  return res.step;
};

function scores(xs: readonly number[], cfg: Partial<AnomalyConfig> = {}): number[] {
  const d = new AnomalyDetector(cfg);
  return xs.map((v, i) => d.observe('s', i * STEP, v, null).score);
}

test('the step: the grid of a rounded series, 0 for a continuous one, capped for a few-level series', () => {
  assert.equal(stepOf(series(2000, 2, 0)), 0, 'continuous: the smallest move is a tiny share of the typical one');
  assert.equal(stepOf(series(2000, 2, 1)), 1, 'rounded to integers, noise ±2: the step is 1');
  assert.ok(Math.abs(stepOf(series(2000, 0.5, 0.1)) - 0.1) < 1e-9, 'rounded to 0.1, noise ±0.5 (to float precision)');
  assert.equal(stepOf(series(2000, 2, 0.1)), 0, 'rounded to 0.1 under noise ±2: a resolution too fine to matter');
  // Coarse: noise 0.3 rounded to 1 — mostly 0 moves; the step is capped at 3 × the mean |Δ|.
  const coarse = stepOf(series(2000, 0.3, 1));
  assert.ok(coarse > 0 && coarse <= 1, `coarse step ${coarse}`);
  // A square wave between 0 and 10, period 100: its "step" is a level, capped far below 10.
  const square = Array.from({ length: 2000 }, (_, i) => (Math.floor(i / 50) % 2) * 10);
  assert.ok(stepOf(square) < 1, `square wave step ${stepOf(square)}`);
});

test('a continuous series scores exactly as with the floor off; a rounded one does not (control)', () => {
  const smooth = series(3000, 1.5, 0, 3);
  assert.deepEqual(scores(smooth), scores(smooth, { resolutionFloor: false }));
  const rounded = series(3000, 0.4, 1, 3);
  assert.notDeepEqual(scores(rounded), scores(rounded, { resolutionFloor: false }));
});

test('one-step jitter of an integer series that repeats exactly is no news with the floor; a 10-step jump still is', () => {
  const r = mulberry32(4);
  const clean = (i: number) => Math.round(50 + 10 * Math.sin((2 * Math.PI * i) / 24));
  // A sensor read to whole units: the cycle repeats to the digit, 3 % of readings are one step off.
  const xs = Array.from({ length: 3000 }, (_, i) => clean(i) + (r() < 0.03 ? (r() < 0.5 ? 1 : -1) : 0));
  xs[2600] += 10;
  const jitter = (s: number[]) => s.filter((_, i) => i > 500 && i < 2590 && xs[i] !== clean(i));
  const on = scores(xs);
  const off = scores(xs, { resolutionFloor: false });
  assert.ok(jitter(on).length > 40, 'enough jitter ticks to judge');
  assert.equal(jitter(on).filter((v) => v >= 0.5).length, 0, 'with the floor no one-step move scores ≥ 0.5');
  assert.ok(jitter(off).filter((v) => v >= 0.5).length >= 5, `control: without it ${jitter(off).filter((v) => v >= 0.5).length} do`);
  assert.ok(Math.max(...on.slice(2600, 2612)) >= 0.9, 'the jump scores ≥ 0.9');
});

test('invariant to units on a rounded series: x, 1024·x + 4096 and −x score the same', () => {
  // Exact transforms: on a quantised series the analogue forecaster's distances tie, and an
  // inexact one (1e-3·x + 5e3) can break the ties differently — with the floor off as well.
  const xs = series(2500, 0.5, 1, 5);
  xs[2000] += 6;
  const base = scores(xs);
  for (const f of [(v: number) => 1024 * v + 4096, (v: number) => -v]) {
    const other = scores(xs.map(f));
    for (let i = 0; i < base.length; i++) assert.ok(Math.abs(base[i] - other[i]) < 1e-6, `tick ${i}: ${base[i]} vs ${other[i]}`);
  }
});

test('the learnt step survives a snapshot: the restored detector scores the next ticks identically', () => {
  const xs = series(2000, 0.4, 1, 6);
  const a = new AnomalyDetector();
  for (let i = 0; i < 1000; i++) a.observe('s', i * STEP, xs[i], null);
  const b = restoredCopy(a, 's');
  for (let i = 1000; i < 2000; i++) assert.deepEqual(b.observe('s', i * STEP, xs[i], null), a.observe('s', i * STEP, xs[i], null), `tick ${i}`);
});
