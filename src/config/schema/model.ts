// The model: engine, architecture, bootstrap, versions; online fine-tuning.
// Part of the one configuration schema (src/config/schema.ts assembles it; docs/configuration.md
// is generated from the doc comments here by scripts/gen-config-doc.ts).
import { z } from 'zod';
import { positiveInt, nonNegInt, timerMs } from './primitives.ts';

/**
 * The model's attention heads, which split dModel (DEFAULT_HYBRID_CONFIG.transformer.heads in src/model/config.ts,
 * which this layer may not import; test/unit/config/validation.test.ts keeps the two equal). The model checks it
 * too, but only once the service has started.
 */
export const ATTENTION_HEADS = 4;

export const modelSection = z
  .object({
    /** Checkpoint directory (versioned artifacts). Empty (or no checkpoint in it) → the shipped pretrained model, else one trained at start on embedded.dataFile (default: the bundled sample); a multivariate spec (input.features) learns from that file's column of each feature's name, and starts on seeded weights, with a warning, when the file lacks one (the bundled sample has only `value`; train one with `tickcast train` into this directory). Created when first written; when it exists it must be a readable directory (checked at start). */
    dir: z.string().default(''),
    /** What runs the served model: auto and onnx export it to onnxruntime-node after a parity check against tfjs (max |Δ| ≤ 1e-3), and serve with tfjs when that fails (logged: info for auto, warn for onnx); tfjs always serves with tfjs (docs/inference.md § Engine choice). tickcast_model_info{engine} shows which. */
    engine: z.enum(['auto', 'onnx', 'tfjs']).default('auto'),
    /** tfjs backend for training at start, fine-tuning and tfjs serving: auto takes the first that loads of tfjs-node-gpu, tfjs-node (neither is installed by npm ci), wasm, cpu (pure JavaScript, the slowest); a named one that cannot start stops the start (TC_BACKEND_UNAVAILABLE). */
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
    /** Width (D) of the input projection and the Transformer of a model trained or seeded at start (the LSTM gets 1.5 D per direction); a multiple of 4, the attention heads. A served checkpoint keeps its own; any other value than 32 rules out the shipped pretrained model. Larger: more capacity, slower training and serving (docs/model.md). */
    dModel: positiveInt.refine((d) => d % ATTENTION_HEADS === 0, `must be a multiple of ${ATTENTION_HEADS} (the Transformer's attention heads)`).default(32),
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
    /** Model versions kept, newest first: in model.dir (older ones deleted after each save) and in memory for rollback and pinning; the serving version is never dropped. */
    keepVersions: positiveInt.default(5),
    /** With model.dir set: how often the directory's current (or pinned) version is checked and loaded when it is not the serving one, so replicas sharing the directory serve what any of them promoted, rolled back to or pinned (docs/finetuning.md § Several replicas). 0: never (the directory is read at start only). */
    followIntervalMs: timerMs(0).default(5_000),
  })
  .strict()
  .default({});

export const finetuneSection = z
  .object({
    /** Fine-tune the served model online on the stream's own realised forecasts, promoting a better version and rolling back a worse one (docs/finetuning.md). With model.dir set, versions are saved there and one replica at a time tunes (finetune.leaseTtlMs). */
    enabled: z.boolean().default(false),
    /** Time between two fine-tune rounds (a drift detection can start one earlier, at most once per intervalMs / 4). */
    intervalMs: timerMs(1).default(60_000),
    /** Gradient steps per fine-tune round, at most 1,000 (a round nudges the served model, it does not retrain it). */
    steps: positiveInt.max(1_000).default(50),
    /** Adam step size of a round, at most 0.01 (a round nudges the served model). */
    learningRate: z.number().positive().max(0.01).default(5e-4),
    /** Training pairs (window, realised future) kept for rounds to draw from: half the most recent, half a per-series sample of the whole history (never more than this in all: with more series than half of it, the series quiet the longest lose their sample first). A pair is 4 bytes × (window × features + horizon × targets): ≈ 6 MB at the defaults. With fine-tuning on, at least 2 × (min(minSamples, 512) + 64) − 1 (527 at the default minSamples): half of it must hold a round's hold-out and two training batches, or no round ever starts. */
    replayCapacity: positiveInt.default(20_000),
    /** Relative MAE gain a challenger needs over the champion, on the hold-out slice and then live (shadow), to be promoted: 0.02 = 2% lower. */
    minImprovement: z.number().min(0).max(1).default(0.02),
    /** Live forecast/outcome pairs a shadow or watch decision waits for (a watch ends, kept, after 3 ×); the hold-out slice is min(this, 512) pairs. Higher: steadier decisions, slower rounds. */
    minSamples: positiveInt.default(200),
    /** After a promotion: rolled back automatically when the new version's live MAE exceeds the previous one's by more than this fraction (0.1 = 10%) over minSamples pairs. */
    rollbackRegression: z.number().min(0).default(0.1),
    /** After a promotion: longest the watch lasts. On an idle or slow stream that brings fewer than 3 × minSamples live pairs by then, the watch ends keeping the new model (logged, recorded as kept with the reason); no round starts while watching. */
    watchTimeoutMs: timerMs(1).default(600_000),
    /** Fraction of wall time the training worker computes (the rest it sleeps), so serving keeps the CPU. A round being stopped (fine-tuning paused, champion replaced) has its rest cut short: it ends within a step. */
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
