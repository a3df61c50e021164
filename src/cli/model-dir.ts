/**
 * Model directories as the CLI sees them: what `train --out` writes and `backtest --model` reads.
 * Two kinds share one contract (a Predictor plus the z-score statistics and data provenance):
 * - the closed-form linear baseline: one JSON file, `linear-baseline.json` (written here);
 * - the hybrid tfjs model: the versioned artifact of src/model (its own manifest and weights),
 *   with the same provenance stored in its training metadata.
 */
import type { Closures } from '../domain/closures.ts';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Predictor } from '../pipeline/ports.ts';
import type { ZScoreStats } from '../data/normalise.ts';
import type { SplitBorders } from '../data/split.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { LINEAR_FORMAT, LinearBaselinePredictor, type LinearBaselineState } from '../eval/linear-baseline.ts';

export const LINEAR_FILE = 'linear-baseline.json';

/** Where the training data came from and how it was cut; lets backtest reproduce the split. */
export interface DataProvenance {
  path: string;
  rows: number;
  timeCol: string | null;
  stepMs: number | null;
  /** "--split" as given: "ett" or "train,val,test". */
  split: string;
  borders: SplitBorders;
  windows: { train: number; val: number; test: number };
  /** Late rows the window store would fill, and those after hours the file is never read in (../domain/closures.ts; absent without a time column). */
  closures?: Closures;
  /** `--fill-missed`: most rows filled in before a late row (absent in older artifacts: none were). */
  fillMissed?: number;
  /** Rows the file lost on its clock that were filled in (../data/fill-rows.ts). */
  filledRows?: number;
}

export interface LoadedModel {
  kind: 'linear' | 'hybrid';
  dir: string;
  predictor: Predictor;
  /** Training-span statistics of every model feature; null when the artifact has none (backtest refits them). */
  normalisation: ZScoreStats | null;
  data: DataProvenance | null;
}

interface LinearFile {
  format: typeof LINEAR_FORMAT;
  formatVersion: 1;
  createdAt: string;
  model: LinearBaselineState;
  normalisation: ZScoreStats;
  data: DataProvenance;
  training: Record<string, unknown>;
}

/** Write the linear baseline atomically (temp file + rename). */
export async function saveLinearModel(
  dir: string,
  model: LinearBaselineState,
  normalisation: ZScoreStats,
  data: DataProvenance,
  training: Record<string, unknown>,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file: LinearFile = { format: LINEAR_FORMAT, formatVersion: 1, createdAt: new Date().toISOString(), model, normalisation, data, training };
  const path = join(dir, LINEAR_FILE);
  await writeFile(`${path}.tmp`, JSON.stringify(file));
  await rename(`${path}.tmp`, path);
  return path;
}

function corrupt(dir: string, why: string, cause?: unknown): TickcastError {
  return new TickcastError(ErrorCodes.MODEL_ARTIFACT_CORRUPT, `model directory ${JSON.stringify(dir)}: ${why}; retrain with "tickcast train --out ${dir}"`, { cause });
}

export async function isLinearModelDir(dir: string): Promise<boolean> {
  return stat(join(dir, LINEAR_FILE)).then(
    (s) => s.isFile(),
    () => false,
  );
}

export async function loadLinearModel(dir: string): Promise<LoadedModel> {
  let parsed: LinearFile;
  try {
    parsed = JSON.parse(await readFile(join(dir, LINEAR_FILE), 'utf8')) as LinearFile;
  } catch (err) {
    throw corrupt(dir, `${LINEAR_FILE} is unreadable or not JSON`, err);
  }
  if (parsed.format !== LINEAR_FORMAT || parsed.formatVersion !== 1) {
    throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `model directory ${JSON.stringify(dir)}: ${LINEAR_FILE} has format ${JSON.stringify(parsed.format)} v${parsed.formatVersion}; this tickcast reads ${LINEAR_FORMAT} v1`);
  }
  const m = parsed.model;
  const spec = m?.spec;
  const ok =
    spec !== undefined &&
    Array.isArray(m.weights) &&
    m.weights.length === (spec.window + 1) * spec.horizon &&
    Array.isArray(m.quantileOffsets) &&
    m.quantileOffsets.length === spec.horizon * spec.quantiles.length &&
    m.weights.every(Number.isFinite) &&
    parsed.normalisation?.columns?.length === spec.features.length;
  if (!ok) throw corrupt(dir, `${LINEAR_FILE} has missing or inconsistent weights/statistics`);
  return { kind: 'linear', dir, predictor: new LinearBaselinePredictor(m, `linear-${parsed.createdAt}`), normalisation: parsed.normalisation, data: parsed.data ?? null };
}
