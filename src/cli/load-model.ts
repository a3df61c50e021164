/**
 * Open a model directory of either kind (see ./model-dir.ts), read-only. The hybrid loader is
 * imported lazily so that a linear-baseline backtest never loads tfjs.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { isLinearModelDir, loadLinearModel, type LoadedModel } from './model-dir.ts';
import { holdsModel } from './outputs.ts';

export async function loadModelDir(dir: string): Promise<LoadedModel> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) {
    throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `no model directory at ${JSON.stringify(dir)}; train one with "tickcast train --data file.csv --out ${dir}"`);
  }
  if (await isLinearModelDir(dir)) return loadLinearModel(dir);
  const { isHybridModelDir, loadHybridModel } = await import('./hybrid.ts');
  if (await isHybridModelDir(dir)) return loadHybridModel(dir);
  const entries = await readdir(dir);
  throw new TickcastError(
    ErrorCodes.MODEL_ARTIFACT_CORRUPT,
    `model directory ${JSON.stringify(dir)} holds no model (model.json or linear-baseline.json)${entries.length > 0 ? `; it has: ${entries.slice(0, 8).join(', ')}` : ''}; train one with "tickcast train --out ${dir}"`,
  );
}

const VERSION_RE = /^v(\d+)$/;

/**
 * A model directory as `train --out` writes it, or a service checkpoint store (`model.dir`: v1,
 * v2, …), read-only: the store's newest version that loads, as the service picks it at start. Never
 * writes (no bootstrap, no clean-up). Missing: TC_MODEL_NOT_LOADED (66); no usable model: the
 * loader's TC_MODEL_ARTIFACT_* (78).
 */
export async function loadModelOrStore(dir: string): Promise<LoadedModel> {
  const isDir = await stat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir || (await holdsModel(dir))) return loadModelDir(dir);
  const versions = (await readdir(dir))
    .filter((n) => VERSION_RE.test(n))
    .sort((a, b) => Number(VERSION_RE.exec(b)![1]) - Number(VERSION_RE.exec(a)![1]));
  let firstError: unknown;
  for (const v of versions) {
    if (!(await holdsModel(join(dir, v)))) continue;
    try {
      return await loadModelDir(join(dir, v));
    } catch (err) {
      firstError ??= err;
    }
  }
  if (firstError !== undefined) throw firstError;
  return loadModelDir(dir);
}
