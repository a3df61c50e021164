/**
 * Offline training (the CLI, pretraining, benchmarks): epochs of shuffled mini-batches through the
 * shared step loop (training-loop.ts) with Adam + pinball loss, validation after every epoch
 * (evaluate.ts), the best weights kept and restored at the end, early stopping on a validation
 * plateau. Divergence restores the starting weights and throws TC_TRAINING_DIVERGED; an abort
 * stops after the current step and keeps the best weights so far.
 */
import * as tf from '@tensorflow/tfjs';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { evaluateAsync } from './evaluate.ts';
import type { HybridModel } from './hybrid-model.ts';
import { mulberry32 } from './random.ts';
import type { Adam } from './adam.ts';
import { createOptimizer, divergedError, restoreSnapshot, restoringOnDivergence, takeSnapshot, trainStep, yieldToEventLoop, type Dataset } from './train.ts';
import { runSteps, shuffledBatches, type RowSize } from './training-loop.ts';

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
  /**
   * Validate (and keep) the moving average of the weights instead of the last ones: its time
   * constant in epochs (decay per step 1 − 1/(emaEpochs × steps per epoch)); 0 or absent: off.
   * Only with a validation set: without one, the last weights are kept.
   */
  emaEpochs?: number;
  clipNorm?: number;
  /** Shuffling seed (default 1). */
  seed?: number;
  onProgress?: (p: FitProgress) => void;
  signal?: AbortSignal;
  /**
   * Validation loss of the weights training starts from (a warm start). When no epoch beats it,
   * those weights are put back and bestEpoch is 0. Early stopping still counts from the best epoch.
   */
  startValLoss?: number;
}

export interface FitResult {
  epochsRun: number;
  steps: number;
  trainLosses: number[];
  valLosses: number[];
  /** Epoch (1-based) whose weights the model holds at the end; 0 when no validation set was used, or the start was kept (startValLoss). */
  bestEpoch: number;
  bestValLoss: number;
  stopReason: 'completed' | 'early-stopped' | 'aborted';
  durationMs: number;
  stepsPerSecond: number;
}

/** The training and validation sets: `opts.val`, else the last `valSplit` of the pairs (latest in time). */
function splitForFit(model: HybridModel, data: Dataset, opts: FitOptions): { train: Dataset; val: Dataset | undefined; size: RowSize } {
  const { W, F, H, T } = model.dims;
  const size = { x: W * F, y: H * T };
  if (data.x.length !== data.n * size.x || data.y.length !== data.n * size.y) {
    throw new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, `training data must hold x: n×${W}×${F} and y: n×${H}×${T} values for n=${data.n}; got ${data.x.length} and ${data.y.length}`);
  }
  let train: Dataset = data;
  let val: Dataset | undefined = opts.val;
  if (!val) {
    const nVal = Math.floor(data.n * (opts.valSplit ?? 0.2));
    if (nVal > 0 && data.n - nVal > 0) {
      const nTr = data.n - nVal;
      train = { x: data.x.subarray(0, nTr * size.x), y: data.y.subarray(0, nTr * size.y), n: nTr };
      val = { x: data.x.subarray(nTr * size.x), y: data.y.subarray(nTr * size.y), n: nVal };
    }
  }
  if (train.n < 1) throw new TickcastError(ErrorCodes.CONFIG_INVALID, 'no training pairs: provide a longer series or a smaller window/horizon');
  return { train, val, size };
}

/** The best weights seen on the validation set, and how many epochs ago. */
class BestWeights {
  snapshot: tf.Tensor[] | null = null;
  sinceBest = 0;

  /** After an epoch with validation loss `valLoss`: keep the weights when they are the best so far. */
  observe(model: HybridModel, res: FitResult, epoch: number, valLoss: number): void {
    if (valLoss < res.bestValLoss) {
      res.bestValLoss = valLoss;
      res.bestEpoch = epoch;
      this.sinceBest = 0;
      if (this.snapshot) tf.dispose(this.snapshot);
      this.snapshot = takeSnapshot(model);
    } else {
      this.sinceBest++;
    }
  }

  dispose(): void {
    if (this.snapshot) tf.dispose(this.snapshot);
  }
}

/**
 * Validation after an epoch; the best weights are kept. With weight averaging on (emaEpochs) the
 * averaged weights are the ones validated and kept, and training goes on from the live ones.
 */
async function validateEpoch(model: HybridModel, optimizer: Adam, val: Dataset, epoch: number, res: FitResult, best: BestWeights): Promise<number> {
  const avg = optimizer.averaged(model.variables());
  const live = avg ? takeSnapshot(model) : null;
  if (avg) {
    restoreSnapshot(model, avg);
    tf.dispose(avg);
  }
  try {
    const valLoss = (await evaluateAsync(model, val)).pinball;
    if (!Number.isFinite(valLoss)) throw divergedError(valLoss, NaN, `on the validation set after epoch ${epoch}`);
    res.valLosses.push(valLoss);
    best.observe(model, res, epoch, valLoss);
    return valLoss;
  } finally {
    if (live) {
      restoreSnapshot(model, live);
      tf.dispose(live);
    }
  }
}

/** Train with Adam + pinball loss over shuffled mini-batches (see the file comment). */
export async function fit(model: HybridModel, data: Dataset, opts: FitOptions): Promise<FitResult> {
  const { train, val, size } = splitForFit(model, data, opts);
  const batchSize = Math.max(1, Math.min(opts.batchSize ?? 32, train.n));
  const stepsPerEpoch = Math.ceil(train.n / batchSize);
  const rand = mulberry32(opts.seed ?? 1);
  const optimizer = createOptimizer(opts.lr ?? 1e-3, opts.emaEpochs ? 1 - 1 / Math.max(1, opts.emaEpochs * stepsPerEpoch) : 0);
  const best = new BestWeights();
  const start = opts.startValLoss !== undefined ? takeSnapshot(model) : null;
  const res: FitResult = { epochsRun: 0, steps: 0, trainLosses: [], valLosses: [], bestEpoch: 0, bestValLoss: Infinity, stopReason: 'completed', durationMs: 0, stepsPerSecond: 0 };
  const t0 = performance.now();
  try {
    await restoringOnDivergence(model, async () => {
      for (let epoch = 1; epoch <= opts.epochs; epoch++) {
        const tally = { sum: 0, count: 0 };
        const r = await runSteps(shuffledBatches(train, size, batchSize, rand), {
          step: (b) => trainStep(model, optimizer, b, opts.clipNorm ?? 1.0),
          stopBefore: () => opts.signal?.aborted === true,
          onStep: ({ loss }, b, done) => {
            res.steps++;
            tally.sum += loss * b.batch;
            tally.count += b.batch;
            if (done < stepsPerEpoch) opts.onProgress?.({ epoch, epochs: opts.epochs, step: done, stepsPerEpoch, loss: tally.sum / tally.count });
          },
          pause: yieldToEventLoop,
        });
        if (r.end === 'stopped') res.stopReason = 'aborted';
        if (tally.count === 0) break;
        res.epochsRun = epoch;
        res.trainLosses.push(tally.sum / tally.count);
        const valLoss = val && val.n > 0 ? await validateEpoch(model, optimizer, val, epoch, res, best) : undefined;
        opts.onProgress?.({ epoch, epochs: opts.epochs, step: stepsPerEpoch, stepsPerEpoch, loss: tally.sum / tally.count, valLoss });
        if (res.stopReason === 'aborted') break;
        if (opts.earlyStoppingPatience !== undefined && val && best.sinceBest >= opts.earlyStoppingPatience) {
          res.stopReason = 'early-stopped';
          break;
        }
      }
      if (best.snapshot) restoreSnapshot(model, best.snapshot);
      if (start && !(res.bestValLoss < opts.startValLoss!)) {
        // No epoch beat the starting point on held-out data: keep the starting weights.
        restoreSnapshot(model, start);
        res.bestEpoch = 0;
        res.bestValLoss = opts.startValLoss!;
      }
    });
  } finally {
    if (start) tf.dispose(start);
    best.dispose();
    optimizer.dispose();
  }
  res.durationMs = performance.now() - t0;
  res.stepsPerSecond = res.steps / (res.durationMs / 1000);
  return res;
}
