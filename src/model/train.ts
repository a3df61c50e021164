/**
 * Training API shared by the offline CLI and the online fine-tuner: pinball (quantile) loss, Adam,
 * global-norm gradient clipping (tfjs has none built in), dropout in training, a yield to the
 * event loop between steps, and a divergence guard: a non-finite loss or gradient norm throws
 * TC_TRAINING_DIVERGED before the update is applied, and `fit` restores the weights it started
 * from. Batches are assembled in JS (no gathers inside the differentiated graph: the wasm
 * backend lacks UnsortedSegmentSum).
 */
import * as tf from '@tensorflow/tfjs';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { HybridModel } from './hybrid-model.ts';
import { mulberry32, permutation } from './random.ts';

/** A batch of training pairs. x: [batch, W, F]; y: [batch, H, T], both in the model's input space. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  batch: number;
}

/** A data set of n pairs, row-major like Batch. */
export interface Dataset {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

export interface StepOptions {
  /** Learning rate; sets the optimizer's rate before the steps when given. */
  lr?: number;
  /** Global gradient-norm clip (default 1.0). */
  clipNorm?: number;
  /** Stops between steps; the steps already applied stay applied. */
  signal?: AbortSignal;
}

export interface StepsResult {
  /** Loss of each step taken (before its update). */
  losses: number[];
  /** Global gradient norm of each step, before clipping. */
  gradNorms: number[];
  aborted: boolean;
}

/** Mean pinball loss of quantile forecasts pred [B,H,T,Q] against y [B,H,T]. */
export function pinballLoss(pred: tf.Tensor, y: tf.Tensor, quantiles: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.tensor1d(quantiles as number[]).reshape([1, 1, 1, quantiles.length]);
    const e = y.expandDims(3).sub(pred);
    return tf.maximum(e.mul(q), e.mul(q.sub(1))).mean() as tf.Scalar;
  });
}

/** Adam with the defaults used everywhere in tickcast. The caller disposes it. */
export function createOptimizer(lr = 1e-3): tf.AdamOptimizer {
  return tf.train.adam(lr);
}

/** Let timers, I/O and aborts run between steps (training must not starve the event loop). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function diverged(loss: number, norm: number, detail: string, limit?: number): TickcastError {
  return new TickcastError(
    ErrorCodes.TRAINING_DIVERGED,
    `training diverged (loss ${loss}, gradient norm ${norm}${limit === undefined ? '' : ` (limit ${limit})`}) ${detail}; check the data for NaN/Inf or extreme values, or lower the learning rate`,
    { retriable: false, details: { loss, gradNorm: norm, ...(limit === undefined ? {} : { limit }) } },
  );
}

/**
 * One optimisation step. Returns the loss and pre-clip gradient norm; throws TC_TRAINING_DIVERGED
 * (no update applied) when either is not finite, or when the norm exceeds `maxGradNorm`
 * (an exploding gradient: clipping would hide it).
 */
export function trainStep(model: HybridModel, optimizer: tf.Optimizer, b: Batch, clipNorm = 1.0, maxGradNorm = Infinity): { loss: number; gradNorm: number } {
  const { W, F, H, T } = model.dims;
  if (b.x.length !== b.batch * W * F || b.y.length !== b.batch * H * T) {
    throw new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, `training batch must hold x: ${b.batch}×${W}×${F} and y: ${b.batch}×${H}×${T} values; got ${b.x.length} and ${b.y.length}`);
  }
  const vars = model.variables();
  let loss = NaN;
  let gradNorm = NaN;
  tf.tidy(() => {
    const x = tf.tensor3d(b.x, [b.batch, W, F]);
    const y = tf.tensor3d(b.y, [b.batch, H, T]);
    const { value, grads } = tf.variableGrads(() => pinballLoss(model.predict(x, { training: true }).y, y, model.spec.quantiles), vars);
    const list = vars.map((v) => grads[v.name]);
    const sq = tf.addN(list.map((g) => tf.sum(tf.square(g))));
    loss = value.dataSync()[0];
    gradNorm = Math.sqrt(sq.dataSync()[0]);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm) || gradNorm > maxGradNorm) return;
    const scale = gradNorm > clipNorm ? clipNorm / gradNorm : 1;
    const clipped: tf.NamedTensorMap = {};
    for (const v of vars) clipped[v.name] = scale === 1 ? grads[v.name] : grads[v.name].mul(scale);
    optimizer.applyGradients(clipped);
  });
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) throw diverged(loss, gradNorm, 'at this step; the update was not applied');
  if (gradNorm > maxGradNorm) throw diverged(loss, gradNorm, 'an exploding gradient; the update was not applied', maxGradNorm);
  return { loss, gradNorm };
}

/**
 * Several steps with one optimizer (the online fine-tuner's entry point). Yields to the event
 * loop after every step. On divergence the weights are restored to what they were when this call
 * began and TC_TRAINING_DIVERGED is thrown.
 */
export async function trainSteps(model: HybridModel, optimizer: tf.Optimizer, batches: Iterable<Batch> | AsyncIterable<Batch>, opts: StepOptions = {}): Promise<StepsResult> {
  if (opts.lr !== undefined) (optimizer as unknown as { learningRate: number }).learningRate = opts.lr;
  const snapshot = takeSnapshot(model);
  const res: StepsResult = { losses: [], gradNorms: [], aborted: false };
  try {
    for await (const b of batches) {
      if (opts.signal?.aborted) {
        res.aborted = true;
        break;
      }
      const r = trainStep(model, optimizer, b, opts.clipNorm ?? 1.0);
      res.losses.push(r.loss);
      res.gradNorms.push(r.gradNorm);
      await yieldToEventLoop();
    }
    return res;
  } catch (err) {
    if (err instanceof TickcastError && err.code === ErrorCodes.TRAINING_DIVERGED) restoreSnapshot(model, snapshot);
    throw err;
  } finally {
    tf.dispose(snapshot);
  }
}

/** On-device copies of every variable (cheap; no readback). The caller disposes them. */
export function takeSnapshot(model: HybridModel): tf.Tensor[] {
  return model.variables().map((v) => tf.clone(v));
}

export function restoreSnapshot(model: HybridModel, snap: readonly tf.Tensor[]): void {
  const vars = model.variables();
  vars.forEach((v, i) => v.assign(snap[i]));
}

/** Mean pinball loss and MAE of the median over a data set, in chunks, no gradients. */
export function evaluate(model: HybridModel, data: Dataset, batchSize = 256): { pinball: number; mae: number } {
  const acc = { pin: 0, abs: 0 };
  for (let s = 0; s < data.n; s += batchSize) evaluateChunk(model, data, s, Math.min(batchSize, data.n - s), acc);
  return finishEvaluation(model, data, acc);
}

/** evaluate() awaiting `pause` between chunks (not after the last; default: yield to the event loop; the fine-tune trainer rests by its duty cycle). */
export async function evaluateAsync(model: HybridModel, data: Dataset, batchSize = 256, pause: () => Promise<void> = yieldToEventLoop): Promise<{ pinball: number; mae: number }> {
  const acc = { pin: 0, abs: 0 };
  for (let s = 0; s < data.n; s += batchSize) {
    evaluateChunk(model, data, s, Math.min(batchSize, data.n - s), acc);
    if (s + batchSize < data.n) await pause();
  }
  return finishEvaluation(model, data, acc);
}

function evaluateChunk(model: HybridModel, data: Dataset, s: number, n: number, acc: { pin: number; abs: number }): void {
  const { W, F, H, T, Q } = model.dims;
  const m = model.spec.quantiles.indexOf(0.5);
  const ys = data.y.subarray(s * H * T, (s + n) * H * T);
  tf.tidy(() => {
    const x = tf.tensor3d(data.x.subarray(s * W * F, (s + n) * W * F), [n, W, F]);
    const { y } = model.predict(x);
    acc.pin += pinballLoss(y, tf.tensor3d(ys, [n, H, T]), model.spec.quantiles).dataSync()[0] * n;
    const p = y.dataSync();
    for (let i = 0; i < ys.length; i++) acc.abs += Math.abs(p[i * Q + m] - ys[i]);
  });
}

function finishEvaluation(model: HybridModel, data: Dataset, acc: { pin: number; abs: number }): { pinball: number; mae: number } {
  const { H, T } = model.dims;
  return { pinball: acc.pin / data.n, mae: acc.abs / (data.n * H * T) };
}

export interface FitProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  /** Running mean training loss of this epoch so far. */
  loss: number;
  /** Set on the last step of an epoch. */
  valLoss?: number;
}

export interface FitOptions {
  epochs: number;
  batchSize?: number;
  /** Fraction of the pairs (the LAST ones, i.e. latest in time) held out for validation; ignored when `val` is given. Default 0.2. */
  valSplit?: number;
  /** An explicit validation set. */
  val?: Dataset;
  /** Stop after this many epochs without a validation improvement (default: no early stopping). */
  earlyStoppingPatience?: number;
  lr?: number;
  clipNorm?: number;
  /** Shuffling seed (default 1). */
  seed?: number;
  onProgress?: (p: FitProgress) => void;
  signal?: AbortSignal;
}

export interface FitResult {
  epochsRun: number;
  steps: number;
  trainLosses: number[];
  valLosses: number[];
  /** Epoch (1-based) whose weights the model holds at the end; 0 when no validation set was used. */
  bestEpoch: number;
  bestValLoss: number;
  stopReason: 'completed' | 'early-stopped' | 'aborted';
  durationMs: number;
  stepsPerSecond: number;
}

function rows(src: Float32Array, rowLen: number, idx: ArrayLike<number>, from: number, n: number): Float32Array {
  const out = new Float32Array(n * rowLen);
  for (let i = 0; i < n; i++) {
    const r = idx[from + i];
    out.set(src.subarray(r * rowLen, (r + 1) * rowLen), i * rowLen);
  }
  return out;
}

/**
 * Train with Adam + pinball loss over shuffled mini-batches, validate after every epoch, keep the
 * best weights (restored at the end), stop early on a validation plateau. Divergence restores the
 * starting weights and throws TC_TRAINING_DIVERGED; an abort stops after the current step and
 * keeps the best weights so far.
 */
export async function fit(model: HybridModel, data: Dataset, opts: FitOptions): Promise<FitResult> {
  const { W, F, H, T } = model.dims;
  const xLen = W * F;
  const yLen = H * T;
  if (data.x.length !== data.n * xLen || data.y.length !== data.n * yLen) {
    throw new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, `training data must hold x: n×${W}×${F} and y: n×${H}×${T} values for n=${data.n}; got ${data.x.length} and ${data.y.length}`);
  }
  let train: Dataset = data;
  let val: Dataset | undefined = opts.val;
  if (!val) {
    const split = opts.valSplit ?? 0.2;
    const nVal = Math.floor(data.n * split);
    if (nVal > 0 && data.n - nVal > 0) {
      const nTr = data.n - nVal;
      train = { x: data.x.subarray(0, nTr * xLen), y: data.y.subarray(0, nTr * yLen), n: nTr };
      val = { x: data.x.subarray(nTr * xLen), y: data.y.subarray(nTr * yLen), n: nVal };
    }
  }
  if (train.n < 1) throw new TickcastError(ErrorCodes.CONFIG_INVALID, 'no training pairs: provide a longer series or a smaller window/horizon');
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 32, train.n));
  const stepsPerEpoch = Math.ceil(train.n / batchSize);
  const rand = mulberry32(opts.seed ?? 1);
  const optimizer = createOptimizer(opts.lr ?? 1e-3);
  const start = takeSnapshot(model);
  let best: tf.Tensor[] | null = null;
  const res: FitResult = { epochsRun: 0, steps: 0, trainLosses: [], valLosses: [], bestEpoch: 0, bestValLoss: Infinity, stopReason: 'completed', durationMs: 0, stepsPerSecond: 0 };
  const t0 = performance.now();
  let sinceBest = 0;
  try {
    for (let epoch = 1; epoch <= opts.epochs; epoch++) {
      const perm = permutation(train.n, rand);
      let sum = 0;
      let count = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        if (opts.signal?.aborted) {
          res.stopReason = 'aborted';
          break;
        }
        const n = Math.min(batchSize, train.n - s * batchSize);
        const b = { x: rows(train.x, xLen, perm, s * batchSize, n), y: rows(train.y, yLen, perm, s * batchSize, n), batch: n };
        const { loss } = trainStep(model, optimizer, b, opts.clipNorm ?? 1.0);
        res.steps++;
        sum += loss * n;
        count += n;
        if (s < stepsPerEpoch - 1) opts.onProgress?.({ epoch, epochs: opts.epochs, step: s + 1, stepsPerEpoch, loss: sum / count });
        await yieldToEventLoop();
      }
      if (count === 0) break;
      res.epochsRun = epoch;
      res.trainLosses.push(sum / count);
      let valLoss: number | undefined;
      if (val && val.n > 0) {
        valLoss = (await evaluateAsync(model, val)).pinball;
        if (!Number.isFinite(valLoss)) throw diverged(valLoss, NaN, `on the validation set after epoch ${epoch}`);
        res.valLosses.push(valLoss);
        if (valLoss < res.bestValLoss) {
          res.bestValLoss = valLoss;
          res.bestEpoch = epoch;
          sinceBest = 0;
          if (best) tf.dispose(best);
          best = takeSnapshot(model);
        } else {
          sinceBest++;
        }
      }
      opts.onProgress?.({ epoch, epochs: opts.epochs, step: stepsPerEpoch, stepsPerEpoch, loss: sum / count, valLoss });
      if (res.stopReason === 'aborted') break;
      if (opts.earlyStoppingPatience !== undefined && val && sinceBest >= opts.earlyStoppingPatience) {
        res.stopReason = 'early-stopped';
        break;
      }
    }
    if (best) restoreSnapshot(model, best);
  } catch (err) {
    if (err instanceof TickcastError && err.code === ErrorCodes.TRAINING_DIVERGED) restoreSnapshot(model, start);
    throw err;
  } finally {
    tf.dispose(start);
    if (best) tf.dispose(best);
    optimizer.dispose();
  }
  res.durationMs = performance.now() - t0;
  res.stepsPerSecond = res.steps / (res.durationMs / 1000);
  return res;
}
