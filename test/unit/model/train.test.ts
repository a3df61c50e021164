import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../../src/model/hybrid-model.ts';
import { createOptimizer, type Dataset } from '../../../src/model/train.ts';
import { evaluate } from '../../../src/model/evaluate.ts';
import { fit } from '../../../src/model/fit.ts';
import { trainSteps } from '../../../src/model/training-loop.ts';
import type { ModelSpec } from '../../../src/domain/types.ts';
import { backend, rng } from './helpers.ts';

const W = 16;
const H = 4;
const SPEC: ModelSpec = { window: W, features: ['v'], targets: ['v'], horizon: H, quantiles: [0.1, 0.5, 0.9] };
const SMALL = { dModel: 16, lstm: { numLayers: 1, dropout: 0 }, transformer: { layers: 1, heads: 2 } };

/** The seed demo's series: a period-12 sine plus uniform noise of std 0.1. */
function sineDataset(from: number, to: number, seed = 7): Dataset {
  const r = rng(seed);
  const s = Float32Array.from({ length: to + W + H }, (_, t) => Math.sin((2 * Math.PI * t) / 12) + 0.1 * Math.sqrt(3) * (r() * 2 - 1));
  const n = to - from;
  const x = new Float32Array(n * W);
  const y = new Float32Array(n * H);
  for (let i = 0; i < n; i++) {
    x.set(s.subarray(from + i, from + i + W), i * W);
    y.set(s.subarray(from + i + W, from + i + W + H), i * H);
  }
  return { x, y, n };
}

function naiveLastMae(d: Dataset): number {
  let sum = 0;
  for (let i = 0; i < d.n; i++) for (let h = 0; h < H; h++) sum += Math.abs(d.y[i * H + h] - d.x[i * W + W - 1]);
  return sum / (d.n * H);
}

describe('training', () => {
  before(backend);

  it('a tiny model learns sine+noise to well below the naive-last-value error; quantiles stay ordered and bracket the truth', async () => {
    const train = sineDataset(0, 450);
    const test = sineDataset(450, 600);
    const m = createModel(SMALL, SPEC, 1);
    const tensorsBefore = tf.memory().numTensors;
    const progress: number[] = [];
    const res = await fit(m, train, { epochs: 8, batchSize: 32, lr: 3e-3, valSplit: 0.2, earlyStoppingPatience: 3, onProgress: (p) => progress.push(p.loss) });
    assert.equal(tf.memory().numTensors, tensorsBefore, 'fit leaks no tensors');
    assert.ok(progress.length >= res.steps, 'progress reported every step');
    assert.ok(res.valLosses.length === res.epochsRun && res.bestEpoch >= 1);
    const naive = naiveLastMae(test);
    const ev = evaluate(m, test);
    const ratio = ev.mae / naive;
    console.log(`# sine+noise: model MAE ${ev.mae.toFixed(4)} vs naive-last ${naive.toFixed(4)} → ratio ${ratio.toFixed(3)} (${res.steps} steps, ${res.stepsPerSecond.toFixed(1)} steps/s)`);
    assert.ok(ratio < 0.4, `MAE ratio to naive-last-value is ${ratio.toFixed(3)}, expected < 0.4`);

    // Quantiles after training: ordered everywhere, and p10–p90 covers a sensible share of the truth.
    const x = tf.tensor3d(test.x, [test.n, W, 1]);
    const { y } = m.predict(x);
    const p = await y.data();
    tf.dispose([x, y]);
    let inside = 0;
    for (let i = 0; i < test.n * H; i++) {
      assert.ok(p[i * 3] < p[i * 3 + 1] && p[i * 3 + 1] < p[i * 3 + 2], `quantiles out of order at ${i}`);
      if (test.y[i] >= p[i * 3] && test.y[i] <= p[i * 3 + 2]) inside++;
    }
    const coverage = inside / (test.n * H);
    console.log(`# p10–p90 coverage on the test span: ${(coverage * 100).toFixed(1)}% (nominal 80%)`);
    assert.ok(coverage > 0.5 && coverage < 0.98, `coverage ${coverage}`);
    m.dispose();
  });

  it('seeded training is reproducible with dropout on: same seed, same data → the same weights, bit for bit', async () => {
    // Two LSTM layers so dropout (between them) is active; tf.dropout without a seed used Math.random.
    const cfg = { ...SMALL, lstm: { numLayers: 2, dropout: 0.3 } };
    const data = sineDataset(0, 96);
    const weights = async (): Promise<Float32Array[]> => {
      const m = createModel(cfg, SPEC, 5);
      await fit(m, data, { epochs: 2, batchSize: 16, lr: 3e-3, valSplit: 0, seed: 3 });
      const out = await Promise.all(m.variables().map(async (v) => (await v.data()) as Float32Array));
      m.dispose();
      return out;
    };
    const [a, b] = [await weights(), await weights()];
    a.forEach((w, i) => assert.deepEqual(w, b[i], `weight ${i} differs between two seeded runs`));
    // The masks change from pass to pass (a seed per pass, not one fixed mask).
    const m = createModel(cfg, SPEC, 5);
    const x = tf.tensor3d(data.x.subarray(0, 8 * W), [8, W, 1]);
    const [p1, p2] = [m.predict(x, { training: true }).y, m.predict(x, { training: true }).y];
    assert.equal(tf.tidy(() => tf.any(tf.notEqual(p1, p2)).dataSync()[0]), 1, 'two training passes drew the same dropout mask');
    tf.dispose([x, p1, p2]);
    m.dispose();
  });

  it('a NaN in the targets throws TC_TRAINING_DIVERGED and leaves the model unchanged (fit and trainSteps)', async () => {
    const data = sineDataset(0, 96);
    const m = createModel(SMALL, SPEC, 2);
    const before1 = m.getWeights();
    const poisoned = { ...data, y: data.y.slice() };
    poisoned.y[70 * H + 2] = NaN; // a later batch: earlier steps have already updated the weights
    await assert.rejects(fit(m, poisoned, { epochs: 2, batchSize: 16, valSplit: 0 }), { code: 'TC_TRAINING_DIVERGED' });
    assert.deepEqual(m.getWeights(), before1, 'fit restored the starting weights');

    const tensors = tf.memory().numTensors;
    const opt = createOptimizer(1e-2);
    const good = { x: data.x.subarray(0, 16 * W), y: data.y.subarray(0, 16 * H), batch: 16 };
    const bad = { x: poisoned.x.subarray(64 * W, 80 * W), y: poisoned.y.subarray(64 * H, 80 * H), batch: 16 };
    await assert.rejects(trainSteps(m, opt, [good, good, bad]), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'TC_TRAINING_DIVERGED');
      assert.match(err.message, /NaN/);
      return true;
    });
    assert.deepEqual(m.getWeights(), before1, 'trainSteps restored the weights it started from');
    const r = await trainSteps(m, opt, [good, good], { lr: 5e-3, clipNorm: 0.5 });
    assert.equal(r.losses.length, 2);
    assert.notDeepEqual(m.getWeights(), before1, 'clean steps do update');
    opt.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'no tensors leak across steps, divergence and optimizer dispose');
    m.dispose();
  });

  it('fit with startValLoss keeps the starting weights when no epoch beats them, and the best epoch when one does', async () => {
    const data = sineDataset(0, 128);
    const val = sineDataset(200, 264, 11);
    const tensors = tf.memory().numTensors;
    const m = createModel(SMALL, SPEC, 5);
    const start = m.getWeights();
    // Pinball loss is never below 0: no epoch can beat a start scored 0.
    const kept = await fit(m, data, { epochs: 2, batchSize: 16, lr: 3e-3, val, startValLoss: 0 });
    assert.equal(kept.epochsRun, 2);
    assert.equal(kept.bestEpoch, 0);
    assert.equal(kept.bestValLoss, 0);
    assert.deepEqual(m.getWeights(), start, 'the starting weights are back');
    // A start worse than any epoch: the best epoch's weights stay, as without the option.
    const beaten = await fit(m, data, { epochs: 2, batchSize: 16, lr: 3e-3, val, startValLoss: Infinity });
    assert.ok(beaten.bestEpoch >= 1);
    assert.equal(beaten.bestValLoss, Math.min(...beaten.valLosses));
    assert.notDeepEqual(m.getWeights(), start);
    m.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'the start snapshot is freed');
  });

  it('fit with emaEpochs validates and keeps the moving average of the weights, and trains on from the live ones', async () => {
    const data = sineDataset(0, 128);
    const val = sineDataset(200, 264, 11);
    const tensors = tf.memory().numTensors;
    const plain = createModel(SMALL, SPEC, 5);
    const averaged = createModel(SMALL, SPEC, 5);
    const opts = { epochs: 3, batchSize: 16, lr: 3e-3, val, seed: 2 };
    const a = await fit(plain, data, opts);
    const b = await fit(averaged, data, { ...opts, emaEpochs: 1 });
    assert.deepEqual(b.trainLosses, a.trainLosses, 'swapping the average in for validation does not disturb training');
    assert.notDeepEqual(b.valLosses, a.valLosses, 'what is validated is the average, not the last weights');
    assert.equal(evaluate(averaged, val).pinball, b.bestValLoss, 'the model holds the averaged weights it was validated with');
    assert.notDeepEqual(averaged.getWeights(), plain.getWeights());
    plain.dispose();
    averaged.dispose();
    assert.equal(tf.memory().numTensors, tensors, 'no tensor is left behind');
  });

  it('fit stops at an abort after the current step and reports it', async () => {
    const data = sineDataset(0, 128);
    const m = createModel(SMALL, SPEC, 4);
    const ac = new AbortController();
    let calls = 0;
    const res = await fit(m, data, {
      epochs: 5,
      batchSize: 16,
      valSplit: 0.25,
      signal: ac.signal,
      onProgress: () => {
        calls++;
        if (calls === 2) ac.abort();
      },
    });
    assert.equal(res.stopReason, 'aborted');
    assert.equal(res.steps, 2);
    assert.equal(res.epochsRun, 1);
    assert.equal(res.valLosses.length, 1, 'the partial epoch is still validated');
    m.dispose();
  });

  it('trainSteps stops at an abort and yields to the event loop between steps', async () => {
    const data = sineDataset(0, 32);
    const m = createModel(SMALL, SPEC, 3);
    const opt = createOptimizer();
    const ac = new AbortController();
    const b = { x: data.x, y: data.y, batch: 32 };
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    const steps = (function* () {
      for (let i = 0; i < 50; i++) {
        if (i === 3) ac.abort();
        yield b;
      }
    })();
    const r = await trainSteps(m, opt, steps, { signal: ac.signal });
    clearInterval(timer);
    assert.equal(r.aborted, true);
    assert.equal(r.losses.length, 3);
    assert.ok(ticks >= 1, 'a timer ran while training');
    opt.dispose();
    m.dispose();
  });
});
