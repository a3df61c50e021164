import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { choleskySolve, fitLinearBaseline, LinearBaselinePredictor, quantileOfSorted } from '../../../src/eval/linear-baseline.ts';
import { makeWindows, windowStarts } from '../../../src/data/windows.ts';
import { ErrorAccumulator, bandIndices } from '../../../src/eval/metrics.ts';

/** Seeded standard normal (Box-Muller on a small LCG) so the test data never changes. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const u = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function sine(rows: number, noise: number, seed = 1): Float32Array {
  const g = gaussian(seed);
  return Float32Array.from({ length: rows }, (_, t) => Math.sin((2 * Math.PI * t) / 24) + 0.002 * t + noise * g());
}

function evaluate(p: LinearBaselinePredictor, values: Float32Array, first: number, last: number) {
  const { window, horizon, quantiles } = p.spec;
  const ws = makeWindows(values, { window, horizon, features: 1, targetIndex: [0] }, windowStarts(first, last));
  return p.predict({ x: ws.x, batch: ws.n }).then((res) => {
    const acc = new ErrorAccumulator(['v'], horizon, quantiles, bandIndices(quantiles));
    acc.add(ws.y, res.y, ws.n);
    const naive = new ErrorAccumulator(['v'], horizon, [0.5], null);
    const last = new Float32Array(ws.n * horizon);
    for (let i = 0; i < ws.n; i++) last.fill(ws.x[i * window + window - 1], i * horizon, (i + 1) * horizon);
    naive.add(ws.y, last, ws.n);
    return { model: acc.result().overall, naive: naive.result().overall, y: res.y, n: ws.n };
  });
}

describe('closed-form linear baseline', () => {
  it('Cholesky solves a 2×2 system worked by hand', () => {
    // [[4,2],[2,3]]·x = [2,1] → x = (1/8)·[[3,−2],[−2,4]]·[2,1] = [0.5, 0]
    const x = choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 1]), 2, 1);
    assert.ok(Math.abs(x[0] - 0.5) < 1e-12 && Math.abs(x[1]) < 1e-12);
    assert.throws(() => choleskySolve(Float64Array.from([0, 0, 0, 0]), Float64Array.from([1, 1]), 2, 1), /not positive definite/);
  });

  it('type-7 quantiles of sorted data', () => {
    assert.equal(quantileOfSorted([1, 2, 3, 4, 5], 0.5), 3);
    assert.equal(quantileOfSorted([1, 2, 3, 4, 5], 0.1), 1.4);
  });

  it('a noiseless sine + trend is forecast almost exactly, far better than repeat-last', async () => {
    const values = sine(600, 0);
    const state = fitLinearBaseline({
      values, features: ['v'], targets: ['v'], window: 48, horizon: 12, quantiles: [0.1, 0.5, 0.9],
      fitStarts: windowStarts(0, 400), calibrationStarts: windowStarts(401, 480), ridge: 1e-8,
    });
    const r = await evaluate(new LinearBaselinePredictor(state), values, 481, 600 - 60);
    assert.ok(r.model.mse < 1e-5, `mse ${r.model.mse}`);
    assert.ok(r.naive.mse > 0.1, `naive mse ${r.naive.mse}`);
  });

  it('on sine + noise: beats repeat-last, quantiles ordered, p10–p90 covers about 80 % out of sample', async () => {
    const values = sine(3000, 0.3, 7);
    const state = fitLinearBaseline({
      values, features: ['v'], targets: ['v'], window: 48, horizon: 12, quantiles: [0.1, 0.5, 0.9],
      fitStarts: windowStarts(0, 1800), calibrationStarts: windowStarts(1801, 2300),
    });
    const p = new LinearBaselinePredictor(state);
    const r = await evaluate(p, values, 2301, 3000 - 60);
    assert.ok(r.model.mse < 0.6 * r.naive.mse, `model ${r.model.mse} vs naive ${r.naive.mse}`);
    assert.ok(r.model.mse < 0.15, `mse ${r.model.mse} (noise variance is 0.09)`);
    for (let i = 0; i < r.y.length; i += 3) assert.ok(r.y[i] <= r.y[i + 1] && r.y[i + 1] <= r.y[i + 2]);
    const cov = r.model.coverage as number;
    assert.ok(cov > 0.72 && cov < 0.88, `coverage ${cov}`);
  });

  it('M setting: one shared weight matrix, each channel reads only its own past', async () => {
    // channel b = 10 × channel a shifted; a forecast of a must not change when b changes
    const rows = 400;
    const a = sine(rows, 0.1, 3);
    const values = new Float32Array(rows * 2);
    for (let t = 0; t < rows; t++) {
      values[2 * t] = a[t];
      values[2 * t + 1] = Math.cos(t / 5);
    }
    const state = fitLinearBaseline({
      values, features: ['a', 'b'], targets: ['a', 'b'], window: 24, horizon: 6, quantiles: [0.5],
      fitStarts: windowStarts(0, 300), calibrationStarts: new Int32Array(0),
    });
    assert.equal(state.weights.length, 25 * 6);
    const p = new LinearBaselinePredictor(state);
    const x = values.slice(300 * 2, 324 * 2);
    const before = (await p.predict({ x, batch: 1 })).y;
    for (let w = 0; w < 24; w++) x[2 * w + 1] += 5;
    const after = (await p.predict({ x, batch: 1 })).y;
    for (let k = 0; k < 6; k++) assert.equal(after[k * 2], before[k * 2]); // target a unchanged
    assert.notEqual(after[1], before[1]);
    await assert.rejects(p.predict({ x: new Float32Array(10), batch: 1 }), /expects x of 1×24×2/);
  });
});
