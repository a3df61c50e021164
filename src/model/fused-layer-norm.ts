/**
 * LayerNorm, and the gated skip in front of it, as one custom-gradient op whose forward and
 * backward are the native addon's (native/kernels/src/layernorm.c) on the wasm backend.
 *
 * Why: as tensor ops, one LayerNorm is ~9 ops forward and ~25 backward, each a pass over the
 * whole tensor; on the wasm backend the gated skip + LayerNorm over [64, 41, 96] took 9.2 ms of a
 * ~75 ms training step and each of the encoder's two LayerNorms 2.0 ms (2-vCPU Xeon). The fused
 * op reads each row once or twice each way. Other backends (and wasm without the addon) run the
 * tensor ops below, unchanged. The two agree to float rounding, not bit for bit (sums in another
 * order); a unit test compares values and gradients.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from './native-kernels.ts';
import { nativeKernels } from './native-kernels.ts';
import { wasmEmpty, wasmHeap, wasmHeapOffset } from './wasm-native-kernels.ts';

/** The tensor-op LayerNorm over the last axis (the reference; what runs off wasm). */
export function layerNormOps(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).mul(tf.rsqrt(variance.add(eps))).mul(gamma).add(beta);
}

/** The gated skip s + σ(a)·(h − s) as tensor ops. */
export function gatedSkipOps(h: tf.Tensor, s: tf.Tensor, a: tf.Tensor): tf.Tensor {
  return s.add(tf.sigmoid(a).mul(h.sub(s)));
}

/** The addon when this process trains on wasm with it, else null. */
function fusedKernels(): NativeKernels | null {
  const k = nativeKernels();
  return k && tf.getBackend() === 'wasm' ? k : null;
}

type Op = (...t: tf.Tensor[]) => tf.Tensor;
const ops = new Map<string, Op>();

/** The custom op for eps, gated or not: inputs (h, gamma, beta) or (h, s, a, gamma, beta). */
function fusedOp(k: NativeKernels, eps: number, gated: boolean): Op {
  const key = `${eps}:${gated}`;
  const found = ops.get(key);
  if (found) return found;
  const op = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const ins = args as tf.Tensor[];
    const [h, s, a] = gated ? ins : [ins[0], null, null];
    const [gamma, beta] = ins.slice(-2);
    const D = h.shape[h.rank - 1];
    const rows = h.size / D;
    const y = wasmEmpty(h.shape)!;
    const stats = [wasmEmpty([rows])!, wasmEmpty([rows])!];
    // Offsets only now: an allocation can grow (and move) the heap's view, never the offsets.
    const o = (t: tf.Tensor | null) => (t ? wasmHeapOffset(t) : -1);
    k.layerNormForward(wasmHeap(), rows, D, o(h), o(s), o(a), o(gamma), o(beta), eps, o(y), o(stats[0]), o(stats[1]));
    save([...ins.slice(0, -1), ...stats]); // gamma is needed, beta is not
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [mean, rstd] = saved.slice(-2);
      const [sh, ss, sa] = gated ? saved : [saved[0], null, null];
      const sg = saved[gated ? 3 : 1];
      const dh = wasmEmpty(h.shape)!;
      const ds = gated ? wasmEmpty(h.shape) : null;
      const da = gated ? wasmEmpty(h.shape) : null;
      const dgamma = wasmEmpty([D])!;
      const dbeta = wasmEmpty([D])!;
      k.layerNormBackward(wasmHeap(), rows, D, o(sh), o(ss), o(sa), o(sg), o(mean), o(rstd), o(dy), o(dh), o(ds), o(da), o(dgamma), o(dbeta));
      return gated ? [dh, ds!, da!, dgamma, dbeta] : [dh, dgamma, dbeta];
    };
    return { value: y, gradFunc };
  }) as any) as unknown as Op;
  ops.set(key, op);
  return op;
}

/**
 * Whether the fused op takes these: float32 throughout, every input of x's shape, gamma and beta
 * [D]. Anything else (a broadcast, say) runs the tensor ops, which also say what is wrong.
 */
function fits(x: tf.Tensor, same: tf.Tensor[], gamma: tf.Tensor, beta: tf.Tensor): boolean {
  const D = x.shape[x.rank - 1];
  const all = [x, ...same, gamma, beta];
  return (
    x.rank >= 1 &&
    all.every((t) => t.dtype === 'float32') &&
    same.every((t) => tf.util.arraysEqual(t.shape, x.shape)) &&
    [gamma, beta].every((t) => t.rank === 1 && t.shape[0] === D)
  );
}

/** LayerNorm over the last axis (eps 1e-5) with gamma/beta: fused on wasm with the addon, else tensor ops. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  const k = fusedKernels();
  return k && fits(x, [], gamma, beta) ? fusedOp(k, eps, false)(x, gamma, beta) : layerNormOps(x, gamma, beta, eps);
}

/** LayerNorm(s + σ(a)·(h − s)): h, s, a of one shape [..., D]. */
export function gatedLayerNorm(h: tf.Tensor, s: tf.Tensor, a: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps = 1e-5): tf.Tensor {
  const k = fusedKernels();
  return k && fits(h, [s, a], gamma, beta) ? fusedOp(k, eps, true)(h, s, a, gamma, beta) : layerNormOps(gatedSkipOps(h, s, a), gamma, beta, eps);
}
