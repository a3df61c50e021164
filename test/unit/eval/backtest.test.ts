import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PredictBatch, PredictResult, Predictor } from '../../../src/pipeline/ports.ts';
import { runBacktest } from '../../../src/eval/backtest.ts';

/** Forecasts last+1 for every step (p50), with a ±0.5 band; enough to check the bookkeeping by hand. */
class LastPlusOne implements Predictor {
  readonly spec = { window: 2, horizon: 2, features: ['v'], targets: ['v'], quantiles: [0.1, 0.5, 0.9] };
  readonly version = 'test';
  readonly engine = 'test';
  readonly backend = 'js';
  calls = 0;
  async predict(b: PredictBatch): Promise<PredictResult> {
    this.calls++;
    const y = new Float32Array(b.batch * 2 * 3);
    for (let i = 0; i < b.batch; i++) {
      const last = b.x[i * 2 + 1];
      for (let k = 0; k < 2; k++) y.set([last + 0.5, last + 1, last + 1.5], (i * 2 + k) * 3);
    }
    return { y };
  }
  async dispose(): Promise<void> {}
}

describe('rolling-origin backtest', () => {
  it('scores model and naive baselines on the same windows (worked by hand)', async () => {
    // series 0,1,...,9; windows start at 4, 5, 6 (window 2, horizon 2, last target row 9)
    const values = Float32Array.from({ length: 10 }, (_, i) => i);
    const timesMs = Float64Array.from({ length: 10 }, (_, i) => i * 3_600_000);
    const p = new LastPlusOne();
    const progress: number[] = [];
    const r = await runBacktest({
      predictor: p, values, timesMs, range: { first: 4, last: 6, count: 3 }, season: 2, scaleEndRow: 4,
      batchSize: 2, targetStd: [2], targetMean: [10], plotRows: 4, onProgress: (d) => progress.push(d),
    });
    assert.equal(r.windows, 3);
    assert.equal(p.calls, 2 + 1); // two metric batches (2 + 1 windows) and one plot call
    assert.deepEqual(progress, [2, 3]);
    // model: step 1 error 0, step 2 error 1 → MAE 0.5, MSE 0.5; band ±0.5 holds step 1 only
    assert.equal(r.model.overall.mae, 0.5);
    assert.equal(r.model.overall.mse, 0.5);
    assert.equal(r.model.overall.coverage, 0.5);
    assert.deepEqual(r.model.maeByStep, [0, 1]);
    // MASE scale: seasonal-naive (m = 2) on rows 0..3 = mean(|2−0|, |3−1|) = 2
    assert.equal(r.model.overall.mase, 0.25);
    // repeat-last errors 1, 2; seasonal-naive (m = 2) errors 2, 2
    assert.equal(r.baselines.repeatLast.overall.mae, 1.5);
    assert.equal(r.baselines.repeatLast.overall.mse, 2.5);
    assert.equal(r.baselines.seasonalNaive.overall.mae, 2);
    assert.equal(r.baselines.seasonalNaive.overall.mse, 4);
    assert.equal(r.relativeMaeVsSeasonalNaive, 0.25);
    // original units: std 2
    assert.equal(r.model.perTarget[0].maeOriginal, 1);
    // plot: two full-horizon forecasts from origins 4 and 6, in data units (v·2 + 10)
    const s = r.plot?.[0];
    assert.ok(s);
    assert.deepEqual(s.actual, [22, 24, 26, 28]);
    assert.deepEqual(s.p50, [22, 22, 26, 26]);
    assert.deepEqual(s.lower, [21, 21, 25, 25]);
    assert.deepEqual(s.origins, [0, 2]);
    assert.deepEqual(s.timesMs, [6, 7, 8, 9].map((h) => h * 3_600_000));
  });

  it('stride skips origins; a wrong-sized model output is an error, not a silent score', async () => {
    const values = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i));
    const timesMs = Float64Array.from({ length: 40 }, (_, i) => i);
    const r = await runBacktest({ predictor: new LastPlusOne(), values, timesMs, range: { first: 0, last: 35, count: 36 }, stride: 5, season: 1, scaleEndRow: 20 });
    assert.equal(r.windows, 8); // 0, 5, ..., 35
    const broken = new LastPlusOne();
    broken.predict = async () => ({ y: new Float32Array(1) });
    await assert.rejects(
      runBacktest({ predictor: broken, values, timesMs, range: { first: 0, last: 5, count: 6 }, season: 1, scaleEndRow: 20 }),
      /expected 6×2×1×3/,
    );
  });

  it('stops when the signal aborts', async () => {
    const values = Float32Array.from({ length: 40 }, (_, i) => i);
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await assert.rejects(
      runBacktest({ predictor: new LastPlusOne(), values, timesMs: new Float64Array(40), range: { first: 0, last: 30, count: 31 }, season: 1, scaleEndRow: 10, signal: ac.signal }),
      /stop/,
    );
  });
});
