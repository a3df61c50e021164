/**
 * The model as a running service, composed of its parts: the tfjs backend, the version registry
 * (./version-registry.ts), the version served at start (./initial-version.ts: newest good
 * checkpoint, else a bootstrap model), engine building (./engine-builder.ts), the promoter that
 * serialises promotion, rollback and pinning (./promoter.ts), and online fine-tuning
 * (./finetune/). The pipeline's PredictorSlot is given at construction; the promoter swaps
 * models into it. See docs/finetuning.md.
 */
import type { Config } from '../config/load.ts';
import type { ModelSpec } from '../domain/types.ts';
import type { ModelControl, ModelInfo, Predictor, PredictorSlot, TickLearner } from '../pipeline/ports.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { Metrics } from '../telemetry/metrics.ts';
import { initBackend } from './backend.ts';
import { CheckpointStore } from './checkpoints.ts';
import { resolveHybridConfig } from './config.ts';
import { engineBuilder } from './engine-builder.ts';
import { FineTuner, type FineTuneTuning } from './finetune/fine-tuner.ts';
import { loadInitialVersion, type BootstrapOptions } from './initial-version.ts';
import { findUnfinished } from './unfinished-promotions.ts';
import { ErrorCodes } from '../errors/index.ts';
import { writePin } from './pin-file.ts';
import { dirGraphs } from './stored-graph.ts';
import { Promoter, type PromoterDeps } from './promoter.ts';
import { VersionRegistry } from './version-registry.ts';
import { SharedDirCoordinator, directoryTarget } from './shared-dir/coordinator.ts';
import { readCurrentEpoch, writeCurrent, type CurrentChange } from './shared-dir/current-pointer.ts';
import { DirLease } from './shared-dir/lease.ts';

export type { ModelVersion } from './version-registry.ts';

export interface ModelService extends ModelControl {
  /** The predictor served at start (the slot's first occupant). */
  readonly predictor: Predictor;
  /** What the pipeline feeds every accepted tick to (the fine-tuner; null when it is off). */
  readonly learner: TickLearner | null;
  /** The online fine-tuner (null when finetune.enabled is false). */
  readonly finetune: FineTuner | null;
  /** Lease and following of a shared model dir (null without model.dir). */
  readonly coordinator: SharedDirCoordinator | null;
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

export interface ModelServiceOptions extends BootstrapOptions {
  /**
   * The slot the service serves through, made from the first predictor (app.ts: the inference
   * stage). Without one, a bare slot that disposes each replaced predictor at once.
   */
  slot?: (first: Predictor) => PredictorSlot;
  /** Hybrid architecture overrides (tests use tiny models). */
  hybrid?: Parameters<typeof resolveHybridConfig>[0];
  /** Fine-tuning knobs that are not config keys (tests, benchmarks). */
  finetune?: FineTuneTuning;
  /** Fine-tune lease owner id (default: hostname, pid, random; tests name their instances). */
  leaseOwner?: string;
}

/** A slot with no pipeline behind it: nothing runs on a replaced predictor, so it goes at once. */
function bareSlot(first: Predictor): PredictorSlot {
  let current = first;
  return {
    get predictor() {
      return current;
    },
    swap(next) {
      void current.dispose();
      current = next;
    },
  };
}

/**
 * Promoter, fine-tuner and, with model.dir, the coordinator of replicas sharing it: one fine-tunes
 * at a time (the lease), all follow the recorded version (./shared-dir/).
 */
function composeLifecycle(o: { config: Config; logger: Logger; metrics: Metrics; opts: ModelServiceOptions; store: CheckpointStore | null; promoter: PromoterDeps }) {
  const { config, logger, metrics, store } = o;
  const ttlMs = config.finetune.leaseTtlMs;
  const lease = store && config.finetune.enabled ? new DirLease({ dir: store.dir, ttlMs, epochFloor: () => readCurrentEpoch(store.dir), ...(o.opts.leaseOwner ? { owner: o.opts.leaseOwner } : {}) }) : null;
  let coord: SharedDirCoordinator | null = null;
  const shared = store
    ? {
        savePin: (v: string | null) => writePin(store.dir, v),
        saveCurrent: (v: string, fenced: boolean, change: CurrentChange) => writeCurrent(store.dir, v, lease?.owner ?? String(process.pid), fenced && lease ? coord?.epoch : undefined, change, new Map(o.promoter.registry.unfinished.map((u) => [u.version, u.parent]))),
        mayPromote: () => coord?.mayPromote() ?? Promise.resolve(true),
        fence: () => coord?.fence() ?? Promise.resolve(),
        readRecorded: () => directoryTarget(store.dir),
        scanUnfinished: async () => {
          const found = await findUnfinished(store.dir, await store.list(), ttlMs);
          const known = new Set(o.promoter.registry.unfinished.map((u) => u.version));
          if ([...found.keys()].every((v) => known.has(v))) return;
          o.promoter.registry.noteUnfinished(found);
          await o.promoter.registry.refresh();
          logger.warn({ code: ErrorCodes.MODEL_PROMOTION_UNFINISHED, unfinished: [...found.keys()] }, `${[...found.keys()].filter((v) => !known.has(v)).join(', ')}: saved by a fine-tune promotion over ${[...found.values()][0]} that was not recorded as current within finetune.leaseTtlMs (its replica stopped between the save and the record): not served. GET /v1/model lists it in unfinishedVersions; serve it by hand with POST /v1/model/rollback {"version":"vN"} if wanted`);
        },
      }
    : {};
  const promoter = new Promoter({ ...o.promoter, ...shared });
  const tuner = config.finetune.enabled ? new FineTuner({ config, logger: logger.child({ component: 'finetune' }), metrics, control: promoter, tuning: o.opts.finetune, ...(lease ? { leading: () => coord?.leading ?? false } : {}) }) : null;
  // No shared directory: nothing to lease, this replica fine-tunes its own versions (TickcastFinetuneLeaseUnheld fired on its 0).
  if (!store && config.finetune.enabled) metrics.finetuneLeaseHeld.set(1);
  if (store) coord = new SharedDirCoordinator({ dir: store.dir, lease, ttlMs, followMs: config.model.followIntervalMs, promoter, registry: o.promoter.registry, tuner, logger: logger.child({ component: 'model-dir' }), metrics });
  return { promoter, tuner, coord };
}

export async function createModelService(config: Config, logger: Logger, metrics: Metrics, opts: ModelServiceOptions = {}): Promise<ModelService> {
  const backend = await initBackend({ prefer: config.model.backend, nativeKernels: config.model.nativeKernels });
  logger.info({ backend: backend.name, source: backend.source, skipped: backend.skipped, matmul: backend.matmul }, 'tfjs backend selected');
  const spec = specFromConfig(config);
  // 0 = "model default" (config.model.patchLength/patchStride, docs/configuration.md).
  const patch = config.model.patchLength || config.model.patchStride ? { length: config.model.patchLength || undefined, stride: config.model.patchStride || undefined } : undefined;
  const hybrid = resolveHybridConfig(opts.hybrid ?? { dModel: config.model.dModel, ...(patch ? { patch } : {}) });
  const keep = config.model.keepVersions;
  const store = config.model.dir ? new CheckpointStore({ dir: config.model.dir, keep, log: (level, msg, fields) => logger[level](fields ?? {}, msg) }) : null;
  const registry = new VersionRegistry(store, keep);
  const { pinned, ...first } = await loadInitialVersion(registry, config, hybrid, spec, opts, logger);
  const graphs = store ? dirGraphs(store.dir, (level, msg, fields) => logger[level](fields, msg)) : undefined;
  const build = engineBuilder(config, backend, logger, { onBusy: (s) => metrics.onnxBusySeconds.inc(s), onThreads: (n) => metrics.onnxServingThreads.set(n) }, graphs);
  const predictor = await build(first);
  const slot = (opts.slot ?? bareSlot)(predictor);
  await registry.refresh();
  const { promoter, tuner, coord } = composeLifecycle({ config, logger, metrics, opts, store, promoter: { registry, build, slot, serving: first, logger, metrics, pinned } });
  metrics.modelPinned.set(promoter.pinned ? 1 : 0);
  metrics.modelUnfinishedVersions.watch(() => registry.unfinished.length);
  for (const direction of ['older', 'newer']) metrics.modelManualChanges.inc({ direction }, 0);
  const info = (): ModelInfo => {
    const { version, engine, backend, spec } = slot.predictor;
    const lease = coord?.describe();
    const training = { ...promoter.champion.meta, ...(tuner ? { finetune: { ...tuner.status(), ...(lease ? { lease } : {}) } } : {}) };
    return { version, engine, backend, spec, training, versions: registry.versions, ...registry.notes(spec), pinned: promoter.pinned, servingSinceMs: promoter.servingSinceMs };
  };

  let started = false;
  let stopping: Promise<void> | undefined;
  return {
    predictor,
    learner: tuner,
    finetune: tuner,
    coordinator: coord,
    info,
    rollback: async (o) => {
      const changed = await promoter.rollbackManually(o);
      if (changed) {
        // Counted as a manual change, not as a fine-tune round: a round's record (and its count) only when it ends a watch (round-policy.ts).
        const direction = (await registry.position(changed.to)) < (await registry.position(changed.from)) ? 'older' : 'newer'; // a restored copy counts as the version it restores
        metrics.modelManualChanges.inc({ direction });
        await tuner?.championChanged(`manual ${direction === 'older' ? 'rollback' : 'change'} to ${changed.to}`, { to: changed.to, direction });
      }
      tuner?.pinChanged(promoter.pinned);
      metrics.modelPinned.set(promoter.pinned ? 1 : 0);
      return info();
    },
    start: async () => {
      if (started) return;
      started = true;
      await coord?.start();
      await tuner?.start();
    },
    stop: () =>
      (stopping ??= (async () => {
        await tuner?.stop();
        await promoter.idle();
        await coord?.stop(); // releases the lease: another replica fine-tunes without waiting for it to expire
        // The slot owns the serving predictor (the inference stage disposes retired ones);
        // dispose the current one here: the stage is closed by now.
        await slot.predictor.dispose();
      })()),
  };
}
