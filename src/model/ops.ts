/**
 * Functional building blocks of the hybrid model, written as plain tfjs ops over explicit weight
 * tensors (no tfjs-layers objects): dense, LayerNorm, multi-head self-attention, the post-norm
 * Transformer encoder layer, attention pooling, the ordered quantile head and RevIN. Callers run
 * them inside tidy(). Only slices/reshapes/matmuls are used — no gathers — so gradients work on
 * the wasm backend (which lacks UnsortedSegmentSum). The math is in docs/model.md.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeDropoutMask } from './dropout-mask.ts';
import { layerNorm } from './fused-layer-norm.ts';
import { matmul } from './linalg.ts';
import { quantileChainMatrix } from './quantile-chain.ts';

export type Weights = Record<string, tf.Tensor>;

/** y = x·K + b over the last axis of a tensor of any rank ≥ 2. */
export function dense(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor, activation?: 'relu'): tf.Tensor {
  const inSize = x.shape[x.rank - 1];
  const outSize = kernel.shape[1] as number;
  const flat = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, inSize]);
  let y = matmul(flat, kernel).add(bias);
  if (activation === 'relu') y = tf.relu(y);
  return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), outSize]);
}

/** LayerNorm over the last axis (eps 1e-5) with gamma/beta; one fused op on wasm with the native addon (./fused-layer-norm.ts). */
export { gatedLayerNorm, layerNorm } from './fused-layer-norm.ts';

/** Multi-head self-attention over e [B,W,D]: softmax(QKᵀ/√dk)V, heads concatenated, then ·Wo + bo. */
export function selfAttention(e: tf.Tensor3D, w: Weights, prefix: string, heads: number): tf.Tensor3D {
  const [B, W, D] = e.shape;
  const dk = D / heads;
  const split = (t: tf.Tensor) => t.reshape([B, W, heads, dk]).transpose([0, 2, 1, 3]); // [B,h,W,dk]
  const q = split(dense(e, w[`${prefix}/wq`], w[`${prefix}/bq`]));
  const k = split(dense(e, w[`${prefix}/wk`], w[`${prefix}/bk`]));
  const v = split(dense(e, w[`${prefix}/wv`], w[`${prefix}/bv`]));
  const scores = matmul(q, k, { transposeB: true }).mul(1 / Math.sqrt(dk)); // [B,h,W,W]
  const att = tf.softmax(scores, -1);
  const ctx = matmul(att, v).transpose([0, 2, 1, 3]).reshape([B, W, D]);
  return dense(ctx, w[`${prefix}/wo`], w[`${prefix}/bo`]) as tf.Tensor3D;
}

/** Post-norm Transformer encoder layer: e = LN(e + MHA(e)); e = LN(e + FFN(e)) with a ReLU FFN. */
export function encoderLayer(e: tf.Tensor3D, w: Weights, prefix: string, heads: number): tf.Tensor3D {
  const a = selfAttention(e, w, prefix, heads);
  const e1 = layerNorm(e.add(a), w[`${prefix}/ln1/gamma`], w[`${prefix}/ln1/beta`]);
  const f = dense(dense(e1, w[`${prefix}/ffn1/kernel`], w[`${prefix}/ffn1/bias`], 'relu'), w[`${prefix}/ffn2/kernel`], w[`${prefix}/ffn2/bias`]);
  return layerNorm(e1.add(f), w[`${prefix}/ln2/gamma`], w[`${prefix}/ln2/beta`]) as tf.Tensor3D;
}

/**
 * Attention pooling with a learned query u: k = e·Wa + ba; score = k·u/√D; alpha = softmax over
 * the window; pooled = Σ_w alpha·e. Without weights (useAttention=false) alpha is uniform.
 */
export function attentionPool(e: tf.Tensor3D, w: Weights | null): { pooled: tf.Tensor2D; alpha: tf.Tensor2D } {
  const [B, W, D] = e.shape;
  let alpha: tf.Tensor2D;
  if (w === null) {
    alpha = tf.fill([B, W], 1 / W) as tf.Tensor2D;
  } else {
    const k = dense(e, w['pool/kernel'], w['pool/bias']) as tf.Tensor3D;
    const score = matmul(k.reshape([B * W, D]), w['pool/query'].reshape([D, 1])).reshape([B, W]).mul(1 / Math.sqrt(D));
    alpha = tf.softmax(score, -1) as tf.Tensor2D;
  }
  // Σ_w alpha[b,w]·e[b,w,:] as a batched matmul [B,1,W]·[B,W,D].
  const pooled = matmul(alpha.reshape([B, 1, W]), e).reshape([B, D]) as tf.Tensor2D;
  return { pooled, alpha };
}

/**
 * Quantiles ordered by construction. r: raw head output [B,H,T,Q]; base: linear-skip median
 * [B,H,T]; m: index of 0.5. y_m = base + r_m; above: y_k = y_{k-1} + softplus(r_k); below:
 * y_k = y_{k+1} − softplus(r_k).
 *
 * Written as two [Q,Q] constant products over the flattened [N,Q] head, y = base + r·P +
 * softplus(r)·C, where P is the median row of the chain matrix (./quantile-chain.ts, shared with
 * the ONNX export) and C the rest, instead of a split and a concat along the last axis: on wasm
 * those two took ~7 ms of a 75 ms training step for an [64,96,1,3] head.
 */
export function orderedQuantiles(r: tf.Tensor4D, base: tf.Tensor3D, m: number): tf.Tensor4D {
  const Q = r.shape[3];
  if (Q === 1) return base.expandDims(3).add(r) as tf.Tensor4D;
  const cum = quantileChainMatrix(Q, m);
  const pick = new Float32Array(Q * Q);
  pick.set(cum.subarray(m * Q, (m + 1) * Q), m * Q); // the median row moves to P
  cum.fill(0, m * Q, (m + 1) * Q);
  const flat = r.reshape([-1, Q]);
  const y = matmul(flat, tf.tensor2d(pick, [Q, Q])).add(matmul(tf.softplus(flat), tf.tensor2d(cum, [Q, Q])));
  return y.reshape(r.shape).add(base.expandDims(3)) as tf.Tensor4D;
}

/** A constant [F,T] 0/1 matrix that picks the target columns (a matmul instead of a gather). */
export function selectionMatrix(F: number, targetIdx: readonly number[]): tf.Tensor2D {
  const m = new Float32Array(F * targetIdx.length);
  targetIdx.forEach((f, t) => {
    m[f * targetIdx.length + t] = 1;
  });
  return tf.tensor2d(m, [F, targetIdx.length]);
}

/** RevIN statistics over the window: mu, sd [B,1,F] with sd = sqrt(var + 1e-5). */
export function revinStats(x: tf.Tensor3D): { mu: tf.Tensor3D; sd: tf.Tensor3D } {
  const { mean, variance } = tf.moments(x, 1, true);
  return { mu: mean as tf.Tensor3D, sd: tf.sqrt(variance.add(1e-5)) as tf.Tensor3D };
}

/** Inverted dropout (call it for training passes only); the rate is the fraction of units zeroed, the seed picks the mask. */
export function dropout(x: tf.Tensor, rate: number, seed: number): tf.Tensor {
  if (!(rate > 0)) return x;
  // The same mask and product as tf.dropout (x·multiplier), the mask made natively when the addon is loaded.
  const mask = x.dtype === 'float32' && rate < 1 ? nativeDropoutMask(x.shape, rate, seed) : null;
  return mask ? x.mul(mask) : tf.dropout(x, rate, undefined, seed);
}
