/**
 * One training step and what every training run shares: pinball (quantile) loss, Adam, global-norm
 * gradient clipping (tfjs has none built in), dropout in training, and a divergence guard: a
 * non-finite loss or gradient norm throws TC_TRAINING_DIVERGED before the update is applied, and
 * `restoringOnDivergence` puts back the weights a run started from. Batches are assembled in JS
 * (no gathers inside the differentiated graph: the wasm backend lacks UnsortedSegmentSum).
 *
 * The step loop (batches, abort, pauses) is training-loop.ts; the evaluator evaluate.ts; the
 * epoch-based `fit` of the CLI fit.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import type { HybridModel } from './hybrid-model.ts';
import { Adam } from './adam.ts';

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

/** What one step reports: its loss (before the update) and the global gradient norm before clipping. */
export interface StepResult {
  loss: number;
  gradNorm: number;
}

/** Mean pinball loss of quantile forecasts pred [B,H,T,Q] against y [B,H,T]. */
export function pinballLoss(pred: tf.Tensor, y: tf.Tensor, quantiles: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.tensor1d(quantiles as number[]).reshape([1, 1, 1, quantiles.length]);
    const e = y.expandDims(3).sub(pred);
    return tf.maximum(e.mul(q), e.mul(q.sub(1))).mean() as tf.Scalar;
  });
}

/** Adam (./adam.ts: tf.train.adam's update, applied in JS) with the defaults used everywhere in tickcast. The caller disposes it. */
export function createOptimizer(lr = 1e-3, emaDecay = 0): Adam {
  return new Adam(lr, { emaDecay });
}

/** Let timers, I/O and aborts run between steps (training must not starve the event loop). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** TC_TRAINING_DIVERGED with what was seen (`detail`: where). */
export function divergedError(loss: number, norm: number, detail: string, limit?: number): TickcastError {
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
export function trainStep(model: HybridModel, optimizer: Adam, b: Batch, clipNorm = 1.0, maxGradNorm = Infinity): StepResult {
  const { W, F, H, T } = model.dims;
  if (b.x.length !== b.batch * W * F || b.y.length !== b.batch * H * T) {
    throw new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, `training batch must hold x: ${b.batch}×${W}×${F} and y: ${b.batch}×${H}×${T} values; got ${b.x.length} and ${b.y.length}`);
  }
  const vars = model.variables();
  let loss = NaN;
  let grads: Float32Array[] = [];
  tf.tidy(() => {
    const x = tf.tensor3d(b.x, [b.batch, W, F]);
    const y = tf.tensor3d(b.y, [b.batch, H, T]);
    const res = tf.variableGrads(() => pinballLoss(model.predict(x, { training: true }).y, y, model.spec.quantiles), vars);
    loss = res.value.dataSync()[0];
    grads = vars.map((v) => res.grads[v.name].dataSync() as Float32Array);
  });
  // Global norm, clipping and Adam in JS (./adam.ts): a few hundred tfjs op calls fewer per step.
  let sq = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
  const gradNorm = Math.sqrt(sq);
  if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) throw divergedError(loss, gradNorm, 'at this step; the update was not applied');
  if (gradNorm > maxGradNorm) throw divergedError(loss, gradNorm, 'an exploding gradient; the update was not applied', maxGradNorm);
  optimizer.apply(vars, grads, gradNorm > clipNorm ? clipNorm / gradNorm : 1);
  return { loss, gradNorm };
}

/** On-device copies of every variable (cheap; no readback). The caller disposes them. */
export function takeSnapshot(model: HybridModel): tf.Tensor[] {
  return model.variables().map((v) => tf.clone(v));
}

export function restoreSnapshot(model: HybridModel, snap: readonly tf.Tensor[]): void {
  const vars = model.variables();
  vars.forEach((v, i) => v.assign(snap[i]));
}

/**
 * Run `fn` (training steps on `model`); if it throws TC_TRAINING_DIVERGED, the weights are put back
 * to what they were when this was called, then the error goes on. Other errors leave them as they are.
 */
export async function restoringOnDivergence<R>(model: HybridModel, fn: () => Promise<R>): Promise<R> {
  const start = takeSnapshot(model);
  try {
    return await fn();
  } catch (err) {
    if (err instanceof TickcastError && err.code === ErrorCodes.TRAINING_DIVERGED) restoreSnapshot(model, start);
    throw err;
  } finally {
    tf.dispose(start);
  }
}
