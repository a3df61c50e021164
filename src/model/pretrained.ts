/**
 * The pretrained default model shipped in the package (`models/pretrained/`, written by
 * `npm run pretrain`, scripts/pretrain.ts): served at start when no checkpoint exists and the
 * configured spec and architecture are the ones it was trained for, so the first forecast needs
 * no training. Online fine-tuning then starts from it.
 *
 * `models/pretrained/index.json` names the version and the sha256 of both artifact files; the
 * artifact's own manifest checks weights.bin again. A missing, damaged or non-matching shipped
 * model is never served: the caller gets the reason and falls back to bootstrap training.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '../domain/types.ts';
import { describeError } from '../errors/index.ts';
import { MANIFEST_FILE, WEIGHTS_FILE, loadArtifactWeights } from './artifact.ts';
import type { ResolvedHybridConfig } from './config.ts';
import type { WeightMap } from './weight-names.ts';

export const PRETRAINED_DIR = fileURLToPath(new URL('../../models/pretrained/', import.meta.url));
export const PRETRAINED_INDEX = 'index.json';

export interface PretrainedIndex {
  format: 'tickcast-pretrained';
  /** e.g. "pretrained-1". */
  version: string;
  /** Artifact directory, relative to the index. */
  artifact: string;
  sha256: Record<typeof MANIFEST_FILE | typeof WEIGHTS_FILE, string>;
  /** What produced it (command, seed, data mix, steps, validation). */
  training: Record<string, unknown>;
}

export type PretrainedResult =
  | { ok: true; version: string; weights: WeightMap; meta: Record<string, unknown> }
  | { ok: false; reason: string };

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Read and verify the shipped model for this spec/config; `{ok: false, reason}` when it cannot serve. */
export async function loadPretrained(config: ResolvedHybridConfig, spec: ModelSpec, dir = PRETRAINED_DIR): Promise<PretrainedResult> {
  let index: PretrainedIndex;
  try {
    index = JSON.parse(await readFile(path.join(dir, PRETRAINED_INDEX), 'utf8'));
  } catch (err) {
    return { ok: false, reason: `no shipped pretrained model (${describeError(err)})` };
  }
  if (index?.format !== 'tickcast-pretrained' || typeof index.artifact !== 'string' || !index.sha256) {
    return { ok: false, reason: `${PRETRAINED_INDEX} is not a tickcast pretrained index` };
  }
  const art = path.join(dir, index.artifact);
  for (const file of [MANIFEST_FILE, WEIGHTS_FILE] as const) {
    let bytes: Buffer;
    try {
      bytes = await readFile(path.join(art, file));
    } catch (err) {
      return { ok: false, reason: `pretrained ${file} unreadable (${describeError(err)})` };
    }
    if (sha256(bytes) !== index.sha256[file]) return { ok: false, reason: `pretrained ${file} does not match its sha256 in ${PRETRAINED_INDEX} (damaged or edited)` };
  }
  try {
    const { manifest, weights } = await loadArtifactWeights(art, { expectedSpec: spec, expectedConfig: config });
    return { ok: true, version: index.version, weights, meta: { source: 'pretrained', pretrained: index.version, ...manifest.training } };
  } catch (err) {
    return { ok: false, reason: `the shipped pretrained model does not fit this configuration: ${describeError(err)}` };
  }
}
