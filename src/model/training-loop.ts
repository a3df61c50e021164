/**
 * The one training loop of src/model. `fit` (the CLI), the bootstrap model and the fine-tune
 * trainer all take their steps through `runSteps`: it pulls batches one at a time, stops before a
 * step when told to (abort signal, abort message; the steps already applied stay), takes the step
 * (train.ts `trainStep`, which throws TC_TRAINING_DIVERGED with no update applied), then lets the
 * caller pause (yield to the event loop, rest by the duty cycle) and stop on a budget.
 *
 * Batches come from one of two sources, both built in JS from the rows of a data set: shuffled
 * epochs (one permutation per epoch) or rows drawn with replacement. Both draw from the caller's
 * seeded generator in a fixed order, so a run is repeatable.
 */
import type { HybridModel } from './hybrid-model.ts';
import { permutation } from './random.ts';
import { restoringOnDivergence, trainStep, yieldToEventLoop, type Batch, type Dataset, type StepResult } from './train.ts';
import type { Adam } from './adam.ts';

/** Values per row of a data set: `x` = window × features, `y` = horizon × targets. */
export interface RowSize {
  x: number;
  y: number;
}

export interface StepLoop {
  /** One optimisation step (train.ts `trainStep`, or a Trainer's `step`). */
  step(b: Batch): StepResult;
  /** Checked before each step: true ends the loop ('stopped'). */
  stopBefore?: () => boolean;
  /** After each step; `done` = steps taken so far in this loop. */
  onStep?: (r: StepResult, b: Batch, done: number) => void;
  /** Awaited after each step (after onStep) when it returns a promise. */
  pause?: (done: number) => Promise<void> | undefined;
  /** Checked after each step's pause: true ends the loop ('budget'). */
  stopAfter?: () => boolean;
}

export interface LoopEnd {
  steps: number;
  /** 'done': the batches ran out; 'stopped': `stopBefore`; 'budget': `stopAfter`. */
  end: 'done' | 'stopped' | 'budget';
}

/** Train on each batch in turn (see the file comment). Divergence propagates as thrown. */
export async function runSteps(batches: Iterable<Batch> | AsyncIterable<Batch>, loop: StepLoop): Promise<LoopEnd> {
  let steps = 0;
  for await (const b of batches) {
    if (loop.stopBefore?.()) return { steps, end: 'stopped' };
    const r = loop.step(b);
    steps++;
    loop.onStep?.(r, b, steps);
    const rest = loop.pause?.(steps);
    if (rest) await rest;
    if (loop.stopAfter?.()) return { steps, end: 'budget' };
  }
  return { steps, end: 'done' };
}

/** Rows `idx[from … from + n)` of a data set, as a new batch. */
export function selectRows(data: Dataset, size: RowSize, idx: ArrayLike<number>, from: number, n: number): Batch {
  const x = new Float32Array(n * size.x);
  const y = new Float32Array(n * size.y);
  for (let i = 0; i < n; i++) {
    const r = idx[from + i];
    x.set(data.x.subarray(r * size.x, (r + 1) * size.x), i * size.x);
    y.set(data.y.subarray(r * size.y, (r + 1) * size.y), i * size.y);
  }
  return { x, y, batch: n };
}

/**
 * One epoch over the first `data.n` rows: a permutation drawn now, then batches of `batchSize` in
 * its order; the last one is partial unless `fullOnly` (then it is left out).
 */
export function shuffledBatches(data: Dataset, size: RowSize, batchSize: number, rand: () => number, fullOnly = false): Iterable<Batch> {
  const order = permutation(data.n, rand);
  return (function* () {
    for (let s = 0; fullOnly ? s + batchSize <= data.n : s < data.n; s += batchSize) yield selectRows(data, size, order, s, Math.min(batchSize, data.n - s));
  })();
}

/** `count` batches of min(batchSize, n) rows drawn uniformly with replacement, drawn as each is pulled. */
export function* sampledBatches(data: Dataset, size: RowSize, count: number, batchSize: number, rand: () => number): Generator<Batch> {
  for (let s = 0; s < count; s++) {
    const idx = Array.from({ length: Math.min(batchSize, data.n) }, () => Math.floor(rand() * data.n));
    yield selectRows(data, size, idx, 0, idx.length);
  }
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

/**
 * Several steps with one optimizer over given batches, yielding to the event loop after every
 * step. On divergence the weights are restored to what they were when this call began and
 * TC_TRAINING_DIVERGED is thrown.
 */
export async function trainSteps(model: HybridModel, optimizer: Adam, batches: Iterable<Batch> | AsyncIterable<Batch>, opts: StepOptions = {}): Promise<StepsResult> {
  if (opts.lr !== undefined) optimizer.learningRate = opts.lr;
  const res: StepsResult = { losses: [], gradNorms: [], aborted: false };
  return restoringOnDivergence(model, async () => {
    const r = await runSteps(batches, {
      step: (b) => trainStep(model, optimizer, b, opts.clipNorm ?? 1.0),
      stopBefore: () => opts.signal?.aborted === true,
      onStep: (s) => {
        res.losses.push(s.loss);
        res.gradNorms.push(s.gradNorm);
      },
      pause: yieldToEventLoop,
    });
    res.aborted = r.end === 'stopped';
    return res;
  });
}
