/**
 * The one list of the hybrid model's weights: names, shapes and order. The tfjs model, the
 * artifact store (weights.bin is these tensors concatenated in this order) and the ONNX exporter
 * all read it from here. Every weight is float32, row-major; kernels are [in, out] (y = x·K + b).
 * docs/model.md documents what each one does.
 */
import type { ModelSpec } from '../domain/types.ts';
import type { ResolvedHybridConfig } from './config.ts';

export interface WeightSpec {
  name: string;
  shape: number[];
}

/** Named weights as plain data (what `HybridModel.getWeights()` returns). */
export type WeightMap = Record<string, { shape: number[]; data: Float32Array }>;

/** Sizes derived from config + spec, shared by the model code and the exporter. */
export interface ModelDims {
  /** Window length W. */
  W: number;
  /** Input features F. */
  F: number;
  /** Targets T. */
  T: number;
  /** Horizon H. */
  H: number;
  /** Quantiles Q. */
  Q: number;
  /** dModel D. */
  D: number;
  /** LSTM hidden size per direction. */
  Hh: number;
  /** LSTM directions: 2 when bidirectional. */
  dirs: number;
  /** LSTM output width dirs·Hh (O). */
  O: number;
  /** Transformer feed-forward width. */
  ffn: number;
  /** Patch length P (steps per token), at most W. */
  P: number;
  /** Patch stride S (steps between token starts), at most P. */
  S: number;
  /** Tokens per window N = floor((W − P)/S) + 1: the sequence length of the LSTM and encoder. */
  N: number;
  /** First time step covered by a patch (W − (N−1)·S − P); earlier steps only feed the linear skip. */
  t0: number;
}

export function modelDims(config: ResolvedHybridConfig, spec: ModelSpec): ModelDims {
  const dirs = config.lstm.bidirectional ? 2 : 1;
  const Hh = config.lstm.hiddenSize;
  // A window shorter than the patch is one patch of the whole window (documented in docs/model.md).
  const W = spec.window;
  const patch = config.patch ?? { length: 1, stride: 1 };
  const P = Math.min(patch.length, W);
  const S = Math.min(patch.stride, P);
  const N = Math.floor((W - P) / S) + 1;
  return {
    W: spec.window,
    F: spec.features.length,
    T: spec.targets.length,
    H: spec.horizon,
    Q: spec.quantiles.length,
    D: config.dModel,
    Hh,
    dirs,
    O: dirs * Hh,
    ffn: config.transformer.ffn,
    P,
    S,
    N,
    t0: W - (N - 1) * S - P,
  };
}

/** LSTM layer prefix, e.g. `lstm_0_fwd`. */
export function lstmPrefix(layer: number, dir: 'fwd' | 'bwd'): string {
  return `lstm_${layer}_${dir}`;
}

/** Every weight in manifest order. */
export function weightSpecs(config: ResolvedHybridConfig, spec: ModelSpec): WeightSpec[] {
  const { W, F, T, H, Q, D, Hh, dirs, O, ffn, P, N } = modelDims(config, spec);
  const out: WeightSpec[] = [];
  const add = (name: string, ...shape: number[]) => out.push({ name, shape });
  // Patch embedding: row p·F + f multiplies step p of the patch, feature f.
  add('input_proj/kernel', P * F, D);
  add('input_proj/bias', D);
  for (let l = 0; l < config.lstm.numLayers; l++) {
    const inSize = l === 0 ? D : O;
    for (const dir of dirs === 2 ? (['fwd', 'bwd'] as const) : (['fwd'] as const)) {
      // Fused kernel: rows [0, in) multiply x_t, rows [in, in+Hh) multiply h_{t-1}; columns are gates i,f,g,o.
      add(`${lstmPrefix(l, dir)}/kernel`, inSize + Hh, 4 * Hh);
      add(`${lstmPrefix(l, dir)}/bias`, 4 * Hh);
    }
  }
  add('skip/kernel', D, O);
  add('skip/bias', O);
  add('gate/kernel', 2 * O, O);
  add('gate/bias', O);
  add('ln_skip/gamma', O);
  add('ln_skip/beta', O);
  add('proj/kernel', O, D);
  add('proj/bias', D);
  add('pos_emb', N, D);
  for (let i = 0; i < config.transformer.layers; i++) {
    const p = `enc_${i}`;
    for (const m of ['q', 'k', 'v', 'o']) {
      add(`${p}/w${m}`, D, D);
      add(`${p}/b${m}`, D);
    }
    add(`${p}/ln1/gamma`, D);
    add(`${p}/ln1/beta`, D);
    add(`${p}/ffn1/kernel`, D, ffn);
    add(`${p}/ffn1/bias`, ffn);
    add(`${p}/ffn2/kernel`, ffn, D);
    add(`${p}/ffn2/bias`, D);
    add(`${p}/ln2/gamma`, D);
    add(`${p}/ln2/beta`, D);
  }
  if (config.lstm.useAttention) {
    add('pool/kernel', D, D);
    add('pool/bias', D);
    add('pool/query', D);
  }
  add('head/kernel', D, H * T * Q);
  add('head/bias', H * T * Q);
  add('linear_skip/kernel', W, H);
  add('linear_skip/bias', H);
  return out;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
