/**
 * Gradient steps on a HybridModel: pinball (quantile) loss, Adam, clipping at a global gradient
 * norm, and a guard that aborts on a non-finite loss or an exploding gradient
 * (TC_TRAINING_DIVERGED) before any weight is touched. Used for the bootstrap model and by the
 * fine-tune worker. Batches are built in JS (no gathers inside the differentiated graph: wasm
 * lacks UnsortedSegmentSum).
 */
import * as tf from '@tensorflow/tfjs';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { HybridModel } from '../hybrid-model.ts';

/** x: [batch, window, features] normalised; y: [batch, horizon, targets] in the same space. */
export interface TrainBatch {
  x: Float32Array;
  y: Float32Array;
  batch: number;
}

export interface TrainerOptions {
  learningRate: number;
  /** Gradients are rescaled to at most this global L2 norm (default 1). */
  clipNorm?: number;
  /** A raw global gradient norm above this aborts the step as divergent (default 1e4). */
  maxGradNorm?: number;
}

export interface StepResult {
  loss: number;
  gradNorm: number;
}

/** Mean pinball loss of quantile forecasts `pred` [B,H,T,Q] against `y` [B,H,T]. */
export function pinballLoss(pred: tf.Tensor4D, y: tf.Tensor3D, quantiles: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.tensor1d(quantiles as number[]).reshape([1, 1, 1, quantiles.length]);
    const e = y.expandDims(3).sub(pred);
    return tf.maximum(e.mul(q), e.mul(q.sub(1))).mean() as tf.Scalar;
  });
}

export class Trainer {
  readonly #model: HybridModel;
  readonly #opt: tf.AdamOptimizer;
  readonly #clip: number;
  readonly #maxNorm: number;

  constructor(model: HybridModel, opts: TrainerOptions) {
    this.#model = model;
    this.#opt = tf.train.adam(opts.learningRate);
    this.#clip = opts.clipNorm ?? 1;
    this.#maxNorm = opts.maxGradNorm ?? 1e4;
  }

  /** One optimisation step. Throws TC_TRAINING_DIVERGED (weights unchanged) on NaN/Inf or explosion. */
  step(b: TrainBatch): StepResult {
    const { W, F, H, T } = this.#model.dims;
    const vars = this.#model.variables();
    const quantiles = this.#model.spec.quantiles;
    let loss = NaN;
    let norm = NaN;
    tf.tidy(() => {
      const x = tf.tensor3d(b.x, [b.batch, W, F]);
      const y = tf.tensor3d(b.y, [b.batch, H, T]);
      const { value, grads } = tf.variableGrads(() => {
        const out = this.#model.predict(x, { training: true });
        return pinballLoss(out.y, y, quantiles);
      }, vars);
      const list = vars.map((v) => grads[v.name]);
      const sq = tf.addN(list.map((g) => g.square().sum()));
      const [lv, n2] = [value.dataSync()[0], sq.dataSync()[0]];
      loss = lv;
      norm = Math.sqrt(n2);
      if (!Number.isFinite(loss) || !Number.isFinite(norm) || norm > this.#maxNorm) return;
      const scale = norm > this.#clip ? this.#clip / norm : 1;
      const named: tf.NamedTensorMap = {};
      for (const v of vars) named[v.name] = scale === 1 ? grads[v.name] : grads[v.name].mul(scale);
      this.#opt.applyGradients(named as Parameters<tf.AdamOptimizer["applyGradients"]>[0]);
    });
    if (!Number.isFinite(loss) || !Number.isFinite(norm) || norm > this.#maxNorm) {
      throw new TickcastError(
        ErrorCodes.TRAINING_DIVERGED,
        `training step aborted: loss ${loss}, gradient norm ${norm} (limit ${this.#maxNorm}); check the training data for garbage values or lower the learning rate`,
        { retriable: true, details: { loss, gradNorm: norm } },
      );
    }
    return { loss, gradNorm: norm };
  }

  dispose(): void {
    this.#opt.dispose();
  }
}

/** Mean absolute error of the median forecast and mean pinball loss over pairs (no gradients). */
export function evaluate(model: HybridModel, b: TrainBatch, chunk = 256): { mae: number; pinball: number } {
  const { W, F, H, T } = model.dims;
  const qi = model.spec.quantiles.indexOf(0.5);
  const Q = model.spec.quantiles.length;
  let absSum = 0;
  let pinSum = 0;
  for (let s = 0; s < b.batch; s += chunk) {
    const n = Math.min(chunk, b.batch - s);
    tf.tidy(() => {
      const x = tf.tensor3d(b.x.subarray(s * W * F, (s + n) * W * F), [n, W, F]);
      const y = tf.tensor3d(b.y.subarray(s * H * T, (s + n) * H * T), [n, H, T]);
      const out = model.predict(x);
      pinSum += pinballLoss(out.y, y, model.spec.quantiles).dataSync()[0] * n;
      const p = out.y.dataSync();
      const yy = b.y.subarray(s * H * T, (s + n) * H * T);
      for (let i = 0; i < yy.length; i++) absSum += Math.abs(p[i * Q + qi] - yy[i]);
    });
  }
  return { mae: absSum / (b.batch * H * T), pinball: pinSum / b.batch };
}
