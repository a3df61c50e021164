/**
 * The patch-token front end of the tfjs model (docs/model.md §2, §6): the window is cut into
 * patch tokens before the input projection, and token attention is spread back over time steps.
 * Both are one matmul with a constant matrix from ./patch.ts (shared with the ONNX exporter, so
 * both cut and map back identically). The per-step model (P = S = 1) has no front end (`create`
 * returns null). The tensors are owned here; `dispose` frees them.
 */
import * as tf from '@tensorflow/tfjs';
import { isPerStep, tokenToTimeMatrix, unfoldMatrix } from './patch.ts';
import type { ModelDims } from './weight-names.ts';

export class PatchFront {
  readonly #dims: ModelDims;
  /** Unfold [W, N·P]. */
  readonly #unfold: tf.Tensor2D;
  /** Token attention → time steps [N, W]. */
  readonly #toTime: tf.Tensor2D;

  private constructor(d: ModelDims) {
    this.#dims = d;
    this.#unfold = tf.tensor2d(unfoldMatrix(d), [d.W, d.N * d.P]);
    this.#toTime = tf.tensor2d(tokenToTimeMatrix(d), [d.N, d.W]);
  }

  /** The front end for these dimensions, or null for the per-step model. */
  static create(d: ModelDims): PatchFront | null {
    return isPerStep(d) ? null : new PatchFront(d);
  }

  /**
   * xn [B,W,F] → patches [B,N,P·F] (element p·F + f = step start(n)+p, feature f). One constant
   * matmul; x is not on a path to any variable, so autodiff never differentiates it.
   */
  patchify(xn: tf.Tensor3D): tf.Tensor3D {
    const { W, F, P, N } = this.#dims;
    const B = xn.shape[0];
    const cols = F === 1 ? xn.reshape([B, W]) : xn.transpose([0, 2, 1]).reshape([B * F, W]);
    const u = tf.matMul(cols as tf.Tensor2D, this.#unfold); // [B·F, N·P]
    if (F === 1) return u.reshape([B, N, P]);
    return u.reshape([B, F, N, P]).transpose([0, 2, 3, 1]).reshape([B, N, P * F]);
  }

  /** Token attention [B,N] spread over each token's time steps → [B,W]. */
  toTime(alpha: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(alpha, this.#toTime) as tf.Tensor2D;
  }

  dispose(): void {
    this.#unfold.dispose();
    this.#toTime.dispose();
  }
}
