import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MeanPredictor } from '../../../src/eval/mean-predictor.ts';
import { fitLinearBaseline, LinearBaselinePredictor } from '../../../src/eval/linear-baseline.ts';
import { windowStarts } from '../../../src/data/windows.ts';

/** Two real linear models fitted on different stretches of a noisy sine, so their forecasts differ. */
function linear(from: number, window = 24): LinearBaselinePredictor {
  let s = 7;
  const noise = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.6;
  const values = Float32Array.from({ length: 900 }, (_, t) => Math.sin((2 * Math.PI * t) / 24) + noise());
  return new LinearBaselinePredictor(
    fitLinearBaseline({ values, features: ['v'], targets: ['v'], window, horizon: 4, quantiles: [0.1, 0.5, 0.9], fitStarts: windowStarts(from, from + 300), calibrationStarts: windowStarts(from + 301, from + 400) }),
    `lin-${from}-${window}`,
  );
}

describe('mean predictor (seed ensemble)', () => {
  it('forecasts the element-wise mean of its members, quantiles still ascending', async () => {
    const a = linear(0);
    const b = linear(450);
    const x = Float32Array.from({ length: 3 * 24 }, (_, i) => Math.cos(i / 5) + (i % 24) / 24);
    const [ya, yb, ym] = await Promise.all([a, b, new MeanPredictor([a, b])].map(async (p) => (await p.predict({ x, batch: 3 })).y));
    assert.ok(ya.some((v, i) => Math.abs(v - yb[i]) > 1e-3), 'the members differ');
    for (let i = 0; i < ym.length; i++) assert.ok(Math.abs(ym[i] - (ya[i] + yb[i]) / 2) < 1e-6, `element ${i}`);
    for (let i = 0; i < ym.length; i += 3) assert.ok(ym[i] <= ym[i + 1] && ym[i + 1] <= ym[i + 2], `quantiles ascending at ${i}`);
  });

  it('refuses an empty ensemble and members with different specs, with codes', () => {
    assert.throws(() => new MeanPredictor([]), { code: 'TC_CONFIG_INVALID' });
    assert.throws(() => new MeanPredictor([linear(0), linear(0, 48)]), { code: 'TC_CONFIG_INVALID', message: /lin-0-48/ });
  });
});
