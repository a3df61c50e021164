/**
 * A Trainer owns one Adam optimizer for a HybridModel and runs `trainStep` of ../train.ts (pinball
 * loss, global-norm clipping, a guard that aborts on a non-finite loss or an exploding gradient
 * with TC_TRAINING_DIVERGED before any weight is touched). Used for the bootstrap model and by the
 * fine-tune worker. Batches are built in JS (no gathers inside the differentiated graph: wasm
 * lacks UnsortedSegmentSum).
 */
import * as tf from '@tensorflow/tfjs';
import { pinballLoss, trainStep } from '../train.ts';
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

export { pinballLoss };

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

  /** One optimisation step (src/model/train.ts). Throws TC_TRAINING_DIVERGED (weights unchanged) on NaN/Inf or explosion. */
  step(b: TrainBatch): StepResult {
    return trainStep(this.#model, this.#opt, b, this.#clip, this.#maxNorm);
  }

  dispose(): void {
    this.#opt.dispose();
  }
}

export interface EvalScores {
  mae: number;
  pinball: number;
}

/** Mean absolute error of the median forecast and mean pinball loss over pairs (no gradients). */
export function evaluate(model: HybridModel, b: TrainBatch, chunk = 256): EvalScores {
  const g = evaluateChunks(model, b, chunk);
  let r = g.next();
  while (!r.done) r = g.next();
  return r.value;
}

/**
 * `evaluate` in slices of `chunk` pairs, awaiting `pace()` after each: the trainer rests between
 * slices by its duty cycle, so scoring many live pairs does not hold a core flat out.
 */
export async function evaluatePaced(model: HybridModel, b: TrainBatch, pace: () => Promise<void>, chunk = 64): Promise<EvalScores> {
  const g = evaluateChunks(model, b, chunk);
  let r = g.next();
  while (!r.done) {
    await pace();
    r = g.next();
  }
  return r.value;
}

function* evaluateChunks(model: HybridModel, b: TrainBatch, chunk: number): Generator<void, EvalScores> {
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
    if (s + n < b.batch) yield;
  }
  return { mae: absSum / (b.batch * H * T), pinball: pinSum / b.batch };
}
