/**
 * Counts in log space (count-gate.ts): which features the gate sends there, that the replay makes
 * them score exactly as if log values had been fed from the first tick, that what is reported
 * comes back in the series' units, and that the state survives a snapshot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyDetector, DEFAULT_ANOMALY_CONFIG, type AnomalyEvent } from '../../../src/domain/anomaly/index.ts';
import { fromLogSpace, GATE_LOG, GATE_RAW, toLogSpace } from '../../../src/domain/anomaly/count-gate.ts';
import { burstyCounts, mulberry32 } from '../../../src/eval/nab/index.ts';
import { restoredCopy } from '../../helpers/detector-snapshot.ts';

const STEP = 300_000;
const cycle = (n: number): number[] => Array.from({ length: n }, (_, i) => 100 + 60 * Math.sin((2 * Math.PI * i) / 288));
/** Bursty event counts on a daily cycle (integers ≥ 0, skewed right), with a surge at 1500. */
function counts(seed: number): number[] {
  const x = burstyCounts(cycle(2000), mulberry32(seed));
  for (let i = 1500; i < 1506; i++) x[i] = 20 * x[i] + 50;
  return x;
}
const scores = (xs: readonly number[], countTransform = true, extra: object = {}): number[] => {
  const d = new AnomalyDetector({ countTransform, ...extra });
  return xs.map((v, i) => d.observe('s', i * STEP, v, null).score);
};
const gateMode = (d: AnomalyDetector): number => (d.exportSeries('s') as Record<string, { gate: { mode: number } }>)[''].gate.mode;

test('log space and back: inverse, monotone, defined for negative values, 0 → 0', () => {
  for (const x of [-1e6, -3.5, -1, 0, 0.25, 1, 7, 1e9]) assert.ok(Math.abs(fromLogSpace(toLogSpace(x)) - x) <= 1e-9 * Math.max(1, Math.abs(x)), String(x));
  assert.equal(toLogSpace(0), 0);
  assert.ok(toLogSpace(-2) < toLogSpace(-1) && toLogSpace(-1) < toLogSpace(0) && toLogSpace(1) < toLogSpace(100));
});

test('the gate: skewed non-negative integers go to log space; decimals and symmetric integers stay in their units (same scores as with the gate off)', () => {
  const x = counts(3);
  const d = new AnomalyDetector();
  x.slice(0, DEFAULT_ANOMALY_CONFIG.learningTicks).forEach((v, i) => d.observe('s', i * STEP, v, null));
  assert.equal(gateMode(d), GATE_LOG, 'bursty counts');
  for (const [label, xs] of [['decimals', x.map((v) => v + 0.5)], ['a symmetric integer cycle', cycle(2000).map(Math.round)]] as const) {
    const e = new AnomalyDetector();
    xs.slice(0, DEFAULT_ANOMALY_CONFIG.learningTicks).forEach((v, i) => e.observe('s', i * STEP, v, null));
    assert.equal(gateMode(e), GATE_RAW, label);
    assert.deepEqual(scores(xs), scores(xs, false), `${label}: the gate changes nothing`);
  }
  assert.notDeepEqual(scores(x), scores(x, false), 'control: for counts it does');
});

test('the replay: a count series scores exactly as its log values fed from the first tick with the gate off', () => {
  for (const seed of [3, 5]) {
    const x = counts(seed);
    const d = new AnomalyDetector();
    x.forEach((v, i) => d.observe('s', i * STEP, v, null));
    assert.equal(gateMode(d), GATE_LOG, `seed ${seed}`);
    // In log space the long-cycle filter is idle (detector.ts), so the comparison turns it off too.
    assert.deepEqual(scores(x), scores(x.map(toLogSpace), false, { longCycleMaxPeriod: 0 }), `seed ${seed}`);
  }
});

test('what is reported comes back in the series\' units: the fallback expectation, and the model\'s as given', () => {
  const x = counts(5);
  const fired = (expected: (i: number) => { lower: number; p50: number; upper: number } | null): AnomalyEvent[] => {
    const d = new AnomalyDetector();
    const out: AnomalyEvent[] = [];
    x.forEach((v, i) => {
      const e = d.observe('s', i * STEP, v, expected(i)).event;
      if (e?.state === 'firing') out.push(e);
    });
    return out;
  };
  const fb = fired(() => null);
  assert.ok(fb.length > 0, 'the surge fires');
  for (const e of fb) {
    assert.equal(e.basis, 'fallback');
    const { lower, p50, upper } = e.expected!;
    assert.ok(lower <= p50 && p50 <= upper, JSON.stringify(e.expected));
    // Every value of this series is ≤ its maximum, ln(1 + max) ≈ 8: a p50 above that is in counts.
    assert.ok(p50 > toLogSpace(Math.max(...x)) && p50 <= Math.max(...x), `p50 ${p50} is a count, not a log (values ${Math.min(...x)}–${Math.max(...x)})`);
  }
  const model = (i: number) => ({ lower: x[Math.max(0, i - 1)] * 0.5, p50: x[Math.max(0, i - 1)], upper: x[Math.max(0, i - 1)] * 2 + 1 });
  const withModel = fired(model);
  assert.ok(withModel.length > 0);
  for (const e of withModel) {
    const i = Math.round(e.tsMs / STEP);
    assert.equal(e.basis, 'model');
    assert.deepEqual(e.expected, model(i));
  }
});

test('a count series in log space survives a snapshot: the restored detector scores the next ticks identically', () => {
  const x = counts(10);
  const a = new AnomalyDetector();
  for (let i = 0; i < 1000; i++) a.observe('s', i * STEP, x[i], null);
  const b = restoredCopy(a, 's');
  assert.equal(gateMode(b), GATE_LOG);
  for (let i = 1000; i < 2000; i++) assert.deepEqual(b.observe('s', i * STEP, x[i], null), a.observe('s', i * STEP, x[i], null), `tick ${i}`);
});
