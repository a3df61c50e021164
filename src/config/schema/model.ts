// The model: engine, architecture, bootstrap, versions; online fine-tuning.
// Part of the one configuration schema (src/config/schema.ts assembles it; docs/configuration.md
// is generated from the doc comments here by scripts/gen-config-doc.ts).
import { z } from 'zod';
import { positiveInt, nonNegInt, timerMs } from './primitives.ts';

export const modelSection = z
  .object({
    /** Checkpoint directory (versioned artifacts). Empty (or no checkpoint in it) → the shipped pretrained model, else one trained at start on the bundled sample; a multivariate spec (input.features) starts on seeded weights (train one with `tickcast train` into this directory). Created when first written; when it exists it must be a readable directory (checked at start). */
    dir: z.string().default(''),
    engine: z.enum(['auto', 'onnx', 'tfjs']).default('auto'),
    backend: z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).default('auto'),
    /** Use tickcast's native kernel addon (built by npm ci; OpenBLAS when installed) for wasm's matrix products and the LSTM recurrence: training 2.2–3.5× as fast as on wasm's own kernels (docs/native-kernels.md § Speed). false → the backend's own kernels. */
    nativeKernels: z.boolean().default(true),
    /** onnxruntime threads per model call (0 = its default, all cores). onnxruntime-node runs a call synchronously on its thread, so in one process batches in flight take turns: use onnxWorkers for more cores. */
    onnxIntraOpThreads: nonNegInt.default(1),
    /** CPU serving threads, each with its own onnxruntime session (onnxIntraOpThreads each, 0 counted as 1), so model runs leave the main thread and batches in flight run on several cores at once (with batching.maxInFlightBatches ≥ this). 0: in the main thread. auto: 1 when the process has ≥ 2 CPUs (cgroup quota counted), else 0 (measured: 1.23–1.28× the forecasts/s on 2 vCPUs). Ignored when CUDA serves. */
    onnxWorkers: z.union([z.literal('auto'), nonNegInt, z.string().regex(/^\d+$/, 'must be "auto" or a whole number ≥ 0').transform(Number)]).default('auto'),
    /** With onnxWorkers: a call a serving thread has not answered after this long (a hung native run) fails, retriable (the records are processed again), and the thread is replaced by a fresh one. 0: wait forever. */
    onnxCallTimeoutMs: timerMs(0).default(30_000),
    /**
     * Forecast steps of a model trained or seeded at start; a served model's own horizon wins. At
     * most 4096: measured to start and serve up to there, and with windows.length ≤ 4096 the
     * bundled sample (10,320 rows) still holds enough windows to train on.
     */
    horizon: positiveInt.max(4096).default(8),
    /** Forecast quantiles, each in (0, 1); 0.5 must be one of them (the median is the point forecast). */
    quantiles: z
      .array(z.number().gt(0).lt(1))
      .min(1)
      .refine((q) => q.includes(0.5), 'must contain 0.5 (the median is the point forecast)')
      .default([0.1, 0.5, 0.9]),
    dModel: positiveInt.default(32),
    /** Epochs for the bootstrap model trained at start when no checkpoint exists (0 = seeded initial weights, untrained). */
    bootstrapEpochs: nonNegInt.default(3),
    /** Wall-clock budget of that bootstrap training (start-up time). */
    bootstrapBudgetMs: positiveInt.default(35_000),
    /** With no checkpoint, serve the shipped pretrained model (models/pretrained) when it fits the spec and architecture, instead of training a bootstrap model. */
    pretrained: z.boolean().default(true),
    /** Patch tokens: time steps per token (1 = one token per step, the pre-patch model). 0 → the model default (docs/model.md). */
    patchLength: nonNegInt.default(0),
    /** Steps between patch starts (≤ patchLength). 0 → patchLength when that is set, else the model default. */
    patchStride: nonNegInt.default(0),
    keepVersions: positiveInt.default(5),
    /** With model.dir set: how often the directory's current (or pinned) version is checked and loaded when it is not the serving one, so replicas sharing the directory serve what any of them promoted, rolled back to or pinned (docs/finetuning.md § Several replicas). 0: never (the directory is read at start only). */
    followIntervalMs: timerMs(0).default(5_000),
  })
  .strict()
  .default({});

export const finetuneSection = z
  .object({
    enabled: z.boolean().default(false),
    intervalMs: timerMs(1).default(60_000),
    /** Gradient steps per fine-tune round, at most 1,000 (a round nudges the served model, it does not retrain it). */
    steps: positiveInt.max(1_000).default(50),
    learningRate: z.number().positive().max(0.01).default(5e-4),
    replayCapacity: positiveInt.default(20_000),
    minImprovement: z.number().min(0).max(1).default(0.02),
    minSamples: positiveInt.default(200),
    rollbackRegression: z.number().min(0).default(0.1),
    /** Fraction of wall time the training worker computes (the rest it sleeps), so serving keeps the CPU. */
    dutyCycle: z.number().gt(0).max(1).default(0.15),
    /** Where the trainer runs: a child process (own V8 and GC threads, all at workerNice) or a worker thread (only that thread niced). */
    isolation: z.enum(['process', 'thread']).default('process'),
    /** Linux niceness of the trainer (0–19): every thread of the process, or the worker thread. */
    workerNice: z.number().int().min(0).max(19).default(10),
    /** With model.dir set: lifetime of the fine-tune lease in it (renewed every third of it). Only the replica holding it fine-tunes and promotes; one that stops releases it, one that dies is replaced after this long. */
    leaseTtlMs: timerMs(1).min(3_000).default(30_000),
  })
  .strict()
  .default({});
