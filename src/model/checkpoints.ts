/**
 * Versioned model checkpoints in `model.dir`: one subdirectory per version (`v1`, `v2`, …), each
 * a complete artifact (model.json: format, config, spec, weight manifest, sha256 and training
 * metadata; weights.bin: the float32 weights in manifest order).
 *
 * Atomicity: a version is written into a hidden temp directory in the same parent, every file
 * fsync'ed, then renamed into place (rename of a directory is atomic on POSIX filesystems) and the
 * parent fsync'ed. A crash mid-write leaves only a `.tmp-*` directory, which is ignored and
 * removed at the next start; the previous versions stay untouched and loadable.
 *
 * Loading verifies everything it can (format, byte length, sha256, names/shapes against the
 * architecture) and refuses a damaged version with TC_MODEL_ARTIFACT_CORRUPT / _MISMATCH; the
 * store then tries the next older version.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ModelSpec } from '../domain/types.ts';
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import { resolveHybridConfig, type ResolvedHybridConfig } from './config.ts';
import { sizeOf, weightSpecs, type WeightMap } from './weight-names.ts';

export const CHECKPOINT_FORMAT = 'tickcast-hybrid';
export const CHECKPOINT_FORMAT_VERSION = 1;

export interface ModelArtifact {
  config: ResolvedHybridConfig;
  spec: ModelSpec;
  weights: WeightMap;
  /** Free-form training metadata (bootstrap stats, fine-tune round, gate errors…). */
  meta: Record<string, unknown>;
}

export interface LoadedCheckpoint extends ModelArtifact {
  /** Version label, e.g. "v3". */
  version: string;
  dir: string;
}

interface Manifest {
  format: string;
  formatVersion: number;
  createdAt: string;
  config: ResolvedHybridConfig;
  spec: ModelSpec;
  weights: { name: string; shape: number[] }[];
  bytes: number;
  sha256: string;
  meta: Record<string, unknown>;
}

const VERSION_RE = /^v(\d+)$/;

function corrupt(dir: string, what: string, cause?: unknown): TickcastError {
  return new TickcastError(ErrorCodes.MODEL_ARTIFACT_CORRUPT, `checkpoint ${dir} is unusable: ${what}; it is skipped (delete it or restore it from a backup)`, { cause });
}

async function writeFileSynced(file: string, data: Uint8Array | string): Promise<void> {
  const fh = await fsp.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

/** Write an artifact's two files into `dir` (which must exist), fsync'ed. */
export async function writeArtifact(dir: string, a: ModelArtifact, hooks: { afterWeights?: () => Promise<void> } = {}): Promise<void> {
  const specs = weightSpecs(a.config, a.spec);
  const total = specs.reduce((n, s) => n + sizeOf(s.shape), 0);
  const buf = new Float32Array(total);
  let off = 0;
  for (const s of specs) {
    const w = a.weights[s.name];
    if (!w || w.data.length !== sizeOf(s.shape)) throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `cannot save: weight "${s.name}" is missing or has the wrong size`);
    buf.set(w.data, off);
    off += w.data.length;
  }
  const bytes = new Uint8Array(buf.buffer);
  await writeFileSynced(path.join(dir, 'weights.bin'), bytes);
  await hooks.afterWeights?.();
  const manifest: Manifest = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    config: a.config,
    spec: a.spec,
    weights: specs.map((s) => ({ name: s.name, shape: s.shape })),
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    meta: a.meta,
  };
  await writeFileSynced(path.join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
}

/** Read and verify an artifact directory. Throws TC_MODEL_ARTIFACT_CORRUPT / _MISMATCH. */
export async function readArtifact(dir: string): Promise<ModelArtifact> {
  let m: Manifest;
  try {
    m = JSON.parse(await fsp.readFile(path.join(dir, 'model.json'), 'utf8')) as Manifest;
  } catch (err) {
    throw corrupt(dir, 'model.json is missing or not valid JSON', err);
  }
  if (m?.format !== CHECKPOINT_FORMAT || m.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw corrupt(dir, `unknown format ${JSON.stringify(m?.format)} v${m?.formatVersion} (expected ${CHECKPOINT_FORMAT} v${CHECKPOINT_FORMAT_VERSION})`);
  }
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(path.join(dir, 'weights.bin'));
  } catch (err) {
    throw corrupt(dir, 'weights.bin is missing', err);
  }
  if (bytes.byteLength !== m.bytes) throw corrupt(dir, `weights.bin has ${bytes.byteLength} bytes, the manifest says ${m.bytes} (truncated?)`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== m.sha256) throw corrupt(dir, 'weights.bin checksum does not match the manifest');
  let config: ResolvedHybridConfig;
  try {
    config = resolveHybridConfig(m.config);
  } catch (err) {
    throw corrupt(dir, `invalid model config: ${describeError(err)}`, err);
  }
  const specs = weightSpecs(config, m.spec);
  const expect = specs.map((s) => `${s.name}:${s.shape.join('x')}`).join(',');
  const got = (m.weights ?? []).map((s) => `${s.name}:${s.shape.join('x')}`).join(',');
  if (expect !== got) throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `checkpoint ${dir}: the weight manifest does not match the architecture in its own config; it was written by an incompatible version`);
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const weights: WeightMap = {};
  let off = 0;
  for (const s of specs) {
    const n = sizeOf(s.shape);
    if (off + n > all.length) throw corrupt(dir, 'weights.bin is shorter than the manifest');
    weights[s.name] = { shape: [...s.shape], data: all.subarray(off, off + n) };
    off += n;
  }
  for (let i = 0; i < all.length; i++) {
    if (!Number.isFinite(all[i])) throw corrupt(dir, 'weights contain NaN or Infinity');
  }
  return { config, spec: m.spec, weights, meta: m.meta ?? {} };
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

  /** Remove temp directories left by an interrupted save. */
  async cleanTemp(): Promise<number> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch {
      return 0;
    }
    const stale = names.filter((n) => n.startsWith('.tmp-'));
    for (const n of stale) await fsp.rm(path.join(this.dir, n), { recursive: true, force: true });
    if (stale.length > 0) this.#log('warn', `removed ${stale.length} incomplete checkpoint write(s) left by an earlier crash`, { dirs: stale });
    return stale.length;
  }

  /** Load one version (verified). */
  async load(version: string): Promise<LoadedCheckpoint> {
    if (!VERSION_RE.test(version)) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `"${version}" is not a checkpoint version (expected v1, v2, …)`, { statusCode: 400 });
    const dir = path.join(this.dir, version);
    return { ...(await readArtifact(dir)), version, dir };
  }

  /** The newest version that loads and verifies; damaged ones are logged and skipped. */
  async loadNewestGood(accept?: (c: LoadedCheckpoint) => void): Promise<LoadedCheckpoint | null> {
    for (const v of await this.list()) {
      try {
        const c = await this.load(v);
        accept?.(c);
        return c;
      } catch (err) {
        this.#log('warn', `checkpoint ${v} refused: ${describeError(err)}; trying the previous one`, { version: v, code: (err as TickcastError).code });
      }
    }
    return null;
  }

  /**
   * Save as the next version atomically and prune to the newest `keep` (never deleting a version
   * in `protect`). `hooks.afterWeights` runs between the two file writes (crash tests).
   */
  async save(a: ModelArtifact, opts: { protect?: Iterable<string>; hooks?: { afterWeights?: () => Promise<void> } } = {}): Promise<string> {
    await fsp.mkdir(this.dir, { recursive: true });
    const versions = await this.list();
    const next = versions.length === 0 ? 1 : Number(VERSION_RE.exec(versions[0])![1]) + 1;
    const version = `v${next}`;
    const tmp = path.join(this.dir, `.tmp-${version}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await fsp.mkdir(tmp);
    try {
      await writeArtifact(tmp, a, opts.hooks);
      await syncDir(tmp);
      await fsp.rename(tmp, path.join(this.dir, version));
      await syncDir(this.dir);
    } catch (err) {
      await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
      throw err;
    }
    await this.prune(new Set([version, ...(opts.protect ?? [])]));
    return version;
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
