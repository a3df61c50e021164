/**
 * The model as a running service: picks the tfjs backend, obtains the serving model (newest good
 * checkpoint in `model.dir`, else a bootstrap model trained on the bundled sample and saved as
 * v1), builds the inference engine (ONNX or tfjs) and owns the model's lifecycle afterwards:
 * online fine-tuning (./finetune/), promotion and rollback (automatic or through the REST API),
 * versioned checkpoints (./checkpoints.ts). See docs/finetuning.md.
 *
 * Versions are labelled v1, v2, …: with `model.dir` they are the checkpoint directories (durable);
 * without it they live in memory for the life of the process. The last `model.keepVersions` are
 * kept for rollback.
 */
import type { Config } from '../config/load.ts';
import type { ModelSpec } from '../domain/types.ts';
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import type { InferenceStage } from '../pipeline/inference.ts';
import type { LiveEvent, ModelInfo, Predictor } from '../pipeline/ports.ts';
import type { ModelControl } from '../pipeline/serving.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { initBackend, type BackendInfo } from './backend.ts';
import { BOOTSTRAP_SAMPLE, readValueColumn, trainBootstrap } from './bootstrap.ts';
import { loadPretrained } from './pretrained.ts';
import { CheckpointStore, type ModelArtifact } from './checkpoints.ts';
import { resolveHybridConfig, type ResolvedHybridConfig } from './config.ts';
import { HybridModel } from './hybrid-model.ts';
import { TfjsPredictor } from './predictor.ts';
import { createInferenceEngine } from './onnx/engine.ts';
import { FineTuner, type EngineOffload, type FineTuneTuning } from './finetune/fine-tuner.ts';
import type { WeightMap } from './weight-names.ts';

export interface ModelService extends ModelControl {
  /** The predictor to serve with at start. */
  readonly predictor: Predictor;
  /** Give the service the inference stage whose predictor it swaps on promotion/rollback. */
  attach(inference: InferenceStage): void;
  /** Live ticks and forecasts (feeds online fine-tuning). */
  observe(e: LiveEvent): void;
  /** The online fine-tuner (null when finetune.enabled is false). */
  readonly finetune: FineTuner | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function specFromConfig(config: Config): ModelSpec {
  return {
    window: config.windows.length,
    features: [...config.input.features],
    targets: [...(config.input.targets ?? [config.input.features[0]])],
    horizon: config.model.horizon,
    quantiles: [...config.model.quantiles].sort((a, b) => a - b),
  };
}

/** One model version known to the service (weights kept for rollback and for the fine-tuner). */
export interface ModelVersion extends ModelArtifact {
  version: string;
}

export interface ModelServiceOptions {
  /** Bootstrap data (values of one series) instead of the bundled sample (tests). */
  bootstrapValues?: ArrayLike<number>;
  /** Bootstrap wall-clock budget in ms (default 35 s). */
  bootstrapBudgetMs?: number;
  /** Hybrid architecture overrides (tests use tiny models). */
  hybrid?: Parameters<typeof resolveHybridConfig>[0];
  /** Fine-tuning knobs that are not config keys (tests, benchmarks). */
  finetune?: FineTuneTuning;
}

// Bootstrap models trained in this process, by what determines them: a process that builds the
// app several times (tests) trains once.
const bootstrapMemo = new Map<string, Promise<{ weights: WeightMap; meta: Record<string, unknown> }>>();

async function bootstrapWeights(
  config: Config,
  hybrid: ResolvedHybridConfig,
  spec: ModelSpec,
  opts: ModelServiceOptions,
  logger: Logger,
): Promise<{ weights: WeightMap; meta: Record<string, unknown> }> {
  const file = config.embedded.dataFile || BOOTSTRAP_SAMPLE;
  const key = opts.bootstrapValues ? null : JSON.stringify([file, hybrid, spec, config.model.bootstrapEpochs, opts.bootstrapBudgetMs, config.model.pretrained]);
  const run = async () => {
    if (config.model.bootstrapEpochs === 0) {
      // Seeded initial weights: the linear skip starts as "repeat the last value" (docs/model.md).
      const m = HybridModel.create(hybrid, spec, 42);
      const weights = m.getWeights();
      m.dispose();
      logger.warn('model.bootstrapEpochs is 0: serving an untrained model with seeded weights (about as good as repeating the last value)');
      return { weights, meta: { source: 'seeded', epochs: 0 } };
    }
    if (config.model.pretrained && !opts.bootstrapValues) {
      const pre = await loadPretrained(hybrid, spec);
      if (pre.ok) {
        logger.info({ pretrained: pre.version }, `no checkpoint: serving the shipped pretrained model ${pre.version} (no training at start)`);
        return { weights: pre.weights, meta: pre.meta };
      }
      logger.info({ reason: pre.reason }, 'shipped pretrained model not used; training a bootstrap model');
    }
    const values = opts.bootstrapValues ?? readValueColumn(file);
    logger.info({ file: opts.bootstrapValues ? '(given)' : file, values: values.length, epochs: config.model.bootstrapEpochs }, 'no checkpoint: training a bootstrap model');
    const r = await trainBootstrap(values, hybrid, spec, {
      epochs: config.model.bootstrapEpochs,
      budgetMs: opts.bootstrapBudgetMs ?? config.model.bootstrapBudgetMs,
      onEpoch: (epoch, loss) => logger.info({ epoch, loss: Number(loss.toFixed(5)) }, 'bootstrap epoch done'),
    });
    const weights = r.model.getWeights();
    r.model.dispose();
    const meta = {
      source: 'bootstrap',
      data: opts.bootstrapValues ? '(given)' : file,
      epochs: r.epochs,
      steps: r.steps,
      trainLoss: r.trainLoss,
      valMae: r.valMae,
      naiveMae: r.naiveMae,
      ratioToNaive: r.ratioToNaive,
      seconds: r.seconds,
    };
    const level = r.ratioToNaive < 1 ? 'info' : 'warn';
    logger[level](
      { ...meta, ratioToNaive: Number(r.ratioToNaive.toFixed(3)) },
      `bootstrap model trained in ${r.seconds.toFixed(1)} s: hold-out MAE ${r.valMae.toFixed(4)} vs naive last-value ${r.naiveMae.toFixed(4)} (ratio ${r.ratioToNaive.toFixed(3)})`,
    );
    return { weights, meta };
  };
  if (key === null) return run();
  let p = bootstrapMemo.get(key);
  if (!p) {
    p = run();
    bootstrapMemo.set(key, p);
    p.catch(() => bootstrapMemo.delete(key));
  }
  return p;
}

/**
 * Build the serving predictor (ONNX when it loads and agrees, else tfjs) for one version.
 * `offload` (optional: the fine-tune trainer holds the same weights) exports the ONNX graph and
 * answers the parity check instead of this thread; if ONNX is refused, a local tfjs predictor is
 * built to serve (never the referee).
 */
export async function buildPredictor(v: ModelVersion, config: Config, backend: BackendInfo, logger: Logger, offload?: EngineOffload): Promise<Predictor> {
  const local = () => new TfjsPredictor(HybridModel.fromWeights(v.config, v.spec, v.weights), { version: v.version, backend: backend.name });
  const ref = offload && config.model.engine !== 'tfjs' ? offload.referee(v.version) : null;
  const engine = await createInferenceEngine({
    engine: config.model.engine,
    weights: v.weights,
    config: v.config,
    spec: v.spec,
    version: v.version,
    intraOpThreads: config.model.onnxIntraOpThreads,
    tfjs: () => ref ?? local(),
    ...(offload ? { onnxBytes: () => offload.exportOnnx(v.version) } : {}),
    log: (level, msg, fields) => logger[level](fields, msg),
  });
  if (engine.fallbackReason && config.model.engine !== 'tfjs') logger.warn({ reason: engine.fallbackReason, version: v.version }, 'serving with tfjs instead of ONNX');
  if (ref && engine.predictor === ref) return local();
  return engine.predictor;
}

export async function createModelService(config: Config, logger: Logger, metrics: Metrics, opts: ModelServiceOptions = {}): Promise<ModelService> {
  const backend = await initBackend({ prefer: config.model.backend });
  logger.info({ backend: backend.name, source: backend.source, skipped: backend.skipped }, 'tfjs backend selected');
  const spec = specFromConfig(config);
  // 0 = "model default" (config.model.patchLength/patchStride, docs/configuration.md).
  const patch = config.model.patchLength || config.model.patchStride ? { length: config.model.patchLength || undefined, stride: config.model.patchStride || undefined } : undefined;
  const hybrid = resolveHybridConfig(opts.hybrid ?? { dModel: config.model.dModel, ...(patch ? { patch } : {}) });
  const keep = config.model.keepVersions;
  const store = config.model.dir ? new CheckpointStore({ dir: config.model.dir, keep, log: (level, msg, fields) => logger[level](fields ?? {}, msg) }) : null;

  // Known versions, newest first (bounded by keepVersions).
  const versions: ModelVersion[] = [];
  let nextMemVersion = 1;
  let champion: ModelVersion;
  if (store) {
    await store.cleanTemp();
    const found = await store.loadNewestGood();
    if (found) {
      logger.info({ version: found.version, dir: found.dir, meta: found.meta }, `loaded checkpoint ${found.version}`);
      champion = { version: found.version, config: found.config, spec: found.spec, weights: found.weights, meta: found.meta };
    } else {
      const b = await bootstrapWeights(config, hybrid, spec, opts, logger);
      const artifact = { config: hybrid, spec, weights: b.weights, meta: b.meta };
      const version = await store.save(artifact);
      logger.info({ version, dir: store.dir }, `bootstrap model saved as checkpoint ${version}`);
      champion = { version, ...artifact };
    }
    // Older good versions are loaded lazily on rollback; list them for info().
  } else {
    const b = await bootstrapWeights(config, hybrid, spec, opts, logger);
    champion = { version: `v${nextMemVersion++}`, config: hybrid, spec, weights: b.weights, meta: b.meta };
  }
  versions.push(champion);

  const predictor = await buildPredictor(champion, config, backend, logger);
  let serving: Predictor = predictor;
  let inference: InferenceStage | null = null;
  let pinned = false;
  let lastPromotion = Date.now();

  const publish = (p: Predictor) => {
    metrics.modelInfo.reset();
    metrics.modelInfo.set({ version: p.version, engine: p.engine, backend: p.backend }, 1);
    metrics.modelLastPromotion.set(lastPromotion / 1000);
  };
  publish(predictor);

  // Versions that fail to load or verify, from the last listing (shown, never offered for rollback).
  let damaged: { version: string; reason: string }[] = [];
  /** Versions that can be served, newest first: those held in memory and those on disk that verify. */
  const listVersions = async (): Promise<string[]> => {
    const mem = versions.map((v) => v.version);
    if (!store) return mem;
    const disk = await store.listVerified().catch(() => ({ good: [] as string[], damaged: [] as typeof damaged }));
    damaged = disk.damaged.filter((d) => !mem.includes(d.version));
    return [...new Set([...disk.good, ...mem])].sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)));
  };
  let versionList = await listVersions();

  const remember = (v: ModelVersion) => {
    const i = versions.findIndex((x) => x.version === v.version);
    if (i >= 0) versions.splice(i, 1);
    versions.unshift(v);
    versions.sort((a, b) => Number(b.version.slice(1)) - Number(a.version.slice(1)));
    while (versions.length > keep) {
      // Never drop the serving version.
      const drop = versions.findLastIndex((x) => x.version !== champion.version);
      if (drop < 0) break;
      versions.splice(drop, 1);
    }
  };

  /** Make `v` the serving model: build its engine, swap atomically, update metrics. */
  const serve = async (v: ModelVersion, why: string, offload?: EngineOffload): Promise<void> => {
    const next = await buildPredictor(v, config, backend, logger, offload);
    if (inference) inference.swap(next);
    else {
      void serving.dispose();
    }
    serving = next;
    champion = v;
    lastPromotion = Date.now();
    publish(next);
    logger.info({ version: v.version, engine: next.engine, why }, `serving model ${v.version} (${why})`);
  };

  const findVersion = async (version: string): Promise<ModelVersion> => {
    const mem = versions.find((v) => v.version === version);
    if (mem) return mem;
    if (store) {
      try {
        const c = await store.load(version);
        return { version, config: c.config, spec: c.spec, weights: c.weights, meta: c.meta };
      } catch (err) {
        if ((err as TickcastError).code === ErrorCodes.MODEL_NOT_LOADED) throw err;
        const onDisk = await store.list().catch(() => [] as string[]);
        if (!onDisk.includes(version)) {
          const known = await listVersions();
          throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `unknown model version "${version}"; known: ${known.join(', ') || 'none'}`, { statusCode: 404, cause: err });
        }
        throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_CORRUPT, `model version ${version} cannot be loaded: ${describeError(err)}`, { statusCode: 409, cause: err });
      }
    }
    throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `unknown model version "${version}"; known: ${versions.map((v) => v.version).join(', ')}`, { statusCode: 404 });
  };

  // Serialises promotions and rollbacks (each builds an engine and swaps).
  let chain: Promise<unknown> = Promise.resolve();
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn);
    chain = p.catch(() => undefined);
    return p;
  };

  const finetuneOn = config.finetune.enabled;
  const tuner: FineTuner | null = finetuneOn
    ? new FineTuner({
        config,
        logger: logger.child({ component: 'finetune' }),
        metrics,
        champion: () => champion,
        isPinned: () => pinned,
        tuning: opts.finetune,
        promote: (weights, meta, offload) =>
          serialised(async () => {
            if (pinned) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `model ${champion.version} is pinned; the challenger is not promoted`, { statusCode: 409 });
            const base = champion;
            let version: string;
            const artifact = { config: base.config, spec: base.spec, weights, meta: { ...meta, parent: base.version } };
            if (store) version = await store.save(artifact, { protect: [base.version] });
            else version = `v${nextMemVersion++}`;
            const v: ModelVersion = { version, ...artifact };
            remember(v);
            await serve(v, `promoted over ${base.version}`, offload);
            versionList = await listVersions();
            return version;
          }),
        rollbackTo: (version, reason, offload) =>
          serialised(async () => {
            const v = await findVersion(version);
            remember(v);
            await serve(v, reason, offload);
            versionList = await listVersions();
          }),
      })
    : null;
  if (finetuneOn) {
    nextMemVersion = Math.max(nextMemVersion, Number(champion.version.slice(1)) + 1);
  }

  const info = (): ModelInfo => ({
    version: serving.version,
    engine: serving.engine,
    backend: serving.backend,
    spec: serving.spec,
    training: { ...champion.meta, ...(tuner ? { finetune: tuner.status() } : {}) },
    versions: versionList,
    ...(damaged.length > 0 ? { damagedVersions: damaged } : {}),
    pinned,
  });

  const rollback = (o: { version?: string; pin?: boolean }): Promise<ModelInfo> =>
    serialised(async () => {
      let target = o.version;
      if (target === undefined) {
        const all = await listVersions();
        const cur = Number(champion.version.slice(1));
        target = all.find((v) => Number(v.slice(1)) < cur);
        if (!target) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `no version older than ${champion.version} to roll back to; name one with {"version": "vN"}`, { statusCode: 409 });
      }
      if (target !== champion.version) {
        const v = await findVersion(target);
        remember(v);
        await serve(v, o.version ? `manual rollback to ${target}` : `manual rollback from ${champion.version}`);
        tuner?.championChanged('manual');
        metrics.finetuneRounds.inc({ outcome: 'rolled_back' });
      }
      pinned = o.pin ?? false;
      tuner?.pinChanged(pinned);
      logger.info({ version: champion.version, pinned }, pinned ? `model ${champion.version} pinned: fine-tuning will not replace it until unpinned` : `model ${champion.version} serving (not pinned)`);
      versionList = await listVersions();
      return info();
    });

  let started = false;
  const stopOnce = { p: undefined as Promise<void> | undefined };
  return {
    predictor,
    attach: (stage) => {
      inference = stage;
    },
    observe: (e) => tuner?.observe(e),
    finetune: tuner,
    info,
    rollback,
    start: async () => {
      if (started) return;
      started = true;
      await tuner?.start();
    },
    stop: () =>
      (stopOnce.p ??= (async () => {
        await tuner?.stop();
        await chain;
        // The inference stage owns the serving predictor once attached (it disposes retired
        // ones); dispose it here only if it was never handed over or the stage is closed.
        await serving.dispose();
      })()),
  };
}
