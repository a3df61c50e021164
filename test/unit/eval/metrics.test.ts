import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorAccumulator, bandIndices, intervalCoverage, mae, mase, mse, pinballLoss, rmse, seasonalNaiveScale } from '../../../src/eval/metrics.ts';

const close = (a: number, b: number, eps = 1e-12): void => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

describe('metrics (values worked out by hand)', () => {
  it('MAE, MSE, RMSE: errors −1, 0, 1, 2', () => {
    const y = [1, 2, 3, 4];
    const p = [2, 2, 2, 2];
    close(mae(y, p), 1); // (1+0+1+2)/4
    close(mse(y, p), 1.5); // (1+0+1+4)/4
    close(rmse(y, p), Math.sqrt(1.5));
  });

  it('seasonal-naive scale and MASE', () => {
    const s = [1, 3, 2, 5, 4];
    close(seasonalNaiveScale(s, 1), 1.75); // (2+1+3+1)/4
    close(seasonalNaiveScale(s, 2), 5 / 3); // (|2−1|+|5−3|+|4−2|)/3
    close(seasonalNaiveScale(s, 2, 3), 1); // only |2−1| inside the first 3 rows
    assert.ok(Number.isNaN(seasonalNaiveScale(s, 5)));
    close(mase([1, 2, 3, 4], [2, 2, 2, 2], 1.75), 1 / 1.75);
  });

  it('interval coverage counts bounds as inside', () => {
    close(intervalCoverage([1, 2, 3, 4], [0, 2.5, 3, 5], [1, 3, 4, 6]), 0.5);
  });

  it('pinball loss weights under- and over-forecasts by q and 1−q', () => {
    close(pinballLoss([1, 3], [2, 2], 0.9), 0.5); // (0.1·1 + 0.9·1)/2
    close(pinballLoss([1, 3], [2, 2], 0.5), 0.5);
  });

  it('rejects empty or mismatched inputs', () => {
    assert.throws(() => mae([], []), /empty/);
    assert.throws(() => mse([1], [1, 2]), /differ in length/);
  });

  it('accumulator: per target, per step, overall, coverage and MASE', () => {
    // one window, horizon 2, targets a and b, quantiles p10/p50/p90
    const acc = new ErrorAccumulator(['a', 'b'], 2, [0.1, 0.5, 0.9], bandIndices([0.1, 0.5, 0.9]));
    const actual = [1, 10, 2, 20]; // [k][t]
    const forecast = [0, 1.5, 2, 9, 9, 9, 1, 1, 3, 19, 22, 25]; // [k][t][q]
    acc.add(actual, forecast, 1);
    const r = acc.result([0.5, 3]);
    // a: errors −0.5, 1 → MAE 0.75, MSE 0.625, both inside the band
    // b: errors 1, −2 → MAE 1.5, MSE 2.5; 10 is above p90 = 9, 20 is inside
    close(r.perTarget[0].mae, 0.75);
    close(r.perTarget[0].mse, 0.625);
    close(r.perTarget[1].mae, 1.5);
    close(r.perTarget[1].mse, 2.5);
    assert.equal(r.perTarget[0].coverage, 1);
    assert.equal(r.perTarget[1].coverage, 0.5);
    close(r.perTarget[0].mase as number, 1.5);
    close(r.perTarget[1].mase as number, 0.5);
    close(r.overall.mse, 1.5625);
    close(r.overall.mae, 1.125);
    close(r.overall.rmse, 1.25);
    close(r.overall.mase as number, 1);
    close(r.overall.coverage as number, 0.75);
    assert.deepEqual(r.maeByStep, [0.75, 1.5]);
    assert.equal(acc.windows, 1);
    // no scales → no MASE
    assert.equal(acc.result().overall.mase, null);
  });

  it('band indices pick p10/p90, else the outermost levels', () => {
    assert.deepEqual(bandIndices([0.05, 0.1, 0.5, 0.9, 0.95]), { lower: 1, upper: 3 });
    assert.deepEqual(bandIndices([0.25, 0.5, 0.75]), { lower: 0, upper: 2 });
    assert.equal(bandIndices([0.5]), null);
    assert.throws(() => new ErrorAccumulator(['a'], 1, [0.1, 0.9], null), /must include 0.5/);
  });
});
