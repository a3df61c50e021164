/**
 * A bootstrap training that runs out of memory, said in the settings that cause it. The model's
 * memory grows with the tokens per window N = ⌊(W − P)/S⌋ + 1 (docs/model.md §2): the LSTM keeps
 * N steps of state per layer and direction for the backward pass, and each encoder layer holds
 * batch × heads × N² attention scores. With patch length 1 and a long window N is the window
 * itself, and the wasm backend's 32-bit heap fails with a raw allocation error ("memory access
 * out of bounds", or a native kernel's "… is outside the Float32Array" when an allocation size
 * wrapped). The failure is caught and explained rather than predicted: an estimate of the peak
 * would refuse configurations that fit on another backend or machine.
 */
import { envName } from '../config/env-name.ts';
import type { ModelSpec } from '../domain/types.ts';
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import { DEFAULT_HYBRID_CONFIG, type ResolvedHybridConfig } from './config.ts';
import { modelDims } from './weight-names.ts';

/** Messages of allocation failures: wasm heap traps and aborts, native kernels' range checks, V8's typed arrays, TF's OOM. */
const OOM_MESSAGE = /out of memory|\bOOM\b|enlarge memory|memory access out of bounds|outside the Float32Array|allocation failed|invalid (typed )?array length/i;

/** True when `err` is a failure to allocate memory (as opposed to a bug or bad data). */
export function isOutOfMemory(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if ((err as NodeJS.ErrnoException).code === 'ERR_TICKCAST_NATIVE_RANGE') return true;
  return OOM_MESSAGE.test(err.message);
}

const GIB = 1024 ** 3;

/**
 * TC_MODEL_OUT_OF_MEMORY for a bootstrap training that failed to allocate: names the window,
 * the patch settings and the token count they give, the batch, and what to change.
 */
export function bootstrapOutOfMemory(cause: unknown, config: ResolvedHybridConfig, spec: ModelSpec, at: { batch: number; phase: 'training' | 'scoring the hold-out' }): TickcastError {
  const batchSize = at.batch;
  const d = modelDims(config, spec);
  const heads = config.transformer.layers > 0 ? config.transformer.heads : 0;
  const scoresGiB = (batchSize * heads * d.N * d.N * 4) / GIB;
  const { length, stride } = DEFAULT_HYBRID_CONFIG.patch;
  const def = modelDims({ ...config, patch: { length, stride: stride ?? length } }, spec);
  const env = (...k: string[]) => k.map(envName).join(', ');
  const attention = heads > 0 ? `, each encoder layer alone holds ${batchSize} × ${heads} heads × ${d.N}² attention scores (${scoresGiB.toFixed(1)} GiB)` : '';
  const fewer = def.N < d.N ? ` (0 = the default ${def.P}/${def.S}: ${def.N} token${def.N === 1 ? '' : 's'} at this window)` : '';
  const message =
    `bootstrap training (no checkpoint in model.dir) ran out of memory: windows.length ${d.W} with model.patchLength ${d.P} and model.patchStride ${d.S} ` +
    `gives ${d.N} tokens per window (${env('windows.length', 'model.patchLength', 'model.patchStride')}); ${at.phase} in batches of ${batchSize} windows with ` +
    `model.dModel ${d.D}${attention}. Use fewer tokens: a larger model.patchLength and model.patchStride${fewer}, or a shorter windows.length; ` +
    `or a smaller model.dModel (${env('model.dModel')}); or set model.bootstrapEpochs to 0 (${env('model.bootstrapEpochs')}) to start on seeded weights. (${describeError(cause)})`;
  return new TickcastError(ErrorCodes.MODEL_OUT_OF_MEMORY, message, {
    cause,
    details: { settings: ['windows.length', 'model.patchLength', 'model.patchStride', 'model.dModel'], window: d.W, patchLength: d.P, patchStride: d.S, tokens: d.N, batchSize, phase: at.phase, dModel: d.D },
  });
}
