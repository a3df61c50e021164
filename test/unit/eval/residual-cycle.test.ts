import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gauss, mulberry32 } from '../../../src/model/random.ts';
import { windowStarts } from '../../../src/data/windows.ts';
import { fitLinearBaseline, pointForecast } from '../../../src/eval/linear-baseline.ts';
import { phaseMeans, refineCycle, removeCycle, type ResidualCycle } from '../../../src/eval/residual-cycle.ts';

const P = 24;
const W = 48;
const H = 24;
const TRAIN_END = 1200;
const truth = (t: number): number => 2 * Math.sin((2 * Math.PI * t) / P) + (t % P === 5 ? 1.5 : 0) - 1.5 / P;

/** A daily cycle (a sine with a one-hour bump) on top of an AR(1) walk: what RCF is for. */
function series(rows: number, seed: number): Float32Array {
  const rng = mulberry32(seed);
  let ar = 0;
  return Float32Array.from({ length: rows }, (_, t) => {
    ar = 0.95 * ar + 0.3 * gauss(rng);
    return truth(t) + ar;
  });
}

function fitOn(values: Float32Array, cycle: ResidualCycle, starts: Int32Array) {
  return fitLinearBaseline({ values: removeCycle(values, 1, cycle), features: ['v'], targets: ['v'], window: W, horizon: H, quantiles: [0.5], fitStarts: starts, calibrationStarts: new Int32Array(0) }).weights;
}

/** Mean squared error of "forecast the residual, add the cycle back" over the given windows, on the raw series. */
function mse(values: Float32Array, cycle: ResidualCycle, weights: number[], starts: Int32Array): number {
  const r = removeCycle(values, 1, cycle);
  const out = new Float64Array(H);
  let se = 0;
  for (const s of starts) {
    pointForecast(weights, r, s, 1, W, H, out);
    for (let k = 0; k < H; k++) se += (values[s + W + k] - (out[k] + cycle.q[(s + W + k) % P])) ** 2;
  }
  return se / (starts.length * H);
}

describe('residual cycle forecasting (closed-form CycleNet/Linear)', () => {
  const values = series(2000, 3);
  const train = windowStarts(0, TRAIN_END - W - H);
  const heldOut = windowStarts(TRAIN_END, 2000 - W - H);

  it('phase means recover the cycle from the training rows alone, centred on 0', () => {
    const c = phaseMeans(values, 1, TRAIN_END, P);
    const worst = Math.max(...Array.from(c.q, (q, p) => Math.abs(q - truth(p))));
    assert.ok(worst < 0.5, `phase means off the true cycle by up to ${worst.toFixed(3)}`);
    assert.ok(Math.abs(c.q.reduce((a, b) => a + b, 0)) < 1e-9, 'cycle not centred');
    // The residual is the series minus the cycle at each row's phase.
    const r = removeCycle(values, 1, c);
    for (const t of [0, 5, 29, 1999]) assert.ok(Math.abs(r[t] - (values[t] - c.q[t % P])) < 1e-6);
  });

  it('the refinement step is the least-squares optimum of the cycle for a fixed linear map', () => {
    const poor: ResidualCycle = { period: P, q: new Float64Array(P) };
    const weights = fitOn(values, poor, train);
    const refined = refineCycle(poor, { values, features: 1, targetIndex: [0], window: W, horizon: H, weights, fitStarts: train });
    const after = mse(values, refined, weights, train);
    assert.ok(after < mse(values, poor, weights, train), 'refinement did not lower the training error');
    // First-order optimality, checked by brute force: moving any one phase either way costs error.
    for (let p = 0; p < P; p++) {
      for (const step of [-0.02, 0.02]) {
        const q = Float64Array.from(refined.q);
        q[p] += step;
        const moved = mse(values, { period: P, q }, weights, train);
        assert.ok(moved > after - 1e-7, `phase ${p} moved by ${step}: ${after.toFixed(6)} → ${moved.toFixed(6)}`);
      }
    }
  });

  it('the fitted cycle beats the plain linear model on held-out windows of a cyclic series', () => {
    const none: ResidualCycle = { period: P, q: new Float64Array(P) };
    const plain = mse(values, none, fitOn(values, none, train), heldOut);
    let cycle = phaseMeans(values, 1, TRAIN_END, P);
    cycle = refineCycle(cycle, { values, features: 1, targetIndex: [0], window: W, horizon: H, weights: fitOn(values, cycle, train), fitStarts: train });
    const rcf = mse(values, cycle, fitOn(values, cycle, train), heldOut);
    assert.ok(rcf < plain * 0.95, `held-out MSE plain ${plain.toFixed(4)}, with the cycle ${rcf.toFixed(4)}`);
  });

  it('refuses a period it cannot fit', () => {
    assert.throws(() => phaseMeans(values, 1, TRAIN_END, 1), RangeError);
    assert.throws(() => phaseMeans(values, 1, 10, P), RangeError);
  });
});
