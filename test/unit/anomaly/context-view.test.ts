/**
 * The context view after CAD OSE (context-view.ts), alone and inside the detector
 * (`contextView: true`): deterministic, invariant to the units of a series, causal, a novel
 * context scores higher than a repeated one, memory bounded by `contextCapacity`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyDetector, resolveAnomalyConfig, type AnomalyConfig } from '../../../src/domain/anomaly/index.ts';
import { ContextView } from '../../../src/domain/anomaly/context-view.ts';
import { mulberry32 } from '../../../src/eval/nab/rng.ts';
import { restoredCopy } from '../../helpers/detector-snapshot.ts';

const ON: Partial<AnomalyConfig> = { contextView: true };

/** A daily cycle at 5-minute steps with Gaussian noise, seeded. */
function cycle(n: number, noise: number, seed = 1): number[] {
  const r = mulberry32(seed);
  const g = (): number => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  return Array.from({ length: n }, (_, i) => 50 + 20 * Math.sin((2 * Math.PI * i) / 288) + noise * g());
}

const raws = (xs: readonly number[], bins = 8, order = 3, capacity = 256): number[] => {
  const v = new ContextView(bins, order, capacity);
  return xs.map((x) => v.update(x));
};

function detect(xs: readonly number[], cfg: Partial<AnomalyConfig> = ON): number[] {
  const det = new AnomalyDetector(cfg);
  return xs.map((v, i) => det.observe('s', i * 300_000, v, null).score);
}

test('context view: deterministic, alone and in the detector', () => {
  const xs = cycle(3000, 1, 7);
  assert.deepEqual(raws(xs), raws(xs));
  assert.deepEqual(detect(xs), detect(xs));
});

test('context view: x and 1e-3·x + 5e3 give the same raw scores and detector scores', () => {
  const xs = cycle(2500, 1.5, 3);
  xs[2000] += 25;
  const ys = xs.map((v) => 1e-3 * v + 5e3);
  assert.deepEqual(raws(ys), raws(xs));
  const a = detect(xs);
  const b = detect(ys);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-6, `tick ${i}: ${a[i]} vs ${b[i]}`);
});

test('context view: causal — scores up to t do not change when the ticks after t change', () => {
  const a = cycle(2400, 1, 5);
  const b = [...a];
  for (let i = 1800; i < b.length; i++) b[i] = 1000 + i;
  assert.deepEqual(raws(a).slice(0, 1800), raws(b).slice(0, 1800));
  const sa = detect(a);
  const sb = detect(b);
  assert.deepEqual(sa.slice(0, 1800), sb.slice(0, 1800));
  assert.notDeepEqual(sa.slice(1800), sb.slice(1800));
});

test('context view: a repeated context is predicted (0), a novel one scores high', () => {
  // A saw-tooth over 8 levels, learned for 50 periods: every next level is predicted.
  const saw = (n: number): number[] => Array.from({ length: n }, (_, i) => i % 8);
  const v = new ContextView(8, 3, 256);
  for (const x of saw(400)) v.update(x);
  assert.equal(v.update(0), 0, 'the saw-tooth goes on: 7 → 0 was seen 49 times');
  assert.equal(v.update(1), 0);
  // Now a jump 1 → 5 (inside the range): never followed 1, nor the contexts ending in 1.
  const novel = v.update(5);
  assert.ok(novel >= 0.9, `novel context ${novel}`);
  // The order-1 context 5 → 6 is known and predicted: no news after the jump.
  assert.equal(v.update(6), 0);
  for (let i = 7; i < 7 + 8 * 10 + 3; i++) v.update(i % 8); // 7, 0, 1, … for ten periods, ending at 1
  // The same jump a second time: its contexts are known now, so it is less news.
  const again = v.update(5);
  assert.ok(again > 0 && again < novel, `seen once before ${again} vs novel ${novel}`);
});

test('context view: a rare but regular successor stays known (a square wave switch is never news again)', () => {
  const v = new ContextView(8, 3, 256);
  const xs = Array.from({ length: 288 * 20 }, (_, i) => (i % 288 < 144 ? 0 : 1));
  const r = xs.map((x) => v.update(x));
  // Plateaus of 144 ticks: the plateau's contexts reach 256 counts and are halved many times.
  for (let i = 288 * 2; i < xs.length; i++) assert.ok(r[i] <= 0.25, `tick ${i}: ${r[i]}`);
});

test('context view: memory stays within contextCapacity on a series with many contexts', () => {
  const r = mulberry32(31);
  const xs = Array.from({ length: 20_000 }, () => r());
  const v = new ContextView(16, 6, 64);
  let most = 0;
  for (const x of xs) {
    v.update(x);
    most = Math.max(most, v.size);
  }
  assert.ok(most <= 48, `left semi-contexts held: ${most} (capacity 64, ¾ full at most)`);
  assert.ok(v.size > 0);
  // Still working after many compactions: a fresh repeated pattern becomes predicted.
  for (let i = 0; i < 2000; i++) v.update([0, 1, 0.5][i % 3]);
  assert.equal(v.update(0.5), 0, '… 0, 1 → 0.5 again');
});

test('context view config: validated, off by default', () => {
  assert.equal(resolveAnomalyConfig().contextView, false);
  assert.throws(() => resolveAnomalyConfig({ contextBins: 1 }), /contextBins/);
  assert.throws(() => resolveAnomalyConfig({ contextOrder: 7 }), /contextOrder/);
  assert.throws(() => resolveAnomalyConfig({ contextCapacity: 100 }), /contextCapacity/);
  assert.throws(() => resolveAnomalyConfig({ contextView: 'yes' as unknown as boolean }), /contextView/);
});

test('context view: its state survives a snapshot (typed arrays and numbers only) and scores on identically', () => {
  const cfg: Partial<AnomalyConfig> = { contextView: true, contextCapacity: 32 };
  const a = new AnomalyDetector(cfg);
  const xs = cycle(1600, 3, 41);
  for (let i = 0; i < 1200; i++) a.observe('s', i, xs[i], null);
  const b = restoredCopy(a, 's');
  for (let i = 1200; i < xs.length; i++) assert.deepEqual(b.observe('s', i, xs[i], null), a.observe('s', i, xs[i], null), `tick ${i}`);
});
