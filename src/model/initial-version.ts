/**
 * The version the service serves at start: the newest good checkpoint in `model.dir`, else
 * the shipped pretrained model (when its shape matches), else a
 * bootstrap model trained on the bundled sample (saved as the first checkpoint when there is a
 * store), or seeded untrained weights when `model.bootstrapEpochs` is 0.
 */
import type { Config } from '../config/load.ts';
import type { ModelSpec } from '../domain/types.ts';
import type { Logger } from '../telemetry/logger.ts';
import { BOOTSTRAP_SAMPLE, readFeatureColumns, trainBootstrapColumns } from './bootstrap.ts';
import { describeMissing } from '../data/feature-columns.ts';
import type { ResolvedHybridConfig } from './config.ts';
import { HybridModel } from './hybrid-model.ts';
import { loadPretrained } from './pretrained.ts';
import type { VersionRegistry, ModelVersion } from './version-registry.ts';
import type { CheckpointStore, LoadedCheckpoint } from './checkpoints.ts';
import { readCurrent, writeCurrent, writeCurrentIfAbsent } from './shared-dir/current-pointer.ts';
import { pinnedUnfinished, recordedUnfinished, unreadableRecord, warnUnfinished } from './unfinished-promotions.ts';
import { readPin, writePin } from './pin-file.ts';
import { describeError, ErrorCodes } from '../errors/index.ts';
import type { WeightMap } from './weight-names.ts';

export interface BootstrapOptions {
  /** Bootstrap data (values of one series) instead of the bundled sample (tests). */
  bootstrapValues?: ArrayLike<number>;
  /** Bootstrap wall-clock budget in ms (default: config.model.bootstrapBudgetMs). */
  bootstrapBudgetMs?: number;
}

interface Trained {
  weights: WeightMap;
  meta: Record<string, unknown>;
}

// Bootstrap models trained in this process, by what determines them: a process that builds the
// app several times (tests) trains once.
const bootstrapMemo = new Map<string, Promise<Trained>>();

/** Temp entries younger than this may be another replica's write in progress (a shared model.dir); left for a later start. */
const TEMP_MIN_AGE_MS = 10 * 60_000;

export async function loadInitialVersion(registry: VersionRegistry, config: Config, hybrid: ResolvedHybridConfig, spec: ModelSpec, opts: BootstrapOptions, logger: Logger): Promise<ModelVersion & { pinned?: true }> {
  const store = registry.store;
  if (store) {
    await store.cleanTemp(TEMP_MIN_AGE_MS);
    const unfinished = new Map<string, string>();
    // One listing for every decision below: a version saved meanwhile (another replica's promotion) is not served unexamined.
    const onDisk = await store.list();
    const pinned = await loadPinned(store, logger);
    if (pinned) {
      await pinnedUnfinished(store.dir, onDisk, unfinished, pinned.version, logger);
      registry.noteUnfinished(unfinished);
      registry.hold(pinned, pinned.version);
      return { ...pinned, pinned: true };
    }
    const recorded = await loadRecordedCurrent(store, onDisk, unfinished, logger);
    registry.noteUnfinished(unfinished);
    const found = (typeof recorded === 'symbol' ? null : recorded) ?? (await store.loadNewestGood(new Set(unfinished.keys()), onDisk));
    if (found && recorded === COPIED_IN) await recordServed(store.dir, found.version, 'start: copied in after the recorded version', logger);
    if (found && recorded === NO_RECORD) await recordServed(store.dir, found.version, 'start: no record', logger, true);
    if (found) {
      logger.info({ version: found.version, dir: found.dir, meta: found.meta }, `loaded checkpoint ${found.version}`);
      const v = { version: found.version, config: found.config, spec: found.spec, weights: found.weights, meta: found.meta, weightsSha256: found.weightsSha256 };
      registry.hold(v, v.version);
      return v;
    }
  }
  const b = await bootstrapWeights(config, hybrid, spec, opts, logger);
  const v = await registry.add({ config: hybrid, spec, weights: b.weights, meta: b.meta });
  if (store) {
    logger.info({ version: v.version, dir: store.dir }, `bootstrap model saved as checkpoint ${v.version}`);
    // Replicas starting together on an empty directory each save one: they follow the last recorded.
    await writeCurrent(store.dir, v.version, 'bootstrap');
  }
  return v;
}

/** The version an operator pinned (pin-file.ts), when it still loads; otherwise why not is logged and the pin dropped. */
async function loadPinned(store: CheckpointStore, logger: Logger): Promise<ModelVersion | null> {
  let version: string | null;
  try {
    version = await readPin(store.dir);
  } catch (err) {
    logger.warn({ code: (err as { code?: unknown }).code, err: describeError(err) }, 'the pin file in model.dir is unreadable; serving the newest good checkpoint, unpinned');
    return null;
  }
  if (version === null) return null;
  try {
    const c = await store.load(version);
    logger.info({ version }, `model ${version} pinned by an earlier rollback: serving it (fine-tuning will not replace it until unpinned)`);
    return { version: c.version, config: c.config, spec: c.spec, weights: c.weights, meta: c.meta, weightsSha256: c.weightsSha256 };
  } catch (err) {
    if ((err as { code?: string }).code === ErrorCodes.MODEL_ARTIFACT_MISMATCH) {
      // Written in a format this release does not read (by a newer release sharing model.dir during
      // a rollout, or before a rollback of the release): not damaged, so the pin stays for the
      // releases that read it — deleting it here would unpin them too.
      logger.warn({ version, err: describeError(err) }, `pinned model ${version} is in a format this release does not read; serving the newest good checkpoint, unpinned, and keeping the pin (pinned.json) for the release that wrote it`);
      return null;
    }
    logger.warn({ version, err: describeError(err) }, `pinned model ${version} cannot be loaded; serving the newest good checkpoint, unpinned`);
    await writePin(store.dir, null).catch(() => undefined);
    return null;
  }
}

/** loadRecordedCurrent: versions were copied in after the recorded one; the newest good is served and recorded. */
const COPIED_IN = Symbol('copied in');
/** loadRecordedCurrent: there is no current.json; the newest good is served and recorded. */
const NO_RECORD = Symbol('no record');

/**
 * A model copied in (`tickcast train --out <model.dir>/v2`) and served at start is recorded as
 * current, so that the model.dir follow loop (shared-dir/coordinator.ts, every
 * model.followIntervalMs) — of this replica and the others — serves it too. Until 6 Dec 2026 it
 * was not: the start served the new version and the follow went back to the old record ~5 s later
 * (the shipped pretrained model, for a directory the service had bootstrapped). A directory that
 * refuses the write is logged; the follow then goes back, as before. `ifAbsent` (no record at
 * start): a record that appeared since the start read none — another replica's promotion or
 * rollback, which the follow then serves — is kept (until later on 7 Dec 2026 it was written over).
 */
async function recordServed(dir: string, version: string, by: string, logger: Logger, ifAbsent = false): Promise<void> {
  await (ifAbsent ? writeCurrentIfAbsent(dir, version, by) : writeCurrent(dir, version, by)).catch((err: unknown) =>
    logger.warn({ code: ErrorCodes.MODEL_DIR_UNWRITABLE, version, err: describeError(err) }, `${version} (${by}) could not be recorded as current in model.dir: the follow of model.dir will serve the recorded version instead, if any`),
  );
}

/**
 * The version the directory records as serving (shared-dir/current-pointer.ts), which is not the
 * newest after an automatic or manual rollback; null (newest good checkpoint) when the record is
 * unreadable or its version does not load; COPIED_IN when newer versions were copied in after it
 * was recorded; NO_RECORD when there is no current.json (the newest good serves and is recorded,
 * since 7 Dec 2026: a promotion that stops before its first record then leaves one to tell it by).
 * Fine-tuned versions written after the record (`unfinished`, filled in: version → parent) are
 * promotions that stopped between their save and their record (a crash, a kill, another replica's
 * promotion in progress): not copied in, and never served by a start (until 7 Dec 2026 they were).
 */
async function loadRecordedCurrent(store: CheckpointStore, onDisk: string[], unfinished: Map<string, string>, logger: Logger): Promise<LoadedCheckpoint | typeof COPIED_IN | typeof NO_RECORD | null> {
  let version: string | null = null;
  try {
    version = await readCurrent(store.dir);
  } catch (err) {
    logger.warn({ code: (err as { code?: unknown }).code, err: describeError(err) }, 'the current version recorded in model.dir is unreadable; serving the newest good checkpoint that is not an unfinished promotion');
    await unreadableRecord(store.dir, onDisk, unfinished, logger, 'the newest good version older than them serves');
    return null;
  }
  if (version === null) return NO_RECORD;
  try {
    const newer = await recordedUnfinished(store.dir, version, onDisk, unfinished);
    if (unfinished.size > 0) warnUnfinished(logger, unfinished, version, `${version} serves as recorded`);
    const copied = newer.filter((v) => !unfinished.has(v));
    if (copied.length > 0) {
      logger.info({ recorded: version, copied }, `versions written after ${version} was recorded as current (${copied.join(', ')}): serving the newest good checkpoint, recorded as current`);
      return COPIED_IN;
    }
    return await store.load(version);
  } catch (err) {
    logger.warn({ code: (err as { code?: unknown }).code, version, err: describeError(err) }, `the current version recorded in model.dir (${version}) cannot be loaded; serving the newest good checkpoint`);
    return null;
  }
}

function bootstrapWeights(config: Config, hybrid: ResolvedHybridConfig, spec: ModelSpec, opts: BootstrapOptions, logger: Logger): Promise<Trained> {
  const file = config.embedded.dataFile || BOOTSTRAP_SAMPLE;
  if (opts.bootstrapValues) return trainOrSeed(config, hybrid, spec, opts, file, logger);
  const key = JSON.stringify([file, hybrid, spec, config.model.bootstrapEpochs, opts.bootstrapBudgetMs, config.model.pretrained]);
  let p = bootstrapMemo.get(key);
  if (!p) {
    p = trainOrSeed(config, hybrid, spec, opts, file, logger);
    bootstrapMemo.set(key, p);
    p.catch(() => bootstrapMemo.delete(key));
  }
  return p;
}

/** Seeded initial weights: the linear skip starts as "repeat the last value" (docs/model.md). */
function seeded(hybrid: ResolvedHybridConfig, spec: ModelSpec): Trained {
  const m = HybridModel.create(hybrid, spec, 42);
  const weights = m.getWeights();
  m.dispose();
  return { weights, meta: { source: 'seeded', epochs: 0 } };
}

async function trainOrSeed(config: Config, hybrid: ResolvedHybridConfig, spec: ModelSpec, opts: BootstrapOptions, file: string, logger: Logger): Promise<Trained> {
  if (config.model.bootstrapEpochs === 0) {
    logger.warn('model.bootstrapEpochs is 0: serving an untrained model with seeded weights (about as good as repeating the last value)');
    return seeded(hybrid, spec);
  }
  if (config.model.pretrained && !opts.bootstrapValues) {
    const pre = await loadPretrained(hybrid, spec);
    if (pre.ok) {
      logger.info({ pretrained: pre.version }, `no checkpoint: serving the shipped pretrained model ${pre.version} (no training at start)`);
      return { weights: pre.weights, meta: pre.meta };
    }
    logger.info({ reason: pre.reason }, 'shipped pretrained model not used; training a bootstrap model');
  }
  const columns = opts.bootstrapValues ? [opts.bootstrapValues] : readFeatureColumns(file, spec.features);
  if (!Array.isArray(columns)) {
    // The bundled sample is one series; another file may lack a feature's column: said once, here.
    logger.warn(
      { file, features: spec.features, missing: columns.missing, columns: columns.header },
      `no checkpoint in model.dir and nothing to train a bootstrap model on: ${describeMissing(file, spec.features, columns)}. Serving seeded weights (about as good as repeating the last value) — set embedded.dataFile (TICKCAST_EMBEDDED_DATA_FILE) to a CSV with the time first and a column per feature, or train one with \`tickcast train\` into model.dir; online fine-tuning (finetune.enabled) learns from the stream`,
    );
    return seeded(hybrid, spec);
  }
  const data = opts.bootstrapValues ? '(given)' : file;
  logger.info({ file: data, features: spec.features, rows: columns[0].length, epochs: config.model.bootstrapEpochs }, 'no checkpoint: training a bootstrap model');
  const r = await trainBootstrapColumns(columns, hybrid, spec, {
    epochs: config.model.bootstrapEpochs,
    budgetMs: opts.bootstrapBudgetMs ?? config.model.bootstrapBudgetMs,
    onEpoch: (epoch, loss) => logger.info({ epoch, loss: Number(loss.toFixed(5)) }, 'bootstrap epoch done'),
  });
  const weights = r.model.getWeights();
  r.model.dispose();
  const meta = { source: 'bootstrap', data, epochs: r.epochs, steps: r.steps, trainLoss: r.trainLoss, valMae: r.valMae, naiveMae: r.naiveMae, ratioToNaive: r.ratioToNaive, seconds: r.seconds };
  const level = r.ratioToNaive < 1 ? 'info' : 'warn';
  logger[level](
    { ...meta, ratioToNaive: Number(r.ratioToNaive.toFixed(3)) },
    `bootstrap model trained in ${r.seconds.toFixed(1)} s: hold-out MAE ${r.valMae.toFixed(4)} vs naive last-value ${r.naiveMae.toFixed(4)} (ratio ${r.ratioToNaive.toFixed(3)})`,
  );
  return { weights, meta };
}
