import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { Trainer, evaluate } from '../../../src/model/finetune/trainer.ts';
import { WorkerClient } from '../../../src/model/finetune/worker-client.ts';
import { pairsFromSeries, zscore, naiveMae } from '../../../src/model/bootstrap.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { FT_HYBRID, FT_SPEC, sine } from './helpers.ts';

const W = FT_SPEC.window;
const H = FT_SPEC.horizon;

function data(period: number, n = 400) {
  return pairsFromSeries(zscore(sine(n, { period, noise: 0.1 })), W, H, 1);
}

test('trainer: steps lower the pinball loss and the hold-out MAE, no tensor is leaked', async () => {
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  const d = data(17);
  const before = evaluate(m, d);
  const startTensors = tf.memory().numTensors;
  const tr = new Trainer(m, { learningRate: 5e-3 });
  let afterFirst = 0;
  for (let s = 0; s < 30; s++) {
    const i = (s * 32) % (d.batch - 32);
    tr.step({ x: d.x.subarray(i * W, (i + 32) * W), y: d.y.subarray(i * H, (i + 32) * H), batch: 32 });
    // Adam creates its moment slots on the first step; nothing may grow after that.
    if (s === 0) afterFirst = tf.memory().numTensors;
    else assert.equal(tf.memory().numTensors, afterFirst, `tensors grew at step ${s}`);
  }
  const after = evaluate(m, d);
  assert.ok(after.pinball < before.pinball * 0.9, `pinball ${before.pinball} → ${after.pinball}`);
  assert.ok(after.mae < naiveMae(d, W, H), `MAE ${after.mae} not below naive ${naiveMae(d, W, H)}`);
  tr.dispose();
  assert.equal(tf.memory().numTensors, startTensors);
  m.dispose();
});

test('trainer: a NaN target or a gradient norm over the limit aborts the step with TC_TRAINING_DIVERGED and leaves the weights unchanged', async () => {
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 2);
  const d = data(11, 100);
  const b = { x: d.x.slice(0, 8 * W), y: d.y.slice(0, 8 * H), batch: 8 };
  const w0 = m.getWeights()['head/kernel'].data.slice();
  const tr = new Trainer(m, { learningRate: 1e-3 });
  b.y[3] = Number.NaN;
  assert.throws(() => tr.step(b), (e: unknown) => isTickcastError(e) && e.code === 'TC_TRAINING_DIVERGED' && /loss NaN/.test(e.message));
  b.y[3] = 0.5;
  // The pinball gradient is bounded in the targets, so an explosion is provoked through the limit.
  const strict = new Trainer(m, { learningRate: 1e-3, maxGradNorm: 1e-9 });
  assert.throws(() => strict.step(b), (e: unknown) => isTickcastError(e) && e.code === 'TC_TRAINING_DIVERGED' && /gradient norm [\d.e-]+ \(limit 1e-9\)/.test(e.message));
  assert.deepEqual(Array.from(m.getWeights()['head/kernel'].data), Array.from(w0));
  // The same batch with a sane limit trains normally.
  assert.ok(Number.isFinite(tr.step(b).loss));
  tr.dispose();
  strict.dispose();
  m.dispose();
});

test('worker: rounds of train/discard/promote/revert keep its tensor count stable; divergence comes back coded; close ends the thread', async () => {
  await initBackend();
  const champ = HybridModel.create(FT_HYBRID, FT_SPEC, 3);
  const w = new WorkerClient();
  try {
    await w.call({ type: 'init', backend: 'auto', config: FT_HYBRID, spec: FT_SPEC, weights: champ.getWeights(), nice: 0 });
    const d = data(9, 200);
    const round = (seed: number) => w.call({ type: 'train', steps: 3, learningRate: 1e-3, batchSize: 16, train: d, holdout: d, maxGradNorm: 1e4, seed, dutyCycle: 1 });
    const count = async () => ((await w.call({ type: 'memory' })) as { numTensors: number }).numTensors;
    const base = await count();
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = (await round(i)) as { trained: { losses: number[]; holdout: { champion: { mae: number } } } };
      assert.equal(r.trained.losses.length, 3);
      assert.ok(Number.isFinite(r.trained.holdout.champion.mae));
      await w.call({ type: 'discard' });
      counts.push(await count());
    }
    assert.deepEqual(counts, [base, base, base]);
    // promote keeps champion + previous; revert drops back to one model.
    await round(9);
    await w.call({ type: 'promote' });
    const withPrev = await count();
    assert.equal(withPrev, 2 * base);
    const s = (await w.call({ type: 'score', pairs: d, roles: ['champion', 'previous'] })) as { scores: Record<string, number>; count: number };
    assert.equal(s.count, d.batch);
    assert.ok(s.scores.champion > 0 && s.scores.previous > 0);
    await w.call({ type: 'revert' });
    assert.equal(await count(), base);
    const bad = { ...d, y: d.y.map((v, i) => (i === 5 ? Number.NaN : v)) };
    await assert.rejects(w.call({ type: 'train', steps: 2, learningRate: 1e-3, batchSize: bad.batch, train: bad, holdout: d, maxGradNorm: 1e4, seed: 1, dutyCycle: 1 }), (e: unknown) => isTickcastError(e) && e.code === 'TC_TRAINING_DIVERGED');
    assert.equal(await count(), base, 'an aborted round leaked tensors in the worker');
  } finally {
    await w.close();
    champ.dispose();
  }
  assert.ok([0, 1].includes(await w.exited), 'the worker thread ended');
  await assert.rejects(w.call({ type: 'memory' }), /exited/);
});
