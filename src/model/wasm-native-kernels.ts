/**
 * The wasm backend's matrix products (BatchMatMul, _FusedMatMul) and leading-axis sums (Sum)
 * through tickcast's native addon (./native-kernels.ts), reading and writing the wasm heap in
 * place: no copy in or out. Why: wasm SIMD multiplies at 4–10 GMAC/s on one core and its batched
 * path (attention) at ~1; OpenBLAS does ~50, the addon's own register-blocked loop 40–49
 * (docs/native-kernels.md).
 * Products make up about half of a training step. wasm sums over leading axes (every bias
 * gradient) by transposing first.
 *
 * Only what maps onto one strided GEMM per batch index goes native: float32, one batch shape or a
 * broadcast single matrix, a rank-1 bias, no fused activation; sums only over a leading block of
 * axes of float32 data. Anything else (and every error message) stays with the wasm kernel, which
 * is kept and called.
 */
import * as tf from '@tensorflow/tfjs';
import type { NativeKernels } from './native-kernels.ts';

/** The parts of tfjs-backend-wasm's BackendWasm used here and in ./wasm-broadcast.ts. */
export interface WasmBackend {
  dataIdMap: { get(id: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  wasm: { HEAPF32: Float32Array };
}

const KERNELS = ['BatchMatMul', '_FusedMatMul', 'Sum'] as const;
type KernelName = (typeof KERNELS)[number];

/** The wasm backend's own configs, captured before the first swap. */
const originals = new Map<KernelName, tf.KernelConfig>();

interface ProductAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** Where a tensor's data starts in HEAPF32 (wasm allocations are 4-byte aligned). */
export function floatOffset(be: WasmBackend, t: tf.TensorInfo): number {
  return be.dataIdMap.get(t.dataId)!.memoryOffset / 4;
}

function size(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** op(a)·op(b) (+ bias) on the heap, or null when the wasm kernel should do it. */
function nativeProduct(k: NativeKernels, be: WasmBackend, a: tf.TensorInfo, b: tf.TensorInfo, attrs: ProductAttrs, bias?: tf.TensorInfo): tf.TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra < 2 || rb < 2) return null;
  const { transposeA: ta, transposeB: tb } = attrs;
  const M = ta ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = ta ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = tb ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== (tb ? b.shape[rb - 1] : b.shape[rb - 2])) return null; // the wasm kernel says what is wrong
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  let outer: number[];
  try {
    outer = tf.broadcast_util.assertAndGetBroadcastShape(outerA, outerB);
  } catch {
    return null;
  }
  const batch = size(outer);
  // Strided GEMMs cover equal batches and one matrix broadcast against many, not mixed broadcasts.
  if ((batchA !== batch && batchA !== 1) || (batchB !== batch && batchB !== 1)) return null;
  if (batch * M * N * K === 0) return null;
  let biasLen = 0;
  if (bias) {
    biasLen = size(bias.shape);
    if (bias.dtype !== 'float32' || bias.shape.length !== 1 || (biasLen !== N && biasLen !== 1)) return null;
  }
  const out = be.makeOutput([...outer, M, N], 'float32');
  const heap = be.wasm.HEAPF32; // read after the allocation: growing the memory replaces the view
  const at = (t: tf.TensorInfo) => floatOffset(be, t);
  k.gemm(heap, batch, M, N, K, at(a), batchA === 1 ? 0 : M * K, ta ? 1 : 0, at(b), batchB === 1 ? 0 : K * N, tb ? 1 : 0, at(out), bias ? at(bias) : -1, biasLen);
  return out;
}

/** Σ over a leading block of axes (axes 0..j-1) of float32 x, or null when the wasm kernel should do it. */
function nativeSum(k: NativeKernels, be: WasmBackend, x: tf.TensorInfo, attrs: { axis: number | number[]; keepDims: boolean }): tf.TensorInfo | null {
  if (x.dtype !== 'float32' || x.shape.length === 0) return null;
  let axes: number[];
  try {
    axes = tf.util.parseAxisParam(attrs.axis, x.shape);
  } catch {
    return null;
  }
  axes = [...new Set(axes)].sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a, i) => a !== i)) return null;
  const rows = size(x.shape.slice(0, axes.length));
  const cols = size(x.shape.slice(axes.length));
  if (rows * cols === 0) return null;
  const shape = attrs.keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
  const out = be.makeOutput(shape, 'float32');
  const heap = be.wasm.HEAPF32; // after the allocation (see nativeProduct)
  k.sumRows(heap, rows, cols, floatOffset(be, x), floatOffset(be, out));
  return out;
}

function nativeConfig(name: KernelName, k: NativeKernels, original: tf.KernelConfig): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = (args) => {
    if (name === 'Sum') {
      const attrs = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
      return nativeSum(k, args.backend as unknown as WasmBackend, args.inputs.x as tf.TensorInfo, attrs) ?? original.kernelFunc(args);
    }
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const attrs = args.attrs as unknown as ProductAttrs & { activation?: string };
    const fusedOk = name === 'BatchMatMul' || ((attrs.activation ?? 'linear') === 'linear' && !preluActivationWeights);
    const out = fusedOk ? nativeProduct(k, args.backend as unknown as WasmBackend, a!, b!, attrs, bias ?? undefined) : null;
    return out ?? original.kernelFunc(args);
  };
  // The wasm kernel's setup still has to run (it binds the functions the fallback calls).
  return { ...original, kernelFunc };
}

/**
 * Route the wasm backend's products and sums through `kernels` (null → back to the wasm kernels).
 * Safe to call before or after the backend initialises, and again to switch (benchmarks compare
 * both in one process). Returns whether the native kernels are now in use.
 */
export function setNativeKernelsOnWasm(kernels: NativeKernels | null): boolean {
  for (const name of KERNELS) {
    if (!originals.has(name)) {
      const own = tf.getKernel(name, 'wasm');
      if (!own) return false; // wasm backend not registered in this process
      originals.set(name, own);
    }
    const original = originals.get(name)!;
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(kernels ? nativeConfig(name, kernels, original) : original);
  }
  return kernels !== null;
}

/** Whether products run natively now: the backend in use is wasm and its BatchMatMul is the native one. */
export function nativeMatMulOnWasm(): boolean {
  if (originals.size === 0 || tf.getBackend() !== 'wasm') return false;
  const current = tf.getKernel('BatchMatMul', 'wasm');
  return current !== undefined && current !== originals.get('BatchMatMul');
}

/**
 * A view of a float32 tensor's data in the wasm heap, no copy; null off wasm. Valid only until
 * the next tfjs allocation (growing the heap detaches it): read it at once, with no tfjs call in
 * between.
 */
export function wasmHeapView(t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32' || tf.getBackend() !== 'wasm') return null;
  const be = tf.backend() as unknown as WasmBackend;
  const info = be.dataIdMap.get(t.dataId);
  return info ? new Float32Array(be.wasm.HEAPF32.buffer, info.memoryOffset, t.size) : null;
}

/**
 * A float32 tensor of `shape` allocated in the wasm heap and left unwritten, for a native kernel
 * to fill through wasmHeapView (every element must be written before tfjs reads it); null off
 * wasm. Saves the copy tf.tensor(data) makes of a JS array.
 */
export function wasmEmpty(shape: number[]): tf.Tensor | null {
  if (tf.getBackend() !== 'wasm') return null;
  const be = tf.backend() as unknown as WasmBackend;
  return tf.engine().makeTensorFromTensorInfo(be.makeOutput(shape, 'float32'));
}

/** Where a float32 tensor's data starts in the wasm heap, counted in floats (stable while the tensor lives). */
export function wasmHeapOffset(t: tf.Tensor): number {
  return floatOffset(tf.backend() as unknown as WasmBackend, t);
}

/** The whole wasm heap as floats, for a native kernel given offsets; read it after the last allocation (growth replaces it). */
export function wasmHeap(): Float32Array {
  return (tf.backend() as unknown as WasmBackend).wasm.HEAPF32;
}
