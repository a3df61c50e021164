/**
 * Open a model directory of either kind (see ./model-dir.ts). The hybrid loader is imported
 * lazily so that a linear-baseline backtest never loads tfjs.
 */
import { readdir, stat } from 'node:fs/promises';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { isLinearModelDir, loadLinearModel, type LoadedModel } from './model-dir.ts';

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
