import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BandQualityTracker } from '../../../src/domain/band-quality.ts';
import type { ForecastStep } from '../../../src/domain/types.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { installBandQualityMetrics } from '../../../src/telemetry/band-quality-metrics.ts';

const step = (p10: number, p50: number, p90: number): ForecastStep => ({ step: 1, ts: 0, p10, p50, p90 }) as ForecastStep;
const tracker = (windowTicks = 10, maxSeries = 100) => new BandQualityTracker({ quantiles: [0.1, 0.5, 0.9], windowTicks, maxSeries });

test('coverage, misses by side and pinball loss match a hand computation', () => {
  const t = tracker();
  t.observe('s', 5, step(0, 5, 10)); // inside, loss 0.1·5 + 0 + 0.1·5 = 1.0 → /3
  t.observe('s', 12, step(0, 5, 10)); // above: 0.1·12 + 0.5·7 + 0.9·2 = 1.2 + 3.5 + 1.8 = 6.5 → /3
  t.observe('s', -2, step(0, 5, 10)); // below: 0.9·2 + 0.5·7 + 0.1·12 = 6.5 → /3
  t.observe('s', 3, step(0, 5, 10)); // inside: 0.1·3 + 0.5·2 + 0.1·7 = 2.0 → /3
  const s = t.get('s')!;
  assert.equal(s.ticks, 4);
  assert.equal(s.coverage, 0.5);
  assert.equal(s.nominal, 0.8);
  assert.equal(s.below, 0.25);
  assert.equal(s.above, 0.25);
  assert.ok(Math.abs(s.pinball - (1 + 6.5 + 6.5 + 2) / 3 / 4) < 1e-5);
  // naive scale: |12−5| + |−2−12| + |3+2| = 7 + 14 + 5 over 3 pairs
  assert.ok(Math.abs(s.scaledPinball! - s.pinball / (26 / 3)) < 1e-3);
});

test('rolling: only the last windowTicks realised ticks count; a drifted band shows', () => {
  const t = tracker(10);
  for (let i = 0; i < 10; i++) t.observe('s', 5, step(0, 5, 10));
  assert.equal(t.get('s')!.coverage, 1);
  for (let i = 0; i < 6; i++) t.observe('s', 50, step(0, 5, 10));
  const s = t.get('s')!;
  assert.equal(s.ticks, 10);
  assert.equal(s.coverage, 0.4);
  assert.equal(s.above, 0.6);
});

test('bounded series, forget, non-finite values ignored, flat series has no scaled loss', () => {
  const t = tracker(10, 2);
  t.observe('a', 1, step(0, 1, 2));
  t.observe('b', 1, step(0, 1, 2));
  t.observe('c', 1, step(0, 1, 2));
  assert.equal(t.size, 2);
  assert.equal(t.get('a'), undefined, 'least recently updated dropped');
  t.observe('b', Number.NaN, step(0, 1, 2));
  assert.equal(t.get('b')!.ticks, 1);
  t.observe('b', 1, step(0, 1, 2));
  assert.equal(t.get('b')!.scaledPinball, null);
  t.forget('b');
  assert.equal(t.get('b'), undefined);
});

test('overview lists series farthest from nominal first', () => {
  const t = tracker(10);
  for (let i = 0; i < 10; i++) {
    t.observe('good', 5 + (i % 5 === 0 ? 20 : 0), step(0, 5, 10)); // 0.8 covered
    t.observe('narrow', i % 2 ? 50 : 5, step(0, 5, 10)); // 0.5
    t.observe('wide', 5, step(-100, 5, 100)); // 1.0
  }
  const o = t.overview(2);
  assert.equal(o.series, 3);
  assert.deepEqual(o.worst.map((x) => [x.series, x.coverage]), [['narrow', 0.5], ['wide', 1]]);
  assert.equal(o.meanCoverage, Math.round(((0.8 + 0.5 + 1) / 3) * 1e4) / 1e4);
});

test('metrics: a histogram across series (cumulative) and a bounded top-k of the worst series', async () => {
  const m = createMetrics({ defaultMetrics: false });
  const t = tracker(20);
  for (let s = 0; s < 30; s++) {
    for (let i = 0; i < 20; i++) t.observe(`s${s}`, i % 10 < Math.floor(s / 3) ? 50 : 5, step(0, 5, 10)); // coverage 1 − s/30-ish
  }
  t.observe('young', 5, step(0, 5, 10)); // below minTicks: not counted
  installBandQualityMetrics(m, t, { minTicks: 5, topK: 3 });
  const text = await m.registry.metrics();
  const bucket = (le: string) => Number(new RegExp(`tickcast_band_coverage_series\\{at_most="${le.replace('+', '\\+')}"\\} (\\d+)`).exec(text)?.[1]);
  assert.equal(bucket('+Inf'), 30);
  const under = [...t.summaries(5)].filter(([, x]) => x.coverage <= 0.6).length;
  assert.equal(bucket('0.6'), under);
  assert.ok(bucket('0.2') <= bucket('0.6') && bucket('0.6') <= bucket('1'));
  const top = text.match(/^tickcast_band_coverage\{series="[^"]+"\} [\d.]+$/gm) ?? [];
  assert.equal(top.length, 3, text);
  assert.ok(top.every((l) => /series="s(2[7-9])"/.test(l)), `the three worst: ${top}`);
  assert.match(text, /tickcast_band_nominal_coverage 0\.8/);
  // s0–s2 are flat (no naive error scale): they have no scaled loss and are left out of that histogram.
  assert.match(text, /tickcast_band_pinball_scaled_series\{at_most="\+Inf"\} 27\n/);
});
