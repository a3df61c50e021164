/**
 * The model versions the service knows: labels (`v1`, `v2`, …), the versions held in memory
 * (weights kept for rollback and for the fine-tuner, bounded by `model.keepVersions`), the
 * versions on disk that load and verify, and the damaged ones (listed with the reason, never
 * offered). With a checkpoint store the labels are its directories (durable); without one they
 * are counted in memory for the life of the process.
 *
 * The one place that parses and orders labels: everything else treats them as opaque strings.
 */
import { specDiffs } from '../domain/model-spec.ts';
import type { ModelSpec } from '../domain/types.ts';
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import type { CheckpointStore, ModelArtifact } from './checkpoints.ts';

/** A version label: "v" followed by a positive integer. */
export type VersionLabel = `v${number}`;

/** The number in a label (NaN when it is not a label). */
export function versionNumber(label: string): number {
  return /^v\d+$/.test(label) ? Number(label.slice(1)) : Number.NaN;
}

export function versionLabel(n: number): VersionLabel {
  return `v${n}`;
}

/**
 * The version whose weights `label` holds: for a copy an automatic rollback saved again
 * (./promoter.ts), the version it restores — `training.restoredOrigin` when that copy restored
 * another copy, else `training.restoredFrom` — else `label`. A name not numbered below `label` (a
 * manifest edited by hand) is ignored: a copy is always saved after what it restores.
 */
export function restoredOrigin(label: string, meta: Record<string, unknown> | undefined): string {
  const from = meta?.restoredOrigin ?? meta?.restoredFrom;
  return typeof from === 'string' && versionNumber(from) < versionNumber(label) ? from : label;
}

/** Newest first. */
export function newestFirst(a: string, b: string): number {
  return versionNumber(b) - versionNumber(a);
}

/** One model version known to the service. */
export interface ModelVersion extends ModelArtifact {
  version: string;
  /** sha256 of its weights.bin when it was loaded from the store (absent for versions made here): an ONNX graph saved with it is trusted only for these weights (./stored-graph.ts). */
  weightsSha256?: string;
}

export interface DamagedVersion {
  version: string;
  reason: string;
}

/** A fine-tuned version a start found saved but never recorded as current (a promotion that did not complete): on disk, not served. */
export interface UnfinishedVersion {
  version: string;
  /** The version it was fine-tuned from. */
  parent: string;
  reason: string;
}

/** A servable version an automatic rollback saved again (./promoter.ts): `restoredFrom` the version it copied, `origin` the one whose weights it holds (that one, or what a copy it copied restored). */
export interface RestoredVersion {
  version: string;
  restoredFrom: string;
  origin: string;
}

/** A servable version whose spec is not the serving one's: it cannot be rolled back to here. */
export interface IncompatibleVersion {
  version: string;
  reason: string;
  differences: string[];
}

export class VersionRegistry {
  readonly #store: CheckpointStore | null;
  readonly #keep: number;
  /** Held in memory, newest first. */
  readonly #held: ModelVersion[] = [];
  #nextMemVersion = 1;
  #listing: string[] = [];
  #damaged: DamagedVersion[] = [];
  /** Unfinished promotions the start found (version → parent), until served or gone from disk. */
  readonly #unfinished = new Map<string, string>();
  /** Each listed version's restored copy record (null: not a copy), read once: a version's manifest is written once. */
  readonly #restored = new Map<string, RestoredVersion | null>();

  constructor(store: CheckpointStore | null, keep: number) {
    this.#store = store;
    this.#keep = keep;
  }

  get store(): CheckpointStore | null {
    return this.#store;
  }

  /** Servable versions from the last listing, newest first. */
  get versions(): string[] {
    return this.#listing;
  }

  /** Versions on disk that failed to load or verify at the last listing. */
  get damaged(): DamagedVersion[] {
    return this.#damaged;
  }

  /**
   * Versions of the last listing whose spec differs from `serving` (window, features, targets,
   * horizon, quantiles, log features), newest first: listed, but a rollback to one is refused (409).
   */
  incompatibleWith(serving: ModelSpec): IncompatibleVersion[] {
    const out: IncompatibleVersion[] = [];
    for (const version of this.#listing) {
      const spec = this.#held.find((v) => v.version === version)?.spec ?? this.#store?.verifiedSpec(version);
      const differences = spec === undefined ? [] : specDiffs(serving, spec);
      if (differences.length > 0) out.push({ version, reason: `trained for another spec than the serving model's (${differences.join('; ')})`, differences });
    }
    return out;
  }

  /** What GET /v1/model says besides `versions`: the incompatible, the damaged and the unfinished ones, each omitted when there are none. */
  notes(serving: ModelSpec): { incompatibleVersions?: IncompatibleVersion[]; damagedVersions?: DamagedVersion[]; unfinishedVersions?: UnfinishedVersion[]; restoredVersions?: RestoredVersion[] } {
    const incompatible = this.incompatibleWith(serving);
    const unfinished = this.unfinished;
    const restored = this.#listing.flatMap((v) => this.#restored.get(v) ?? []);
    return {
      ...(incompatible.length > 0 ? { incompatibleVersions: incompatible } : {}),
      ...(this.#damaged.length > 0 ? { damagedVersions: this.#damaged } : {}),
      ...(unfinished.length > 0 ? { unfinishedVersions: unfinished } : {}),
      ...(restored.length > 0 ? { restoredVersions: restored } : {}),
    };
  }

  /** Record the unfinished promotions a start found (version → parent; ./initial-version.ts). */
  noteUnfinished(found: ReadonlyMap<string, string>): void {
    for (const [v, parent] of found) this.#unfinished.set(v, parent);
  }

  /** The unfinished promotions still on disk at the last listing (or damaged since), never served since the start, newest first. */
  get unfinished(): UnfinishedVersion[] {
    const onDisk = new Set([...this.#listing, ...this.#damaged.map((d) => d.version)]);
    return [...this.#unfinished]
      .filter(([v]) => onDisk.has(v))
      .sort(([a], [b]) => newestFirst(a, b))
      .map(([version, parent]) => ({ version, parent, reason: `fine-tuned from ${parent} and saved, but never recorded as current (its promotion stopped between the save and the record, or another replica is promoting it now): not served unless named in a rollback` }));
  }

  /**
   * How a version fine-tuned from `base` names it in its metadata: `parent`, and `parentSha256`
   * (the sha256 of its weights, when known) — so a start tells its own unfinished promotion from a
   * fine-tuned checkpoint copied from another directory whose parent has the same name.
   */
  async lineage(base: ModelVersion): Promise<{ parent: string; parentSha256?: string }> {
    const sha = base.weightsSha256 ?? (await this.#store?.recordedSha256(base.version));
    return { parent: base.version, ...(sha ? { parentSha256: sha } : {}) };
  }

  /** Give a new artifact its label (saving it when there is a store; `fence` runs right before its rename) and hold it. */
  async add(artifact: ModelArtifact, protect: string[] = [], fence?: () => Promise<void>): Promise<ModelVersion> {
    const version = this.#store ? await this.#store.save(artifact, { protect, ...(fence ? { fence } : {}) }) : versionLabel(this.#nextMemVersion++);
    const v = { version, ...artifact };
    this.#restored.delete(version); // a label saved again after its directory was deleted
    this.hold(v, version);
    return v;
  }

  /** Forget a version that was added but never served (a fenced promotion) and delete it from disk. */
  async discard(version: string): Promise<void> {
    const i = this.#held.findIndex((x) => x.version === version);
    if (i >= 0) this.#held.splice(i, 1);
    await this.#store?.remove(version);
  }

  /** Hold `v` in memory (newest first, bounded); `serving` is never dropped. */
  hold(v: ModelVersion, serving: string): void {
    this.#unfinished.delete(serving); // served (named by hand, or recorded by the replica promoting it and followed): finished
    const i = this.#held.findIndex((x) => x.version === v.version);
    if (i >= 0) this.#held.splice(i, 1);
    this.#held.unshift(v);
    this.#held.sort((a, b) => newestFirst(a.version, b.version));
    while (this.#held.length > this.#keep) {
      const drop = this.#held.findLastIndex((x) => x.version !== serving);
      if (drop < 0) break;
      this.#held.splice(drop, 1);
    }
  }

  /**
   * List again: versions held in memory and those on disk that verify, newest first. With a store
   * every version made here was saved, so one held whose directory is gone was removed by hand:
   * not offered (a rollback without a version skips it; until 7 Dec 2026 it served it from memory
   * and recorded in current.json a version no restart or other replica could load).
   */
  async refresh(): Promise<string[]> {
    const mem = this.#held.map((v) => v.version);
    if (!this.#store) return (this.#listing = mem);
    const disk = await this.#store.listVerified().catch(() => null);
    const onDisk = disk ? new Set([...disk.good, ...disk.damaged.map((d) => d.version)]) : null;
    this.#damaged = (disk?.damaged ?? []).filter((d) => !mem.includes(d.version));
    this.#listing = [...new Set([...(disk?.good ?? []), ...mem.filter((v) => onDisk?.has(v) ?? true)])].sort(newestFirst);
    for (const v of this.#restored.keys()) if (!this.#listing.includes(v)) this.#restored.delete(v); // gone: its label may be saved again
    for (const v of this.#listing.filter((x) => !this.#restored.has(x))) {
      const t: Record<string, unknown> | undefined = await this.#training(v), from = t?.restoredFrom, origin = restoredOrigin(v, t);
      this.#restored.set(v, typeof from === 'string' && origin !== v ? { version: v, restoredFrom: from, origin } : null);
    }
    return this.#listing;
  }

  /**
   * The newest servable version older than `label`, if any (after a fresh listing), less the
   * unfinished promotions: a rollback without a version skips them as a start does (they never
   * passed their promotion's last checks); naming one serves it. Until 7 Dec 2026 it could land on one.
   */
  async olderThan(label: string): Promise<string | undefined> {
    const cur = versionNumber(label);
    const listing = await this.refresh();
    const unfinished = new Set(this.unfinished.map((u) => u.version));
    return listing.find((v) => versionNumber(v) < cur && !unfinished.has(v));
  }

  /**
   * The servable versions holding what `label` was fine-tuned from (`training.parent`; `meta`: its
   * metadata when at hand): the parent, else the copies an automatic rollback saved of it
   * (`training.restoredFrom`, ./promoter.ts) after its directory was deleted, newest first; less
   * the unfinished promotions. Empty when it names no parent or none is listed.
   */
  async parentsOf(label: string, meta?: Record<string, unknown>): Promise<string[]> {
    const parent = (meta ?? (await this.#training(label)))?.parent;
    if (typeof parent !== 'string') return [];
    const listing = await this.refresh();
    const unfinished = new Set(this.unfinished.map((u) => u.version));
    const out: string[] = [];
    for (const v of listing.filter((x) => x !== label && !unfinished.has(x) && versionNumber(x) >= versionNumber(parent))) {
      const t: Record<string, unknown> | undefined = v === parent ? undefined : await this.#training(v);
      if (v === parent || t?.restoredFrom === parent || t?.restoredOrigin === parent) out.push(v);
    }
    return out.sort((a, b) => (a === parent ? -1 : b === parent ? 1 : newestFirst(a, b)));
  }

  /** Where a version sits in its lineage: a copy an automatic rollback saved again at the version it restores (`restoredOrigin`; a number says when a directory was written, not which model came first). */
  async position(label: string): Promise<number> {
    return versionNumber(restoredOrigin(label, await this.#training(label)));
  }

  /** A version's training metadata: held in memory, else its manifest's. */
  async #training(label: string): Promise<Record<string, unknown> | undefined> {
    return this.#held.find((v) => v.version === label)?.meta ?? (await this.#store?.recordedTraining(label));
  }

  /** A version's artifact: from memory, else from disk. 404-coded when unknown, 409 when damaged. */
  async find(version: string): Promise<ModelVersion> {
    const mem = this.#held.find((v) => v.version === version);
    if (mem) return mem;
    const store = this.#store;
    if (!store) throw this.#unknown(version, this.#held.map((v) => v.version));
    try {
      const c = await store.load(version);
      return { version, config: c.config, spec: c.spec, weights: c.weights, meta: c.meta, weightsSha256: c.weightsSha256 };
    } catch (err) {
      if ((err as TickcastError).code === ErrorCodes.MODEL_NOT_LOADED) throw err;
      const onDisk = await store.list().catch(() => [] as string[]);
      if (!onDisk.includes(version)) throw this.#unknown(version, await this.refresh(), err);
      await this.refresh(); // it is damaged now: `versions` must stop offering it (and list it as damaged)
      throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_CORRUPT, `model version ${version} cannot be loaded: ${describeError(err)}`, { statusCode: 409, cause: err });
    }
  }

  /**
   * As `find`, for a version to record as serving (a manual rollback, a followed record): one held
   * in memory whose directory is gone from the store was removed by hand and is refused (404), since
   * current.json would name a version no restart or other replica can load. Until 7 Dec 2026 a
   * rollback naming it served it from memory. The automatic rollback of a regressed promotion uses
   * `find` and still serves it.
   */
  async findOnDisk(version: string): Promise<ModelVersion> {
    const held = this.#held.some((v) => v.version === version);
    if (this.#store && held && !(await this.#store.list()).includes(version)) {
      const known = await this.refresh();
      throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `model version ${version} was removed from model.dir (its directory is gone; this replica still holds it in memory): serving it would record as current a version no restart or other replica can load. Restore its directory, or name another; known: ${known.join(', ') || 'none'}`, { statusCode: 404, details: { version, removed: true } });
    }
    return this.find(version);
  }

  #unknown(version: string, known: string[], cause?: unknown): TickcastError {
    return new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `unknown model version "${version}"; known: ${known.join(', ') || 'none'}`, { statusCode: 404, ...(cause ? { cause } : {}) });
  }
}
