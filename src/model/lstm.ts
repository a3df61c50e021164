/**
 * Hand-written (bi)directional LSTM over a whole sequence. Gates i,f,g,o (sigmoid, sigmoid, tanh,
 * sigmoid), zero initial state, c' = f·c + i·g, h' = o·tanh(c').
 *
 * Speed on wasm is all about op count: the input part of every step (x_t·Kx + b) is computed for
 * all steps in one matmul up front, both directions run in the same loop as one batched matmul
 * h[2,B,Hh]·Kh[2,Hh,4Hh] per step, and the gates come from one split. Mathematically this is the
 * fused-kernel step [x_t, h_{t-1}]·K + b of docs/model.md (K's rows are [Kx; Kh]).
 */
import * as tf from '@tensorflow/tfjs';

export interface LstmDirWeights {
  /** Fused kernel [in + Hh, 4Hh]. */
  kernel: tf.Tensor;
  /** Bias [4Hh]. */
  bias: tf.Tensor;
}

/**
 * x [B,W,in] → [B,W,dirs·Hh] (forward outputs, then backward outputs, along the last axis).
 * `dirs` is 1 (fwd only) or 2 (fwd + bwd).
 */
export function lstmSequence(x: tf.Tensor3D, dirsW: LstmDirWeights[], Hh: number): tf.Tensor3D {
  const [B, W, inSize] = x.shape;
  const dirs = dirsW.length;
  const x2 = x.reshape([B * W, inSize]);
  // Input contribution for every step, per direction: [B,W,4Hh]; the backward one time-reversed.
  const xps = dirsW.map((d, i) => {
    const kx = d.kernel.slice([0, 0], [inSize, 4 * Hh]);
    const xp = tf.fused.matMul({ a: x2 as tf.Tensor2D, b: kx as tf.Tensor2D, bias: d.bias }).reshape([B, W, 4 * Hh]);
    return i === 1 ? tf.reverse(xp, 1) : xp;
  });
  // [W, dirs, B, 4Hh] → W tensors of [dirs, B, 4Hh].
  // (A one-step sequence — one patch token — skips unstack/stack: their gradients break on length 1.)
  const perStep = tf.stack(xps, 0).transpose([2, 0, 1, 3]);
  const steps = W === 1 ? [perStep.reshape([dirs, B, 4 * Hh])] : tf.unstack(perStep, 0);
  const kh = tf.stack(dirsW.map((d) => d.kernel.slice([inSize, 0], [Hh, 4 * Hh])), 0); // [dirs,Hh,4Hh]
  let h: tf.Tensor = tf.zeros([dirs, B, Hh]);
  let c: tf.Tensor = tf.zeros([dirs, B, Hh]);
  const hs: tf.Tensor[] = [];
  for (let t = 0; t < W; t++) {
    const z = steps[t].add(tf.matMul(h, kh));
    const [zi, zf, zg, zo] = tf.split(z, 4, 2);
    const i = tf.sigmoid(zi);
    const f = tf.sigmoid(zf);
    const g = tf.tanh(zg);
    const o = tf.sigmoid(zo);
    c = f.mul(c).add(i.mul(g));
    h = o.mul(tf.tanh(c));
    hs.push(h);
  }
  // [W, dirs, B, Hh] → per direction [B, W, Hh]; the backward one re-reversed into input order.
  const all = (W === 1 ? hs[0].expandDims(0) : tf.stack(hs, 0)).transpose([1, 2, 0, 3]); // [dirs,B,W,Hh]
  if (dirs === 1) return all.reshape([B, W, Hh]) as tf.Tensor3D;
  // split (not unstack): tfjs' Unpack gradient breaks when an output gets no gradient.
  const [fwd, bwd] = tf.split(all, 2, 0).map((o) => o.reshape([B, W, Hh]));
  return tf.concat([fwd, tf.reverse(bwd, 1)], 2) as tf.Tensor3D;
}
