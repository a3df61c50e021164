/**
 * Hybrid model configuration: every default in one place. The model's input/output contract
 * (window, features, targets, horizon, quantiles) is the shared `ModelSpec`; this file holds the
 * architecture knobs only. See docs/model.md for the math each knob controls.
 */
import type { ModelSpec } from '../domain/types.ts';
import { logFeatureProblems } from '../domain/model-spec.ts';
import { ErrorCodes, TickcastError } from '../errors/index.ts';

export interface LstmConfig {
  /** Hidden units per direction; null → round(1.5 · dModel). */
  hiddenSize: number | null;
  numLayers: number;
  /** Dropout rate between LSTM layers (training only). */
  dropout: number;
  bidirectional: boolean;
  /** Attention pooling with a learned query; false → mean pooling (uniform weights). */
  useAttention: boolean;
}

export interface TransformerConfig {
  layers: number;
  heads: number;
  /** Feed-forward width; null → 2 · dModel. */
  ffn: number | null;
}

/**
 * Patch tokens (the PatchTST idea): the window is cut into patches of `length` steps every
 * `stride` steps, aligned to the window's end (the newest step is always in the last patch), and
 * each patch is embedded linearly into one token. The LSTM, the encoder and the pooling run over
 * tokens. `length: 1, stride: 1` is the per-step model (one token per time step).
 */
export interface PatchConfig {
  length: number;
  /** Steps between patch starts; null → `length` (non-overlapping patches). */
  stride: number | null;
}

export interface HybridConfig {
  /** Width of the input projection and of the Transformer (D). */
  dModel: number;
  lstm: LstmConfig;
  transformer: TransformerConfig;
  /** Per-window instance normalisation (RevIN without affine) around the whole network. */
  revin: boolean;
  patch: PatchConfig;
}

/** A config with every derived size filled in; what the model, the artifact and ONNX export use. */
export interface ResolvedHybridConfig {
  dModel: number;
  lstm: LstmConfig & { hiddenSize: number };
  transformer: TransformerConfig & { ffn: number };
  revin: boolean;
  patch: { length: number; stride: number };
}

export type HybridConfigInput = Partial<Omit<HybridConfig, 'lstm' | 'transformer' | 'patch'>> & {
  lstm?: Partial<LstmConfig>;
  transformer?: Partial<TransformerConfig>;
  patch?: Partial<PatchConfig>;
};

/** The per-step model's patching (artifacts written before patch tokens existed load as this). */
export const NO_PATCH: Readonly<{ length: number; stride: number }> = Object.freeze({ length: 1, stride: 1 });

export const DEFAULT_HYBRID_CONFIG: Readonly<HybridConfig> = Object.freeze({
  dModel: 32,
  lstm: Object.freeze({ hiddenSize: null, numLayers: 2, dropout: 0.2, bidirectional: true, useAttention: true }),
  transformer: Object.freeze({ layers: 1, heads: 4, ffn: null }),
  revin: true,
  patch: Object.freeze({ length: 16, stride: 8 }),
});

/** Default model spec used by the seed demo and tests (one feature, one target). */
export const DEFAULT_SPEC: Readonly<ModelSpec> = Object.freeze({
  window: 64,
  features: Object.freeze(['value']),
  targets: Object.freeze(['value']),
  horizon: 8,
  quantiles: Object.freeze([0.1, 0.5, 0.9]),
});

/** LSTM hidden size per direction: an explicit number wins, otherwise round(1.5 · dModel). */
export function resolveHiddenSize(hiddenSize: number | null | undefined, dModel: number): number {
  return hiddenSize == null ? Math.round(1.5 * dModel) : hiddenSize;
}

/** Merge over the defaults, derive sizes, validate everything at once, freeze. */
export function resolveHybridConfig(input: HybridConfigInput = {}): ResolvedHybridConfig {
  const d = input.dModel ?? DEFAULT_HYBRID_CONFIG.dModel;
  const lstm = { ...DEFAULT_HYBRID_CONFIG.lstm, ...input.lstm };
  const tr = { ...DEFAULT_HYBRID_CONFIG.transformer, ...input.transformer };
  const patchLength = input.patch?.length ?? DEFAULT_HYBRID_CONFIG.patch.length;
  // An explicit length without a stride means non-overlapping patches of that length.
  const patchStride = input.patch?.stride ?? (input.patch?.length !== undefined ? null : DEFAULT_HYBRID_CONFIG.patch.stride);
  const resolved: ResolvedHybridConfig = {
    dModel: d,
    lstm: { ...lstm, hiddenSize: resolveHiddenSize(lstm.hiddenSize, d) },
    transformer: { ...tr, ffn: tr.ffn ?? 2 * d },
    revin: input.revin ?? DEFAULT_HYBRID_CONFIG.revin,
    patch: { length: patchLength, stride: patchStride ?? patchLength },
  };
  const problems: string[] = [];
  const posInt = (v: number, name: string, min = 1) => {
    if (!Number.isInteger(v) || v < min) problems.push(`${name} must be an integer >= ${min}; got ${v}`);
  };
  posInt(resolved.dModel, 'dModel');
  posInt(resolved.lstm.hiddenSize, 'lstm.hiddenSize');
  posInt(resolved.lstm.numLayers, 'lstm.numLayers');
  posInt(resolved.transformer.layers, 'transformer.layers', 0);
  posInt(resolved.transformer.heads, 'transformer.heads');
  posInt(resolved.transformer.ffn, 'transformer.ffn');
  posInt(resolved.patch.length, 'patch.length');
  posInt(resolved.patch.stride, 'patch.stride');
  if (resolved.patch.stride > resolved.patch.length) {
    problems.push(`patch.stride (${resolved.patch.stride}) must not exceed patch.length (${resolved.patch.length}): steps between patches would be ignored`);
  }
  if (!(resolved.lstm.dropout >= 0 && resolved.lstm.dropout < 1)) {
    problems.push(`lstm.dropout must be in [0, 1); got ${resolved.lstm.dropout}`);
  }
  if (resolved.dModel % resolved.transformer.heads !== 0) {
    problems.push(`dModel (${resolved.dModel}) must be divisible by transformer.heads (${resolved.transformer.heads})`);
  }
  if (problems.length > 0) {
    throw new TickcastError(ErrorCodes.CONFIG_INVALID, `invalid model config: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return Object.freeze({
    ...resolved,
    lstm: Object.freeze(resolved.lstm),
    transformer: Object.freeze(resolved.transformer),
    patch: Object.freeze(resolved.patch),
  });
}

/**
 * A stored config as today's resolved form: configs written before patch tokens existed have no
 * `patch` key and are the per-step model (length 1, stride 1). Key order is kept (patch last), so
 * the JSON comparison with the resolved form still holds.
 */
export function upgradeStoredConfig<T extends object>(config: T): T & { patch: { length: number; stride: number } } {
  const c = config as T & { patch?: { length: number; stride: number } };
  return c.patch === undefined ? { ...c, patch: { ...NO_PATCH } } : (c as T & { patch: { length: number; stride: number } });
}

/** Check a spec is usable by the model; throws TC_CONFIG_INVALID listing every problem. */
export function validateSpec(spec: ModelSpec): void {
  const problems: string[] = [];
  if (!Number.isInteger(spec.window) || spec.window < 2) problems.push(`window must be an integer >= 2; got ${spec.window}`);
  if (!Number.isInteger(spec.horizon) || spec.horizon < 1) problems.push(`horizon must be an integer >= 1; got ${spec.horizon}`);
  if (spec.features.length === 0) problems.push('features must not be empty');
  if (new Set(spec.features).size !== spec.features.length) problems.push('features must be unique');
  if (spec.targets.length === 0) problems.push('targets must not be empty');
  for (const t of spec.targets) {
    if (!spec.features.includes(t)) problems.push(`target "${t}" is not one of the features [${spec.features.join(', ')}]`);
  }
  problems.push(...logFeatureProblems(spec));
  const q = spec.quantiles;
  if (!q.includes(0.5)) problems.push('quantiles must contain 0.5');
  for (let i = 0; i < q.length; i++) {
    if (!(q[i] > 0 && q[i] < 1)) problems.push(`quantile ${q[i]} must be in (0, 1)`);
    if (i > 0 && !(q[i] > q[i - 1])) problems.push('quantiles must be strictly ascending');
  }
  if (problems.length > 0) {
    throw new TickcastError(ErrorCodes.CONFIG_INVALID, `invalid model spec: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}

/** Index of each target inside `features`. */
export function targetIndices(spec: ModelSpec): number[] {
  return spec.targets.map((t) => spec.features.indexOf(t));
}
