/**
 * Matrix product with a hand-written gradient that uses explicit transposes. Why: on the wasm
 * backend a matmul with transposeA/transposeB set (which is exactly what tfjs' autodiff of matMul
 * emits) is 30–300× slower than transposing first and multiplying plainly — measured in
 * docs/model.md. Forward and gradients are the usual ones: dA = dY·Bᵀ, dB = Aᵀ·dY. When wasm's
 * products run in tickcast's native addon (./wasm-native-kernels.ts), a transposed product costs
 * nothing extra and the plain tf.matMul (and its own gradient) is used instead.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeMatMulOnWasm } from './wasm-native-kernels.ts';

/** Swap the last two axes. */
export function swapLast(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return tf.transpose(t, perm);
}

const matmulOp = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved;
      return [tf.matMul(dy, swapLast(sb)), tf.matMul(swapLast(sa), dy)];
    },
  };
}) as any) as unknown as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

/**
 * a·b for 2-D tensors or batched [..., M, K]·[..., K, N] with equal batch dims (no broadcasting).
 * transposeA / transposeB multiply by aᵀ / bᵀ: materialised with an explicit transpose first,
 * unless the products are native (then the GEMM transposes for free).
 */
export function matmul(a: tf.Tensor, b: tf.Tensor, opts: { transposeA?: boolean; transposeB?: boolean } = {}): tf.Tensor {
  const { transposeA = false, transposeB = false } = opts;
  if (nativeMatMulOnWasm()) return tf.matMul(a, b, transposeA, transposeB);
  return matmulOp(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b);
}
