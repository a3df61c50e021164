/**
 * The hybrid tfjs model behind `tickcast train/backtest` and the accuracy benchmark, on the
 * training API and artifact format of src/model (docs/model.md): `fit` (Adam, pinball loss,
 * clipping, best-epoch restore, early stopping on validation loss) and `saveArtifact` /
 * `loadArtifact` (model.json + weights.bin, with the z-score statistics in `normalisation` and
 * the data provenance in `training.data`).
 *
 * Warm start (default): the model's linear skip (`linear_skip/*`, the NLinear-style path of the
 * head, docs/model.md §7) is initialised with the closed-form least-squares solution of the
 * linear baseline instead of "repeat the last value", so training starts from a strong linear
 * forecaster and the recurrent/attention layers learn the residual. If no epoch beats the warm
 * start on validation loss, the warm-start weights are kept. See docs/accuracy.md.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelSpec } from '../domain/types.ts';
import type { Predictor } from '../pipeline/ports.ts';
import { evenlySpaced, makeWindows, windowStarts } from '../data/windows.ts';
import type { ZScoreStats } from '../data/normalise.ts';
import { fitLinearBaselineAsync, type LinearBaselineState } from '../eval/linear-baseline.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { initBackend, type BackendPreference } from '../model/backend.ts';
import { loadArtifact, saveArtifact, MANIFEST_FILE } from '../model/artifact.ts';
import type { HybridConfigInput } from '../model/config.ts';
import { createModel, type HybridModel } from '../model/hybrid-model.ts';
import { TfjsPredictor } from '../model/predictor.ts';
import { evaluate } from '../model/evaluate.ts';
import { fit } from '../model/fit.ts';
import type { Dataset } from '../model/train.ts';
import type { PreparedData } from './dataset.ts';
import type { CliIo } from './io.ts';
import type { DataProvenance, LoadedModel } from './model-dir.ts';
import { ProgressBar } from './progress.ts';

export interface HybridFitRequest {
  data: PreparedData;
  spec: ModelSpec;
  config: HybridConfigInput;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Validate and keep the moving average of the weights, time constant in epochs (src/model/fit.ts); off when absent. */
  emaEpochs?: number;
  patience: number;
  /** Evenly spaced subset of the training windows (all when absent). */
  maxTrainWindows?: number;
  maxValWindows: number;
  seed: number;
  backend: string;
  /** Initialise the linear skip from the least-squares fit (default true). */
  warmStart?: boolean;
  /** Stop training (keeping the best weights so far) after this long. */
  timeBudgetMs?: number;
  io: CliIo;
}

export interface HybridFitSummary extends Record<string, unknown> {
  epochsRun: number;
  /** 0 = no epoch beat the starting (warm-start) weights on validation loss; they were kept. */
  bestEpoch: number;
  steps: number;
  trainWindowsUsed: number;
  valWindowsUsed: number;
  /** Validation pinball loss before training and of the weights kept. */
  initialValLoss: number;
  bestValLoss: number;
  valLosses: number[];
  trainLosses: number[];
  stoppedBy: 'epochs' | 'patience' | 'time budget';
  backend: string;
  parameters: number;
  seconds: number;
}

export interface FittedHybrid {
  predictor: Predictor;
  summary: HybridFitSummary;
  /** Save as an artifact directory (atomically replacing one that is there). */
  save(dir: string, provenance: DataProvenance, normalisation: ZScoreStats): Promise<void>;
}

export async function fitHybrid(req: HybridFitRequest): Promise<FittedHybrid> {
  const t0 = performance.now();
  const { data, spec, io } = req;
  const backend = await initBackend({ prefer: req.backend as BackendPreference });
  const targetIndex = spec.targets.map((t) => spec.features.indexOf(t));
  const shape = { window: spec.window, horizon: spec.horizon, features: spec.features.length, targetIndex };
  const toDataset = (starts: Int32Array): Dataset => {
    const ws = makeWindows(data.values, shape, starts);
    return { x: ws.x, y: ws.y, n: ws.n };
  };
  const train = toDataset(evenlySpaced(windowStarts(data.ranges.train.first, data.ranges.train.last), req.maxTrainWindows));
  const val = toDataset(evenlySpaced(windowStarts(data.ranges.val.first, data.ranges.val.last), req.maxValWindows));
  const warm = req.warmStart ?? true;

  const model = createModel(req.config, spec, req.seed);
  const budget = new AbortController();
  const onUserAbort = (): void => budget.abort(io.signal?.reason);
  io.signal?.addEventListener('abort', onUserAbort, { once: true });
  const timer = req.timeBudgetMs === undefined ? null : setTimeout(() => budget.abort(new Error('time budget')), req.timeBudgetMs);
  try {
    if (warm) await warmStartLinearSkip(model, data, spec, io.signal);
    const initialValLoss = evaluate(model, val).pinball;
    io.stderr.write(
      `train: hybrid ${model.parameterCount()} parameters on ${backend.name}; ${train.n} train / ${val.n} val windows; ` +
        `val pinball before training ${initialValLoss.toFixed(4)}${warm ? ' (linear skip warm-started by least squares)' : ''}\n`,
    );
    const batchSize = Math.min(req.batchSize, train.n);
    const stepsPerEpoch = Math.ceil(train.n / batchSize);
    const bar = new ProgressBar(io, 'train', req.epochs * stepsPerEpoch, { unit: 'steps' });
    const res = await fit(model, train, {
      epochs: req.epochs,
      batchSize,
      val,
      earlyStoppingPatience: req.patience,
      lr: req.lr,
      emaEpochs: req.emaEpochs,
      seed: req.seed,
      signal: budget.signal,
      startValLoss: initialValLoss,
      onProgress: (p) => {
        bar.update((p.epoch - 1) * p.stepsPerEpoch + p.step, { epoch: `${p.epoch}/${p.epochs}`, loss: p.loss });
        if (p.valLoss !== undefined) bar.log(`epoch ${p.epoch}: train loss ${p.loss.toFixed(4)}, val pinball ${p.valLoss.toFixed(4)}`);
      },
    });
    if (io.signal?.aborted) throw io.signal.reason;
    const { bestEpoch, bestValLoss } = res;
    bar.finish({ 'best val': bestValLoss });
    const summary: HybridFitSummary = {
      epochsRun: res.epochsRun,
      bestEpoch,
      steps: res.steps,
      trainWindowsUsed: train.n,
      valWindowsUsed: val.n,
      initialValLoss,
      bestValLoss,
      valLosses: res.valLosses,
      trainLosses: res.trainLosses,
      stoppedBy: res.stopReason === 'aborted' ? 'time budget' : res.stopReason === 'early-stopped' ? 'patience' : 'epochs',
      backend: backend.name,
      parameters: model.parameterCount(),
      seconds: (performance.now() - t0) / 1000,
      warmStart: warm,
      config: model.config,
      lr: req.lr,
      batchSize,
      stepsPerSecond: res.stepsPerSecond,
    };
    const version = `hybrid-${new Date().toISOString()}`;
    return {
      predictor: new TfjsPredictor(model, { version, backend: backend.name }),
      summary,
      save: async (dir, provenance, normalisation) => {
        await saveArtifact(dir, model, {
          version,
          normalisation: { method: 'zscore', mean: normalisation.mean, std: normalisation.std },
          training: { ...summary, epochs: summary.epochsRun, data: provenance },
        });
      },
    };
  } catch (err) {
    model.dispose();
    throw err;
  } finally {
    if (timer) clearTimeout(timer);
    io.signal?.removeEventListener('abort', onUserAbort);
  }
}

/**
 * Set the linear skip to the least-squares NLinear solution. NLinear forecasts
 * last + b + Σ_w (x_w − last)·A[w,h] = Σ_w x_w·A'[w,h] + b with A' = A plus (1 − Σ_w A[w,h]) on
 * the last row; A' columns sum to 1, so under RevIN ((x − μ)/σ in, ·σ + μ out) the same kernel
 * gives the same forecast. The small bias b is dropped with RevIN (it would scale with σ).
 */
export async function warmStartLinearSkip(model: HybridModel, data: PreparedData, spec: ModelSpec, signal?: AbortSignal): Promise<void> {
  // Sliced like train --arch linear's fit: a Ctrl-C during it (seconds on a large file) stops it there.
  const fit = await fitLinearBaselineAsync({
    values: data.values,
    features: spec.features,
    targets: spec.targets,
    window: spec.window,
    horizon: spec.horizon,
    quantiles: [0.5],
    fitStarts: windowStarts(data.ranges.train.first, data.ranges.train.last),
    calibrationStarts: new Int32Array(0),
  }, signal);
  setLinearSkip(model, fit);
}

/** Write a fitted linear baseline (same window and horizon) into the model's linear skip (see above). */
export function setLinearSkip(model: HybridModel, fit: LinearBaselineState): void {
  const { window: w, horizon: h } = fit.spec;
  if (w !== model.dims.W || h !== model.dims.H) {
    throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `linear fit is window ${w} / horizon ${h}; the model is ${model.dims.W} / ${model.dims.H}`);
  }
  const kernel = new Float32Array(w * h);
  for (let k = 0; k < h; k++) {
    let sum = 0;
    for (let i = 0; i < w; i++) {
      kernel[i * h + k] = fit.weights[i * h + k];
      sum += fit.weights[i * h + k];
    }
    kernel[(w - 1) * h + k] += 1 - sum;
  }
  const bias = new Float32Array(h);
  if (!model.config.revin) for (let k = 0; k < h; k++) bias[k] = fit.weights[w * h + k];
  const weights = model.getWeights();
  weights['linear_skip/kernel'] = { shape: [w, h], data: kernel };
  weights['linear_skip/bias'] = { shape: [h], data: bias };
  model.setWeights(weights);
}

/** True when `dir` holds a src/model artifact (model.json). */
export async function isHybridModelDir(dir: string): Promise<boolean> {
  return stat(join(dir, MANIFEST_FILE)).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Open a src/model artifact directory; statistics and provenance come from its manifest. */
export async function loadHybridModel(dir: string): Promise<LoadedModel> {
  const backend = await initBackend({ prefer: 'auto' });
  const { manifest, model } = await loadArtifact(dir);
  const n = manifest.normalisation;
  const data = (manifest.training as { data?: DataProvenance }).data ?? null;
  return {
    kind: 'hybrid',
    dir,
    predictor: new TfjsPredictor(model, { version: manifest.version, backend: backend.name }),
    normalisation: n ? { columns: [...manifest.spec.features], mean: n.mean, std: n.std } : null,
    data,
  };
}
