/**
 * The versioned model artifact: a directory with
 *   model.json   format + version, spec, resolved config, normalisation stats, training metadata,
 *                and the weight manifest (name, shape, byte offset) with the sha256 of weights.bin
 *   weights.bin  every weight as little-endian float32, concatenated in manifest order
 *                (the order of ./weight-names.ts)
 * Saving writes a temporary sibling directory and renames it into place, so a reader never sees
 * a half-written artifact. Loading checks everything before building a model and refuses with
 * TC_MODEL_ARTIFACT_CORRUPT (damaged/incomplete) or TC_MODEL_ARTIFACT_MISMATCH (valid, but not
 * what the caller expects). docs/model.md has the format reference.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ModelSpec } from '../domain/types.ts';
import { copySpec, specDiffs } from '../domain/model-spec.ts';
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import { resolveHybridConfig, upgradeStoredConfig, type ResolvedHybridConfig } from './config.ts';
import { writeFileSynced } from '../durable/durable-fs.ts';
import { HybridModel } from './hybrid-model.ts';
import { sizeOf, weightSpecs, type WeightMap } from './weight-names.ts';

export const ARTIFACT_FORMAT = 'tickcast-model';
export const ARTIFACT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Per-feature statistics the data was z-normalised with before training (feature order = spec.features). */
export interface NormalisationStats {
  method: 'zscore';
  mean: number[];
  std: number[];
}

/** What training produced this model. Free-form beyond the listed fields. */
export interface TrainingMetadata {
  /** Hash of the training data (e.g. sha256 of the CSV bytes or of the train split). */
  dataFingerprint?: string;
  epochs?: number;
  trainLosses?: number[];
  valLosses?: number[];
  bestEpoch?: number;
  [key: string]: unknown;
}

export interface WeightEntry {
  name: string;
  shape: number[];
  /** Byte offset into weights.bin. */
  offset: number;
}

export interface ArtifactManifest {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  /** Model version label, e.g. "v3-2026-11-21T02:40:00Z". */
  version: string;
  createdAt: string;
  spec: ModelSpec;
  config: ResolvedHybridConfig;
  normalisation: NormalisationStats | null;
  training: TrainingMetadata;
  weights: { file: typeof WEIGHTS_FILE; dtype: 'float32'; byteLength: number; sha256: string; entries: WeightEntry[] };
}

export interface SaveOptions {
  version: string;
  normalisation?: NormalisationStats | null;
  training?: TrainingMetadata;
  /** Defaults to now. */
  createdAt?: Date;
}

export interface LoadOptions {
  /** Refuse (TC_MODEL_ARTIFACT_MISMATCH) unless the artifact's spec equals this one. */
  expectedSpec?: ModelSpec;
  /** Refuse unless the artifact's resolved config equals this one. */
  expectedConfig?: ResolvedHybridConfig;
}

const corrupt = (dir: string, what: string, cause?: unknown) =>
  new TickcastError(ErrorCodes.MODEL_ARTIFACT_CORRUPT, `model artifact ${dir} is corrupt: ${what}; re-export it or train again`, { cause });
const mismatch = (dir: string, what: string, details?: Record<string, unknown>) =>
  new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `model artifact ${dir} does not fit: ${what}`, { details });

function sha256(buf: Uint8Array): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Concatenate named weights in manifest order into one little-endian float32 buffer. */
export function packWeights(config: ResolvedHybridConfig, spec: ModelSpec, weights: WeightMap): { bytes: Uint8Array; entries: WeightEntry[] } {
  const specs = weightSpecs(config, spec);
  const total = specs.reduce((n, s) => n + sizeOf(s.shape), 0);
  const out = new Float32Array(total);
  const entries: WeightEntry[] = [];
  let off = 0;
  for (const s of specs) {
    const w = weights[s.name];
    if (!w || w.data.length !== sizeOf(s.shape)) throw mismatch('(unsaved)', `weight "${s.name}" missing or of the wrong size`);
    out.set(w.data, off);
    entries.push({ name: s.name, shape: [...s.shape], offset: off * 4 });
    off += w.data.length;
  }
  // Float32Array uses platform byte order; every platform Node supports in practice is little-endian.
  return { bytes: new Uint8Array(out.buffer), entries };
}

/** Save `model` (or bare named weights) as an artifact directory, atomically replacing any existing one. */
export async function saveArtifact(dir: string, model: HybridModel | { config: ResolvedHybridConfig; spec: ModelSpec; weights: WeightMap }, opts: SaveOptions): Promise<ArtifactManifest> {
  const config = model.config;
  const spec = model.spec;
  const weights = model instanceof HybridModel ? model.getWeights() : model.weights;
  const { bytes, entries } = packWeights(config, spec, weights);
  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    version: opts.version,
    createdAt: (opts.createdAt ?? new Date()).toISOString(),
    spec: copySpec(spec),
    config,
    normalisation: opts.normalisation ?? null,
    training: opts.training ?? {},
    weights: { file: WEIGHTS_FILE, dtype: 'float32', byteLength: bytes.byteLength, sha256: sha256(bytes), entries },
  };
  const abs = path.resolve(dir);
  await mkdir(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp);
  try {
    await writeFileSynced(path.join(tmp, WEIGHTS_FILE), bytes);
    await writeFileSynced(path.join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
    // rename() cannot replace a non-empty directory: move the old one aside first, then drop it.
    const old = `${abs}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
    let moved = false;
    try {
      await rename(abs, old);
      moved = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await rename(tmp, abs);
    if (moved) await rm(old, { recursive: true, force: true });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return manifest;
}

/** Read and validate model.json only (no weights): shape of every field, format version, config. */
export async function readManifest(dir: string): Promise<ArtifactManifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw corrupt(dir, `${MANIFEST_FILE} is missing`, err);
    throw corrupt(dir, `${MANIFEST_FILE} cannot be read (${describeError(err)})`, err);
  }
  let m: ArtifactManifest;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw corrupt(dir, `${MANIFEST_FILE} is not valid JSON`, err);
  }
  if (m === null || typeof m !== 'object' || m.format !== ARTIFACT_FORMAT) throw corrupt(dir, `${MANIFEST_FILE} is not a tickcast model manifest`);
  if (m.formatVersion !== ARTIFACT_FORMAT_VERSION) {
    throw mismatch(dir, `format version ${m.formatVersion} is not supported (this build reads version ${ARTIFACT_FORMAT_VERSION}); use a matching tickcast release or re-export the model`, { formatVersion: m.formatVersion });
  }
  const w = m.weights;
  if (!m.spec || !m.config || !w || !Array.isArray(w.entries) || typeof w.sha256 !== 'string' || typeof w.byteLength !== 'number' || typeof m.version !== 'string') {
    throw corrupt(dir, `${MANIFEST_FILE} lacks spec, config, version or the weight manifest`);
  }
  // Artifacts written before patch tokens existed have no `patch`: they are the per-step model.
  m.config = upgradeStoredConfig(m.config);
  try {
    const resolved = resolveHybridConfig(m.config);
    if (JSON.stringify(resolved) !== JSON.stringify(m.config)) throw new Error('config is not in resolved form');
  } catch (err) {
    throw corrupt(dir, `its config is invalid (${describeError(err)})`, err);
  }
  // The manifest must list exactly the weights its own config+spec imply, in order, back to back.
  let expectedSpecs;
  try {
    expectedSpecs = weightSpecs(m.config, m.spec);
  } catch (err) {
    throw corrupt(dir, `its spec is invalid (${describeError(err)})`, err);
  }
  let off = 0;
  const problems: string[] = [];
  expectedSpecs.forEach((s, i) => {
    const e = w.entries[i];
    if (!e || e.name !== s.name) problems.push(`expected weight "${s.name}" at position ${i}, found ${e ? `"${e.name}"` : 'nothing'}`);
    else if (JSON.stringify(e.shape) !== JSON.stringify(s.shape)) problems.push(`"${s.name}" has shape [${e.shape}], expected [${s.shape}]`);
    else if (e.offset !== off) problems.push(`"${s.name}" at byte ${e.offset}, expected ${off}`);
    off += sizeOf(s.shape) * 4;
  });
  if (w.entries.length !== expectedSpecs.length) problems.push(`${w.entries.length} weights listed, expected ${expectedSpecs.length}`);
  if (off !== w.byteLength) problems.push(`byteLength ${w.byteLength}, expected ${off}`);
  if (problems.length > 0) throw corrupt(dir, `the weight manifest does not match its config: ${problems.slice(0, 3).join('; ')}`);
  return m;
}

function checkExpected(dir: string, m: ArtifactManifest, opts: LoadOptions): void {
  if (opts.expectedSpec) {
    const diffs = specDiffs(m.spec, opts.expectedSpec);
    if (diffs.length > 0) {
      throw mismatch(dir, `its spec differs from the configured one (${diffs.join('; ')}); train a model for this configuration or change the config`, { diffs });
    }
  }
  if (opts.expectedConfig && JSON.stringify(m.config) !== JSON.stringify(opts.expectedConfig)) {
    throw mismatch(dir, 'its architecture config differs from the expected one', { artifact: m.config, expected: opts.expectedConfig });
  }
}

/** Validate everything and return the manifest plus the named weights (no tfjs needed: the ONNX path uses this). */
export async function loadArtifactWeights(dir: string, opts: LoadOptions = {}): Promise<{ manifest: ArtifactManifest; weights: WeightMap }> {
  const m = await readManifest(dir);
  checkExpected(dir, m, opts);
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, WEIGHTS_FILE));
  } catch (err) {
    throw corrupt(dir, `${WEIGHTS_FILE} is missing or unreadable`, err);
  }
  if (bytes.byteLength !== m.weights.byteLength) throw corrupt(dir, `${WEIGHTS_FILE} has ${bytes.byteLength} bytes, the manifest says ${m.weights.byteLength}`);
  if (sha256(bytes) !== m.weights.sha256) throw corrupt(dir, `${WEIGHTS_FILE} does not match its sha256 (damaged or edited)`);
  // Copy into an aligned buffer (Buffer slices may start at any byte offset).
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const weights: WeightMap = {};
  for (const e of m.weights.entries) {
    const n = sizeOf(e.shape);
    const data = all.slice(e.offset / 4, e.offset / 4 + n);
    if (!data.every(Number.isFinite)) throw corrupt(dir, `weight "${e.name}" holds NaN or Inf`);
    weights[e.name] = { shape: e.shape, data };
  }
  return { manifest: m, weights };
}

/** Load and validate an artifact into a tfjs HybridModel (the caller owns and disposes it). */
export async function loadArtifact(dir: string, opts: LoadOptions = {}): Promise<{ manifest: ArtifactManifest; model: HybridModel }> {
  const { manifest, weights } = await loadArtifactWeights(dir, opts);
  return { manifest, model: HybridModel.fromWeights(manifest.config, manifest.spec, weights) };
}
