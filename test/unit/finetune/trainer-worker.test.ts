import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../src/model/backend.ts';
import { HybridModel } from '../../../src/model/hybrid-model.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { Trainer, evaluate, evaluatePaced } from '../../../src/model/finetune/trainer.ts';
import { WorkerClient, WorkerRefereePredictor } from '../../../src/model/finetune/worker-client.ts';
import { createInferenceEngine } from '../../../src/model/onnx/engine.ts';
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

test('evaluatePaced scores in slices with a pause after each, to the same numbers as evaluate', async () => {
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 5);
  const d = data(11, 300); // not a multiple of the slice
  const whole = evaluate(m, d);
  let pauses = 0;
  const sliced = await evaluatePaced(m, d, async () => void pauses++, 64);
  assert.equal(pauses, Math.ceil(d.batch / 64) - 1);
  assert.ok(Math.abs(sliced.mae - whole.mae) < 1e-6 && Math.abs(sliced.pinball - whole.pinball) < 1e-6, JSON.stringify({ whole, sliced }));
  m.dispose();
});

for (const isolation of ['process', 'thread'] as const) test(`trainer (${isolation}): rounds of train/discard/promote/revert/release keep its tensor count stable; divergence comes back coded; an abort ends a round; close ends it`, async () => {
  await initBackend();
  const champ = HybridModel.create(FT_HYBRID, FT_SPEC, 3);
  const w = new WorkerClient({ isolation });
  try {
    await w.call({ type: 'init', backend: 'auto', nativeKernels: true, config: FT_HYBRID, spec: FT_SPEC, weights: champ.getWeights(), nice: 0 });
    const d = data(9, 200);
    const round = (seed: number) => w.call({ type: 'train', gen: 0, steps: 3, learningRate: 1e-3, batchSize: 16, train: d, holdout: d, maxGradNorm: 1e4, seed, dutyCycle: 1 });
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
    const s = (await w.call({ type: 'score', pairs: d, roles: ['champion', 'previous'], dutyCycle: 1 })) as { scores: Record<string, number>; count: number };
    assert.equal(s.count, d.batch);
    assert.ok(s.scores.champion > 0 && s.scores.previous > 0);
    // The trainer exports its champion to ONNX; a session over those bytes agrees with the
    // trainer's own forward pass (the offloaded export and parity referee of a promotion).
    const { onnx } = (await w.call({ type: 'export', role: 'champion', version: 'v9' })) as { onnx: Uint8Array };
    assert.ok(onnx instanceof Uint8Array && onnx.length > 1000);
    const eng = await createInferenceEngine({
      engine: 'onnx', weights: {}, config: FT_HYBRID, spec: FT_SPEC, version: 'v9',
      onnxBytes: async () => onnx,
      tfjs: () => new WorkerRefereePredictor(w, 'champion', FT_SPEC, 'v9'),
    });
    assert.equal(eng.predictor.engine, 'onnx', eng.fallbackReason);
    assert.ok(eng.parityMaxAbsDiff! < 1e-4, `parity ${eng.parityMaxAbsDiff}`);
    await eng.predictor.dispose();
    await w.call({ type: 'revert' });
    assert.equal(await count(), base);
    // A watch that ends without a rollback releases the previous champion; the new one stays.
    await round(10);
    await w.call({ type: 'promote' });
    await w.call({ type: 'discard', role: 'previous' });
    assert.equal(await count(), base, 'the previous champion was not disposed');
    await assert.rejects(w.call({ type: 'revert' }), /no previous champion/);
    assert.ok(((await w.call({ type: 'score', pairs: d, roles: ['champion'], dutyCycle: 1 })) as { scores: Record<string, number> }).scores.champion > 0);
    const bad = { ...d, y: d.y.map((v, i) => (i === 5 ? Number.NaN : v)) };
    await assert.rejects(w.call({ type: 'train', gen: 0, steps: 2, learningRate: 1e-3, batchSize: bad.batch, train: bad, holdout: d, maxGradNorm: 1e4, seed: 1, dutyCycle: 1 }), (e: unknown) => isTickcastError(e) && e.code === 'TC_TRAINING_DIVERGED');
    assert.equal(await count(), base, 'an aborted round leaked tensors in the worker');
    // An abort message reaches a round that is running flat out (no rests between steps).
    const long = w.call({ type: 'train', gen: 0, steps: 1000, learningRate: 1e-3, batchSize: 16, train: d, holdout: d, maxGradNorm: 1e4, seed: 2, dutyCycle: 1 });
    setTimeout(() => w.abortTraining(true), 200);
    const t0 = performance.now();
    await assert.rejects(long, (e: unknown) => isTickcastError(e) && /aborted after (\d+) of 1000 steps/.test(e.message));
    assert.ok(performance.now() - t0 < 20_000, 'the abort took effect within a few steps');
    w.abortTraining(false);
    assert.equal((await round(11) as { trained: { losses: number[] } }).trained.losses.length, 3, 'training resumes once the abort is cleared');
    await w.call({ type: 'discard' });
    assert.equal(await count(), base);
    // A round started under an older champion generation ends at its next step once superseded
    // (its challenger freed); a round of the new generation then runs in full (not sticky).
    const stale = w.call({ type: 'train', gen: 0, steps: 1000, learningRate: 1e-3, batchSize: 16, train: d, holdout: d, maxGradNorm: 1e4, seed: 3, dutyCycle: 1 });
    setTimeout(() => w.supersede(1), 200);
    const t1 = performance.now();
    await assert.rejects(stale, (e: unknown) => isTickcastError(e) && /aborted after \d+ of 1000 steps: the champion was replaced/.test(e.message));
    assert.ok(performance.now() - t1 < 20_000, 'the superseded round ended within a few steps');
    assert.equal(await count(), base, 'the superseded round left tensors behind');
    const fresh = (await w.call({ type: 'train', gen: 1, steps: 3, learningRate: 1e-3, batchSize: 16, train: d, holdout: d, maxGradNorm: 1e4, seed: 4, dutyCycle: 1 })) as { trained: { losses: number[] } };
    assert.equal(fresh.trained.losses.length, 3);
    await w.call({ type: 'discard' });
  } finally {
    await w.close();
    champ.dispose();
  }
  const code = await w.exited;
  // A process exits 0 on its own once disconnected (137 would mean it had to be killed); a thread
  // ends with 0 when it closed its port before terminate() or 1 when terminated.
  assert.ok(isolation === 'process' ? code === 0 : [0, 1].includes(code), `trainer exit code ${code}`);
  if (w.pid !== undefined) assert.throws(() => process.kill(w.pid!, 0), /ESRCH/, 'trainer process still alive');
  await assert.rejects(w.call({ type: 'memory' }), /exited/);
});

for (const isolation of ['process', 'thread'] as const) test(`trainer (${isolation}): an abort or supersede message cuts the duty-cycle rest in progress short; the round ends well within one rest`, async () => {
  await initBackend();
  // A model large enough that a step takes tens of ms even on a fast machine.
  const big = resolveHybridConfig({ dModel: 64, lstm: { numLayers: 1 }, transformer: { layers: 2, heads: 2, ffn: 128 } });
  const champ = HybridModel.create(big, FT_SPEC, 3);
  const w = new WorkerClient({ isolation });
  try {
    await w.call({ type: 'init', backend: 'auto', nativeKernels: true, config: big, spec: FT_SPEC, weights: champ.getWeights(), nice: 0 });
    const d = data(9, 3000);
    const holdout = { x: d.x.slice(0, 16 * W), y: d.y.slice(0, 16 * H), batch: 16 };
    const train = (gen: number, steps: number, dutyCycle: number) =>
      w.call({ type: 'train', gen, steps, learningRate: 1e-3, batchSize: 1024, train: d, holdout, maxGradNorm: 1e4, seed: 5, dutyCycle });
    // A step's time, flat out (large batches: a step of some tens of ms or more): the difference
    // of two rounds, so that the clone and the hold-out scoring are not counted in it.
    const seconds = async (steps: number) => {
      const r = (await train(0, steps, 1)) as { trained: { seconds: number } };
      await w.call({ type: 'discard' });
      return r.trained.seconds;
    };
    await seconds(2); // warm-up (kernels, Adam's slots)
    const two = await seconds(2);
    const stepMs = ((await seconds(12)) - two) * 100;
    assert.ok(stepMs > 5, `a step of ${stepMs} ms is too short to tell a rest apart`);
    // At duty 0.05 each step is followed by a rest of 19 steps. The message goes out mid-way
    // through the first rest; before, the round only saw it once that rest ran out.
    const restMs = 19 * stepMs;
    const stopped = async (round: Promise<unknown>, send: () => void, why: RegExp) => {
      await new Promise((r) => setTimeout(r, stepMs + restMs / 2));
      const t0 = performance.now();
      send();
      await assert.rejects(round, (e: unknown) => isTickcastError(e) && why.test(e.message));
      return performance.now() - t0;
    };
    const aborted = await stopped(train(0, 1000, 0.05), () => w.abortTraining(true), /aborted after \d+ of 1000 steps: fine-tuning paused/);
    assert.ok(aborted < restMs / 4, `abort took ${aborted.toFixed(0)} ms with rests of ${restMs.toFixed(0)} ms`);
    w.abortTraining(false);
    const superseded = await stopped(train(0, 1000, 0.05), () => w.supersede(1), /aborted after \d+ of 1000 steps: the champion was replaced/);
    assert.ok(superseded < restMs / 4, `supersede took ${superseded.toFixed(0)} ms with rests of ${restMs.toFixed(0)} ms`);
    // The trainer goes on: a round of the new generation runs in full.
    const fresh = (await train(1, 2, 0.5)) as { trained: { losses: number[] } };
    assert.equal(fresh.trained.losses.length, 2);
    await w.call({ type: 'discard' });
  } finally {
    await w.close();
    champ.dispose();
  }
});
