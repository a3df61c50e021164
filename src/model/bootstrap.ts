/**
 * The bootstrap model: trained at start when no checkpoint exists, on the bundled NAB sample
 * (or any `timestamp,value` CSV; for a model of several features, a CSV with a column of each
 * feature's name: data/feature-columns.ts, the columns the embedded replay sends). Each column is
 * z-normalised with its own statistics (the window store's running statistics converge to about
 * the same), the rows cut into (window, future) pairs, split
 * chronologically 90/10, and trained for a few epochs under a wall-clock budget. The result is
 * compared with the naive last-value forecast on the held-out tail, so the log says plainly how
 * much better than "repeat the last value" the served model is.
 *
 * src/model may not import adapters, so the sample's path is derived here; the CSV is read by the
 * project's one CSV reader (src/data/csv.ts).
 */
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../domain/types.ts';
import { readCsvFileSync } from '../data/csv.ts';
import { numericColumn } from '../data/csv-cells.ts';
import { featureColumns, type FeatureColumnsMissing } from '../data/feature-columns.ts';
import { applyZScore, fitZScore } from '../data/normalise.ts';
import { makeWindows, windowStarts, type WindowShape } from '../data/windows.ts';
import { ErrorCodes, TickcastError, isTickcastError } from '../errors/index.ts';
import { bootstrapOutOfMemory, isOutOfMemory } from './bootstrap-memory.ts';
import type { ResolvedHybridConfig } from './config.ts';
import { HybridModel } from './hybrid-model.ts';
import { mulberry32 } from './random.ts';
import { yieldToEventLoop } from './train.ts';
import { runSteps, selectRows, shuffledBatches, type RowSize } from './training-loop.ts';
import { Trainer, evaluate, type TrainBatch } from './finetune/trainer.ts';

/** The NAB sample replayed in embedded mode (read here as data only). */
export const BOOTSTRAP_SAMPLE = fileURLToPath(new URL('../adapters/embedded/sample/nyc_taxi.csv', import.meta.url));

/** Values of the last column of a headed CSV (e.g. `timestamp,value`), in file order. */
export function readValueColumn(file: string): Float64Array {
  const csv = readCsvFileSync(file, 'bootstrap data');
  return numericColumn(csv, csv.header.length - 1);
}

/** The columns of `features` in a bootstrap CSV (data/feature-columns.ts), or which are missing. */
export function readFeatureColumns(file: string, features: readonly string[]): Float64Array[] | FeatureColumnsMissing {
  return featureColumns(readCsvFileSync(file, 'bootstrap data'), features);
}

/** z-score with the series' own mean and standard deviation. */
export function zscore(v: ArrayLike<number>): Float32Array {
  let m = 0;
  for (let i = 0; i < v.length; i++) m += v[i];
  m /= v.length || 1;
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] - m) ** 2;
  const sd = Math.sqrt(s / (v.length || 1)) || 1;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] - m) / sd;
  return out;
}

/** A univariate pair layout: one feature, its own target. */
const ONE_SERIES = { features: 1, targetIndex: [0] } as const;

/** (window, future) pairs of normalised rows ([rows, features] row-major): x [n,W,F], y [n,H,T]. */
function pairsOf(z: Float32Array, shape: WindowShape, stride: number): TrainBatch {
  const { window: W, horizon: H, features: F } = shape;
  const w = makeWindows(z, shape, windowStarts(0, z.length / F - W - H, stride));
  return { x: w.x, y: w.y, batch: w.n };
}

/** (window, future) pairs of a univariate normalised series: x [n,W,1], y [n,H,1]. */
export function pairsFromSeries(z: Float32Array, W: number, H: number, stride = 1): TrainBatch {
  return pairsOf(z, { window: W, horizon: H, ...ONE_SERIES }, stride);
}

/** Rows `idx` of a pair set, as a new batch. */
function selectPairs(p: TrainBatch, idx: ArrayLike<number>, size: RowSize): TrainBatch {
  return selectRows({ x: p.x, y: p.y, n: p.batch }, size, idx, 0, idx.length);
}

/**
 * MAE of "repeat the last value" on normalised pairs (the baseline every forecast must beat): each
 * target's last value in the window against its future. `layout`: the features per step and where
 * the targets are among them (default one series).
 */
export function naiveMae(p: TrainBatch, W: number, H: number, layout: Pick<WindowShape, 'features' | 'targetIndex'> = ONE_SERIES): number {
  const { features: F, targetIndex } = layout;
  const T = targetIndex.length;
  let s = 0;
  for (let i = 0; i < p.batch; i++) {
    const last = (i * W + W - 1) * F;
    for (let h = 0; h < H; h++) for (let j = 0; j < T; j++) s += Math.abs(p.y[(i * H + h) * T + j] - p.x[last + targetIndex[j]]);
  }
  return s / Math.max(1, p.batch * H * T);
}

/** Windows per training step of the bootstrap model. */
const DEFAULT_BATCH_SIZE = 32;
/** Hold-out pairs per forward pass when scoring (forward only, so larger than a training batch). */
const EVAL_CHUNK = 256;

export interface BootstrapOptions {
  epochs: number;
  /** Stop early after this much wall time (ms), whatever the epoch. Default 30 s. */
  budgetMs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Pair stride over the series (default 2: half the pairs, nearly the same information). */
  stride?: number;
  seed?: number;
  /** Called after each epoch. */
  onEpoch?: (epoch: number, loss: number) => void;
}

export interface BootstrapResult {
  model: HybridModel;
  /** Epochs completed, fractional when the time budget cut the last one short. */
  epochs: number;
  steps: number;
  trainLoss: number;
  /** On the held-out last 10%, normalised units. */
  valMae: number;
  naiveMae: number;
  /** valMae / naiveMae (below 1 is better than naive). */
  ratioToNaive: number;
  seconds: number;
}

/** Train a fresh univariate model on a series (values in the series' own units): trainBootstrapColumns with one column. */
export function trainBootstrap(values: ArrayLike<number>, config: ResolvedHybridConfig, spec: ModelSpec, opts: BootstrapOptions): Promise<BootstrapResult> {
  return trainBootstrapColumns([values], config, spec, opts);
}

/**
 * Train a fresh model on one column per spec feature, in spec.features order, each in its own
 * units (the targets are read from these). A failure to allocate memory (too many tokens per
 * window for the backend) becomes TC_MODEL_OUT_OF_MEMORY, naming the settings that set the token
 * count (./bootstrap-memory.ts).
 */
export async function trainBootstrapColumns(columns: readonly ArrayLike<number>[], config: ResolvedHybridConfig, spec: ModelSpec, opts: BootstrapOptions): Promise<BootstrapResult> {
  try {
    return await train(columns, config, spec, opts);
  } catch (err) {
    throw !isTickcastError(err) && isOutOfMemory(err) ? bootstrapOutOfMemory(err, config, spec, { batch: opts.batchSize ?? DEFAULT_BATCH_SIZE, phase: 'training' }) : err;
  }
}

/** MAE of the trained model on the hold-out, `EVAL_CHUNK` pairs per forward pass; the model is disposed when that fails. */
function scoreHoldOut(model: HybridModel, val: TrainBatch, config: ResolvedHybridConfig, spec: ModelSpec): number {
  try {
    return evaluate(model, val, EVAL_CHUNK).mae;
  } catch (err) {
    disposeQuietly(model);
    const batch = Math.min(EVAL_CHUNK, val.batch);
    throw isOutOfMemory(err) ? bootstrapOutOfMemory(err, config, spec, { batch, phase: 'scoring the hold-out' }) : err;
  }
}

/** Dispose and ignore a failure: after a failed allocation the wasm heap may be unusable, and the first error is the one to report. */
function disposeQuietly(x: { dispose(): void }): void {
  try {
    x.dispose();
  } catch {
    // the error that got us here is rethrown by the caller
  }
}

/** The pairs of one column per feature, each z-scored with its own statistics, and their layout. */
function pairsOfColumns(columns: readonly ArrayLike<number>[], spec: ModelSpec, stride: number): { all: TrainBatch; shape: WindowShape } {
  if (columns.length !== spec.features.length) {
    throw new TickcastError(ErrorCodes.CONFIG_INVALID, `bootstrap training needs one column per feature (${spec.features.join(', ')}); got ${columns.length}`);
  }
  const targetIndex = spec.targets.map((t) => spec.features.indexOf(t));
  const shape = { window: spec.window, horizon: spec.horizon, features: columns.length, targetIndex };
  const cols = columns.map((c) => Float64Array.from(c));
  const rows = cols[0].length;
  return { all: pairsOf(applyZScore(cols, fitZScore(spec.features, cols, rows)), shape, stride), shape };
}

async function train(columns: readonly ArrayLike<number>[], config: ResolvedHybridConfig, spec: ModelSpec, opts: BootstrapOptions): Promise<BootstrapResult> {
  const t0 = performance.now();
  const W = spec.window;
  const H = spec.horizon;
  const { all, shape } = pairsOfColumns(columns, spec, opts.stride ?? 2);
  const size = { x: W * shape.features, y: H * shape.targetIndex.length };
  if (all.batch < 20) throw new TickcastError(ErrorCodes.DATA_TOO_SHORT, `bootstrap data has ${columns[0].length} rows; needs at least ${W + H + 40}`);
  const nVal = Math.max(1, Math.floor(all.batch * 0.1));
  const nTrain = all.batch - nVal;
  // At most 256 evenly spaced hold-out pairs: enough for a stable MAE, cheap to score.
  const valStep = Math.max(1, Math.floor(nVal / 256));
  const valIdx: number[] = [];
  for (let i = nTrain; i < all.batch; i += valStep) valIdx.push(i);
  const val = selectPairs(all, valIdx, size);
  const model = HybridModel.create(config, spec, opts.seed ?? 42);
  const trainer = new Trainer(model, { learningRate: opts.learningRate ?? 3e-3 });
  const rand = mulberry32(opts.seed ?? 42);
  const bs = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  // 85% of the budget for training; scoring the hold-out takes the rest.
  const budget = (opts.budgetMs ?? 30_000) * 0.85;
  let steps = 0;
  let lossSum = 0;
  let lossN = 0;
  const loop = {
    step: (b: TrainBatch) => trainer.step(b),
    onStep: (r: { loss: number }) => {
      lossSum += r.loss;
      lossN++;
      steps++;
    },
    // Yield now and then so a start-up health probe is still answered.
    pause: () => (steps % 10 === 0 ? yieldToEventLoop() : undefined),
    stopAfter: () => performance.now() - t0 > budget,
  };
  // The first nTrain pairs, in whole batches only; the rest of `all` is the hold-out.
  const trainSet = { x: all.x, y: all.y, n: nTrain };
  try {
    for (let e = 0; e < opts.epochs; e++) {
      const batches = shuffledBatches(trainSet, size, bs, rand, true);
      lossSum = 0;
      lossN = 0;
      if ((await runSteps(batches, loop)).end === 'budget') break;
      opts.onEpoch?.(e + 1, lossSum / Math.max(1, lossN));
    }
  } catch (err) {
    disposeQuietly(model);
    throw err;
  } finally {
    disposeQuietly(trainer);
  }
  const valMae = scoreHoldOut(model, val, config, spec);
  const nm = naiveMae(val, W, H, shape);
  return { model, epochs: Number(((steps * bs) / nTrain).toFixed(2)), steps, trainLoss: lossSum / Math.max(1, lossN), valMae, naiveMae: nm, ratioToNaive: valMae / nm, seconds: (performance.now() - t0) / 1000 };
}
