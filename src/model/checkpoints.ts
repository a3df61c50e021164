/**
 * Versioned model checkpoints in `model.dir`: one subdirectory per version (`v1`, `v2`, …), each
 * a complete model artifact in the format of ./artifact.ts (model.json: format, config, spec,
 * weight manifest, sha256 and training metadata; weights.bin: the float32 weights).
 *
 * Atomicity: a version is written into a hidden temp directory in the same parent, every file
 * fsync'ed, then renamed into place (rename of a directory is atomic on POSIX filesystems) and the
 * parent fsync'ed. A crash mid-write leaves only a `.tmp-*` directory, which is ignored and
 * removed at the next start; the previous versions stay untouched and loadable.
 *
 * Loading verifies everything ./artifact.ts checks (format, byte length, sha256, names/shapes
 * against the architecture, finite values) and refuses a damaged version with
 * TC_MODEL_ARTIFACT_CORRUPT / _MISMATCH; the store then tries the next older version.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ModelSpec } from '../domain/types.ts';
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import { MANIFEST_FILE, WEIGHTS_FILE, readManifest } from './artifact.ts';
import { syncDir } from '../durable/durable-fs.ts';
import { linearBaselineRefusal, readArtifact, writeArtifact, type LoadedCheckpoint, type ModelArtifact } from './checkpoint-files.ts';

export { LINEAR_BASELINE_FILE, readArtifact, writeArtifact, type LoadedCheckpoint, type ModelArtifact } from './checkpoint-files.ts';

const VERSION_RE = /^v(\d+)$/;

/** Temp entries in model.dir: ours (.tmp-vN-…), train's (.vN.tmp-…), ./artifact.ts's (vN.tmp-…, vN.old-…), the lease's and the pointers'. */
const TOP_TEMP = /^(\.tmp-|\.v\d+\.tmp-|v\d+\.(tmp|old)-|finetune\.lease\.(tmp|new|stale|lock|stalelock)-|(current|pinned)\.json\.tmp-)/;
/** Temp files in a version directory: ../durable/durable-fs.ts replaceFileSynced's, for the graph and the manifest (./stored-graph.ts). */
const VERSION_TEMP = /^(model\.onnx|model\.json)\.tmp-/;

/** Paths of the entries of `dir` whose names match `re` (none when it cannot be read). */
async function tempEntries(dir: string, re: RegExp): Promise<string[]> {
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => re.test(n)).map((n) => path.join(dir, n));
}

export interface CheckpointStoreOptions {
  dir: string;
  /** Versions kept after each save (older ones deleted). */
  keep: number;
  log?: (level: 'info' | 'warn', msg: string, fields?: Record<string, unknown>) => void;
}

export class CheckpointStore {
  readonly dir: string;
  readonly #keep: number;
  readonly #log: NonNullable<CheckpointStoreOptions['log']>;
  /** listVerified's last verdict per version, with the file identity it was reached on. */
  readonly #verified = new Map<string, { id: string; reason: string | null; spec?: ModelSpec }>();

  constructor(opts: CheckpointStoreOptions) {
    this.dir = opts.dir;
    this.#keep = Math.max(1, opts.keep);
    this.#log = opts.log ?? (() => {});
  }

  /** Version labels on disk, newest first (by number). */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    return names
      .filter((n) => VERSION_RE.test(n))
      .sort((a, b) => Number(VERSION_RE.exec(b)![1]) - Number(VERSION_RE.exec(a)![1]));
  }

  /**
   * Versions on disk split by whether they load and verify (manifest, sizes, sha256), newest
   * first. A version is read and hashed again only when its files changed (size, mtime, inode)
   * since it was last verified, so listing after every promotion does not re-hash them all.
   */
  async listVerified(): Promise<{ good: string[]; damaged: { version: string; reason: string }[] }> {
    const good: string[] = [];
    const damaged: { version: string; reason: string }[] = [];
    const seen = new Set<string>();
    for (const v of await this.list()) {
      seen.add(v);
      const id = await this.#identity(v);
      let verdict = this.#verified.get(v);
      if (verdict === undefined || verdict.id !== id) {
        try {
          verdict = { id, reason: null, spec: (await this.load(v)).spec };
        } catch (err) {
          verdict = { id, reason: (err as Error).message ?? describeError(err) };
        }
        this.#verified.set(v, verdict);
      }
      if (verdict.reason === null) good.push(v);
      else damaged.push({ version: v, reason: verdict.reason });
    }
    for (const v of this.#verified.keys()) if (!seen.has(v)) this.#verified.delete(v);
    return { good, damaged };
  }

  /** The spec of a version the last listVerified found good (undefined for others). */
  verifiedSpec(version: string): ModelSpec | undefined {
    return this.#verified.get(version)?.spec;
  }

  /** Size, mtime and inode of a version's two files ('' parts for missing ones). */
  async #identity(version: string): Promise<string> {
    const parts = await Promise.all(
      [MANIFEST_FILE, WEIGHTS_FILE].map((f) =>
        fsp.stat(path.join(this.dir, version, f)).then(
          (s) => `${s.ino}:${s.size}:${s.mtimeMs}`,
          () => '',
        ),
      ),
    );
    return parts.join('|');
  }

  /**
   * Remove temp entries left by an interrupted write: a save's directory, `tickcast train --out
   * <dir>/vN`'s (../cli/outputs.ts) and ./artifact.ts's, the lease's and the pointers' temp files
   * (./shared-dir/), and those inside a version directory (its graph and manifest rewritten by
   * ./stored-graph.ts). Only those older than `minAgeMs`: in a directory shared by replicas a
   * younger one may be another replica's write in progress.
   */
  async cleanTemp(minAgeMs = 0): Promise<number> {
    const temp = [...(await tempEntries(this.dir, TOP_TEMP))];
    for (const v of await this.list()) temp.push(...(await tempEntries(path.join(this.dir, v), VERSION_TEMP)));
    const before = Date.now() - minAgeMs;
    const stale: string[] = [];
    for (const p of temp) {
      const st = await fsp.stat(p).catch(() => null);
      if (st && (minAgeMs === 0 || st.mtimeMs < before)) stale.push(p);
    }
    for (const p of stale) await fsp.rm(p, { recursive: true, force: true });
    if (stale.length > 0) this.#log('warn', `removed ${stale.length} incomplete checkpoint write(s) left by an earlier crash`, { dirs: stale.map((p) => path.relative(this.dir, p)) });
    return stale.length;
  }

  /**
   * Load one version (verified). The verdict is remembered for listVerified when its files did not
   * change meanwhile: the listing after a rollback or a followed version does not read and hash
   * the version just loaded a second time (on the serving thread, right after the swap).
   */
  async load(version: string): Promise<LoadedCheckpoint> {
    if (!VERSION_RE.test(version)) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `"${version}" is not a checkpoint version (expected v1, v2, …)`, { statusCode: 400 });
    const dir = path.join(this.dir, version);
    try {
      const id = await this.#identity(version);
      const c = { ...(await readArtifact(dir)), version, dir };
      if ((await this.#identity(version)) === id) this.#verified.set(version, { id, reason: null, spec: c.spec });
      return c;
    } catch (err) {
      throw (await linearBaselineRefusal(dir)) ?? err;
    }
  }

  /** The sha256 a version's manifest records for its weights (undefined: no such version, or its manifest is unreadable); not verified. */
  async recordedSha256(version: string): Promise<string | undefined> {
    return readManifest(path.join(this.dir, version)).then((m) => m.weights.sha256, () => undefined);
  }

  /** A version's training metadata as its manifest records it (undefined: no such version, or its manifest is unreadable); not verified. */
  async recordedTraining(version: string): Promise<Record<string, unknown> | undefined> {
    return readManifest(path.join(this.dir, version)).then((m) => ({ ...m.training }), () => undefined);
  }

  /** The newest version that loads and verifies, less those in `skip`, of `listing` (default: listed now); damaged ones are logged and skipped. */
  async loadNewestGood(skip: ReadonlySet<string> = new Set(), listing?: readonly string[]): Promise<LoadedCheckpoint | null> {
    for (const v of listing ?? (await this.list())) {
      if (skip.has(v)) continue;
      try {
        return await this.load(v);
      } catch (err) {
        const code = (err as TickcastError).code ?? 'error';
        this.#log('warn', `checkpoint ${v} refused (${code}): ${(err as Error).message ?? describeError(err)}; trying the previous one`, { version: v, code });
      }
    }
    return null;
  }

  /**
   * Save as the next version atomically and prune to the newest `keep` (never deleting a version
   * in `protect`). `hooks.afterWeights` runs between the two file writes (crash tests); `fence`
   * right before the rename (a promotion under the fine-tune lease: throws when it was taken over).
   */
  async save(a: ModelArtifact, opts: { protect?: Iterable<string>; hooks?: { afterWeights?: () => Promise<void> }; fence?: () => Promise<void> } = {}): Promise<string> {
    await fsp.mkdir(this.dir, { recursive: true });
    // Another process sharing the directory (replicas starting on an empty volume, each saving its
    // bootstrap model) may take the number between the listing and the rename: a rename onto an
    // existing version fails (ENOTEMPTY/EEXIST, never replaces it), and the next number is tried.
    for (let attempt = 1; ; attempt++) {
      const versions = await this.list();
      const version = `v${versions.length === 0 ? 1 : Number(VERSION_RE.exec(versions[0])![1]) + 1}`;
      const tmp = path.join(this.dir, `.tmp-${version}-${process.pid}-${randomBytes(4).toString('hex')}`);
      await fsp.mkdir(tmp);
      try {
        await writeArtifact(tmp, { ...a, version }, opts.hooks);
        await syncDir(tmp);
        await opts.fence?.();
        await fsp.rename(tmp, path.join(this.dir, version));
        await syncDir(this.dir);
      } catch (err) {
        await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
        const code = (err as NodeJS.ErrnoException).code;
        if ((code === 'ENOTEMPTY' || code === 'EEXIST') && attempt < 5) continue;
        throw err;
      }
      // The version is in place: an old one that cannot be deleted (permissions) must not fail its save.
      await this.prune(new Set([version, ...(opts.protect ?? [])])).catch((err: unknown) => this.#log('warn', `saved ${version}, but older versions could not be pruned: ${describeError(err)}`, { version }));
      return version;
    }
  }

  /** Delete one version (a promotion fenced after its save: never served, and must not be served by a restart). */
  async remove(version: string): Promise<void> {
    if (!VERSION_RE.test(version)) throw new Error(`not a version label: ${version}`);
    await fsp.rm(path.join(this.dir, version), { recursive: true, force: true });
    await syncDir(this.dir);
  }

  /** Delete all but the newest `keep` versions (and those protected). */
  async prune(protect: Set<string> = new Set()): Promise<string[]> {
    const versions = await this.list();
    const removed: string[] = [];
    for (const v of versions.slice(this.#keep)) {
      if (protect.has(v)) continue;
      await fsp.rm(path.join(this.dir, v), { recursive: true, force: true });
      removed.push(v);
    }
    return removed;
  }
}
