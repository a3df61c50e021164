/**
 * Which version a rollback may serve (./promoter.ts): a named version with the serving spec, or the
 * newest older one with it. Versions of another spec are refused before any engine is built: the
 * window store, codec and detector were sized for the serving spec at start.
 */
import { specDiffs } from '../domain/model-spec.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { restoredOrigin, type ModelVersion, type VersionRegistry } from './version-registry.ts';

/**
 * Version `label` (404 when its directory was deleted from model.dir by hand), refused (409 TC_MODEL_ARTIFACT_MISMATCH) before any engine is built when its
 * spec is not the serving one's: the window store, codec and detector were sized for that spec
 * at start (a checkpoint trained with another window or features, e.g. by `tickcast train`).
 */
export async function fittingVersion(registry: VersionRegistry, serving: ModelVersion, label: string): Promise<ModelVersion> {
  const v = await registry.findOnDisk(label); // one deleted from model.dir by hand is refused (404)
  const diffs = specDiffs(serving.spec, v.spec);
  const hint = 'roll back to a version with the serving spec (GET /v1/model: one in versions and not in incompatibleVersions); a model trained for another window or features needs a service configured for it';
  if (diffs.length === 0) return v;
  throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `model ${label} cannot serve on this instance: its spec differs from the serving model ${serving.version} (${diffs.join('; ')})`, { statusCode: 409, details: { version: label, differences: diffs, hint } });
}

/**
 * The version `cur` was fine-tuned from (its `training.parent`, or the copy an automatic rollback
 * saved of it: VersionRegistry.parentsOf) — what served before it was promoted. Without one (a
 * bootstrap or copied-in model, a parent pruned or of another spec): the newest version older than
 * `cur` with the serving spec (others are skipped, see fittingVersion); 409 when there is none,
 * saying what serves now. Until 7 Dec 2026 always the latter: from v3 promoted over v1 after an
 * automatic rollback of v2 it served the regressed v2, and from a re-promoted v2 whose parent lives
 * on as a restored copy numbered above it, it answered 409.
 * A version an automatic rollback saved again (`training.restoredFrom`, ./promoter.ts) counts as the one it restores: older than it, not than
 * its own number (that would be the regressed promotion it replaced).
 */
export async function olderFittingVersion(registry: VersionRegistry, serving: ModelVersion, cur: string): Promise<ModelVersion> {
  const skipped: string[] = [];
  for (const label of await registry.parentsOf(cur, serving.version === cur ? serving.meta : undefined)) {
    const v = await registry.find(label);
    if (specDiffs(serving.spec, v.spec).length === 0) return v;
    skipped.push(label);
  }
  const restored = serving.version === cur ? restoredOrigin(cur, serving.meta) : cur;
  for (let from = restored, label = await registry.olderThan(from); label !== undefined; from = label, label = await registry.olderThan(from)) {
    const v = await registry.find(label);
    if (specDiffs(serving.spec, v.spec).length === 0) return v;
    if (!skipped.includes(label)) skipped.push(label);
  }
  const other = skipped.length > 0 ? ` (${skipped.join(', ')} ${skipped.length > 1 ? 'have' : 'has'} another spec)` : '', now = serving.version;
  throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `no version older than ${cur} to roll back to${now === cur ? '' : ` (${cur} served when the rollback was asked for; ${now} serves now)`}${other}; name one with {"version": "vN"}`, { statusCode: 409, details: { asked: cur, serving: now } });
}

/** A filesystem error (ENOSPC, EROFS, EACCES, …) as TC_MODEL_DIR_UNWRITABLE (503, retriable) saying what it stopped; others as they are. */
export function unwritable(err: unknown, what: string): unknown {
  const errno = (err as NodeJS.ErrnoException).code;
  if (typeof errno !== 'string' || !/^E[A-Z]+$/.test(errno)) return err;
  return new TickcastError(ErrorCodes.MODEL_DIR_UNWRITABLE, `${what} (${errno}: ${(err as Error).message})`, { statusCode: 503, retriable: true, details: { errno }, cause: err });
}
