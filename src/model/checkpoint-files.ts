/**
 * The two files of a checkpoint version (./checkpoints.ts): writing an artifact into a directory
 * (fsync'ed, in the format of ./artifact.ts), reading and verifying one, and the refusal of a
 * directory that holds a linear baseline instead.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ModelSpec } from '../domain/types.ts';
import { copySpec } from '../domain/model-spec.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, MANIFEST_FILE, WEIGHTS_FILE, loadArtifactWeights, packWeights, type ArtifactManifest } from './artifact.ts';
import type { ResolvedHybridConfig } from './config.ts';
import { writeFileSynced } from '../durable/durable-fs.ts';
import type { WeightMap } from './weight-names.ts';

export interface ModelArtifact {
  config: ResolvedHybridConfig;
  spec: ModelSpec;
  weights: WeightMap;
  /** Training metadata (bootstrap stats, fine-tune round, gate errors…); the artifact's `training`. */
  meta: Record<string, unknown>;
}

export interface LoadedCheckpoint extends ModelArtifact {
  /** Version label, e.g. "v3". */
  version: string;
  dir: string;
  /** sha256 of its weights.bin, verified (./stored-graph.ts binds a saved ONNX graph to it). */
  weightsSha256: string;
}

/**
 * Write an artifact's two files into `dir` (which must exist), fsync'ed, in the format of
 * ./artifact.ts (so `tickcast backtest --model <dir>/vN` reads a checkpoint, and a model trained
 * with `tickcast train` can be placed in model.dir as the next version). `hooks.afterWeights`
 * runs between the two writes (crash tests).
 */
export async function writeArtifact(dir: string, a: ModelArtifact & { version: string }, hooks: { afterWeights?: () => Promise<void> } = {}): Promise<void> {
  const { bytes, entries } = packWeights(a.config, a.spec, a.weights);
  const manifest: ArtifactManifest = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    version: a.version,
    createdAt: new Date().toISOString(),
    spec: copySpec(a.spec),
    config: a.config,
    // Serving normalises per series online (window store); there are no fixed training statistics.
    normalisation: null,
    training: a.meta,
    weights: { file: WEIGHTS_FILE, dtype: 'float32', byteLength: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex'), entries },
  };
  await writeFileSynced(path.join(dir, WEIGHTS_FILE), bytes);
  await hooks.afterWeights?.();
  await writeFileSynced(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

/** Read and verify an artifact directory (./artifact.ts rules). Throws TC_MODEL_ARTIFACT_CORRUPT / _MISMATCH. */
export async function readArtifact(dir: string): Promise<ModelArtifact & { weightsSha256: string }> {
  const { manifest, weights } = await loadArtifactWeights(dir);
  return { config: manifest.config, spec: manifest.spec, weights, meta: manifest.training ?? {}, weightsSha256: manifest.weights.sha256 };
}

/** What `tickcast train --arch linear` writes instead of model.json + weights.bin (src/cli/model-dir.ts, LINEAR_FILE). */
export const LINEAR_BASELINE_FILE = 'linear-baseline.json';

/**
 * A version that holds a linear baseline and no model.json: the service cannot serve it (it serves
 * the hybrid model only), which "model.json is missing" would not tell its owner. The error that
 * says so, or null when the directory is something else.
 */
export async function linearBaselineRefusal(dir: string): Promise<TickcastError | null> {
  const has = (f: string) => fsp.stat(path.join(dir, f)).then((s) => s.isFile(), () => false);
  if ((await has(MANIFEST_FILE)) || !(await has(LINEAR_BASELINE_FILE))) return null;
  return new TickcastError(
    ErrorCodes.MODEL_ARTIFACT_CORRUPT,
    `model artifact ${dir} holds a linear baseline (${LINEAR_BASELINE_FILE}, from "tickcast train --arch linear"), which the service cannot serve: it serves hybrid models only. Linear baselines are for "tickcast backtest" and "tickcast detect"; train a model to serve with "tickcast train --arch hybrid --out ${path.join(path.dirname(dir), 'vN')}", N above every version there (the newest is served)`,
  );
}
