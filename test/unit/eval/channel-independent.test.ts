import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelIndependentPredictor } from '../../../src/eval/channel-independent.ts';
import { fitLinearBaseline, LinearBaselinePredictor } from '../../../src/eval/linear-baseline.ts';
import { windowStarts } from '../../../src/data/windows.ts';

/** A univariate linear model fitted on a noisy daily sine (a real predictor, not a stand-in). */
function univariate(): LinearBaselinePredictor {
  const rows = 600;
  const values = Float32Array.from({ length: rows }, (_, t) => Math.sin((2 * Math.PI * t) / 24) + 0.1 * Math.cos(t * 1.7));
  return new LinearBaselinePredictor(
    fitLinearBaseline({ values, features: ['v'], targets: ['v'], window: 48, horizon: 6, quantiles: [0.1, 0.5, 0.9], fitStarts: windowStarts(0, 400), calibrationStarts: windowStarts(401, rows - 54) }),
  );
}

describe('channel-independent predictor', () => {
  it('forecasts each channel of each window exactly as the univariate model does on that channel alone', async () => {
    const inner = univariate();
    const channels = ['a', 'b', 'c'];
    const ci = new ChannelIndependentPredictor(inner, channels);
    assert.deepEqual(ci.spec.targets, channels);
    const { window: w, horizon: h } = ci.spec;
    const q = 3;
    const n = 4;
    // Window b, channel k: a sine with its own phase, level and amplitude.
    const value = (b: number, k: number, t: number) => (k + 1) * Math.sin((2 * Math.PI * (t + 5 * b)) / 24 + k) + 10 * k - b;
    const x = new Float32Array(n * w * 3);
    for (let b = 0; b < n; b++) for (let t = 0; t < w; t++) for (let k = 0; k < 3; k++) x[(b * w + t) * 3 + k] = value(b, k, t);
    const y = (await ci.predict({ x, batch: n })).y;
    assert.equal(y.length, n * h * 3 * q);
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < 3; k++) {
        const alone = (await inner.predict({ x: Float32Array.from({ length: w }, (_, t) => value(b, k, t)), batch: 1 })).y;
        for (let s = 0; s < h; s++) for (let j = 0; j < q; j++) assert.equal(y[((b * h + s) * 3 + k) * q + j], alone[s * q + j], `window ${b}, channel ${k}, step ${s}, quantile ${j}`);
      }
    }
  });

  it('refuses a multivariate inner model and a wrongly sized batch, with codes', async () => {
    const inner = univariate();
    const multi = { ...inner, spec: { ...inner.spec, features: ['a', 'b'], targets: ['a', 'b'] } } as unknown as LinearBaselinePredictor;
    assert.throws(() => new ChannelIndependentPredictor(multi, ['a', 'b']), { code: 'TC_CONFIG_INVALID' });
    const ci = new ChannelIndependentPredictor(inner, ['a', 'b']);
    await assert.rejects(ci.predict({ x: new Float32Array(10), batch: 1 }), { code: 'TC_MODEL_INPUT_SHAPE' });
  });
});
