/**
 * A Trainer owns one Adam optimizer for a HybridModel and runs `trainStep` of ../train.ts (pinball
 * loss, global-norm clipping, a guard that aborts on a non-finite loss or an exploding gradient
 * with TC_TRAINING_DIVERGED before any weight is touched). Used for the bootstrap model and by the
 * fine-tune worker, whose steps go through the shared loop (../training-loop.ts). Batches are
 * built in JS (no gathers inside the differentiated graph: wasm lacks UnsortedSegmentSum).
 */
import { evaluate as evaluateDataset, evaluateAsync, type EvalScores } from '../evaluate.ts';
import { createOptimizer, trainStep, type Batch, type StepResult } from '../train.ts';
import type { Adam } from '../adam.ts';
import type { HybridModel } from '../hybrid-model.ts';

/** x: [batch, window, features] normalised; y: [batch, horizon, targets] in the same space. */
export type TrainBatch = Batch;

export interface TrainerOptions {
  learningRate: number;
  /** Gradients are rescaled to at most this global L2 norm (default 1). */
  clipNorm?: number;
  /** A raw global gradient norm above this aborts the step as divergent (default 1e4). */
  maxGradNorm?: number;
}

export type { EvalScores, StepResult };

export class Trainer {
  readonly #model: HybridModel;
  readonly #opt: Adam;
  readonly #clip: number;
  readonly #maxNorm: number;

  constructor(model: HybridModel, opts: TrainerOptions) {
    this.#model = model;
    this.#opt = createOptimizer(opts.learningRate);
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

/**
 * Mean absolute error of the median forecast and mean pinball loss over pairs (no gradients): the
 * one evaluator (../evaluate.ts) on a TrainBatch.
 */
export function evaluate(model: HybridModel, b: TrainBatch, chunk = 256): EvalScores {
  return evaluateDataset(model, { x: b.x, y: b.y, n: b.batch }, chunk);
}

/**
 * `evaluate` in slices of `chunk` pairs, awaiting `pace()` after each: the trainer rests between
 * slices by its duty cycle, so scoring many live pairs does not hold a core flat out.
 */
export function evaluatePaced(model: HybridModel, b: TrainBatch, pace: () => Promise<void>, chunk = 64): Promise<EvalScores> {
  return evaluateAsync(model, { x: b.x, y: b.y, n: b.batch }, chunk, pace);
}
