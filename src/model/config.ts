/**
 * Hybrid model configuration: every default in one place. The model's input/output contract
 * (window, features, targets, horizon, quantiles) is the shared `ModelSpec`; this file holds the
 * architecture knobs only. See docs/model.md for the math each knob controls.
 */
import type { ModelSpec } from '../domain/types.ts';
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

export interface HybridConfig {
  /** Width of the input projection and of the Transformer (D). */
  dModel: number;
  lstm: LstmConfig;
  transformer: TransformerConfig;
  /** Per-window instance normalisation (RevIN without affine) around the whole network. */
  revin: boolean;
}

/** A config with every derived size filled in; what the model, the artifact and ONNX export use. */
export interface ResolvedHybridConfig {
  dModel: number;
  lstm: LstmConfig & { hiddenSize: number };
  transformer: TransformerConfig & { ffn: number };
  revin: boolean;
}

export type HybridConfigInput = Partial<Omit<HybridConfig, 'lstm' | 'transformer'>> & {
  lstm?: Partial<LstmConfig>;
  transformer?: Partial<TransformerConfig>;
};

export const DEFAULT_HYBRID_CONFIG: Readonly<HybridConfig> = Object.freeze({
  dModel: 32,
  lstm: Object.freeze({ hiddenSize: null, numLayers: 2, dropout: 0.2, bidirectional: true, useAttention: true }),
  transformer: Object.freeze({ layers: 1, heads: 4, ffn: null }),
  revin: true,
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
  const resolved: ResolvedHybridConfig = {
    dModel: d,
    lstm: { ...lstm, hiddenSize: resolveHiddenSize(lstm.hiddenSize, d) },
    transformer: { ...tr, ffn: tr.ffn ?? 2 * d },
    revin: input.revin ?? DEFAULT_HYBRID_CONFIG.revin,
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
  });
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
