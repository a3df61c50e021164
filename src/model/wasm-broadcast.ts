/**
 * Broadcasting on the wasm backend without arithmetic: a Tile kernel that copies rows inside the
 * wasm heap, and the gradients of Sum and Mean through it.
 *
 * Why: tfjs's Sum and Mean gradients broadcast dy back to x's shape as `dy · ones(x.shape)`. The
 * ones come from a JS array filled and copied into the heap on every call, and the product reads
 * both: ~0.7 ms for one [64, 41, 96] LayerNorm mean on the 2-vCPU Xeon, and a training step of the
 * default model takes a dozen such gradients. wasm's own Tile kernel would be the copy, but it
 * indexes element by element (~10 ms for the same shape). Here a Tile is the native addon's
 * copy (./native-kernels.ts) or, without it, a few `fill`/`copyWithin` calls per row; the
 * gradients are the same numbers (x·1 = x, and dy/n broadcast = (dy·1)/n).
 */
import * as tf from '@tensorflow/tfjs';
import { nativeKernels } from './native-kernels.ts';
import { floatOffset, type WasmBackend } from './wasm-native-kernels.ts';

/** Replicate heap[base, base + len) until it covers `total` elements: doubling copies, or one fill for a single value. */
function replicate(heap: Float32Array, base: number, len: number, total: number): void {
  if (len === 1) {
    heap.fill(heap[base], base + 1, base + total);
    return;
  }
  for (let filled = len; filled < total; ) {
    const n = Math.min(filled, total - filled);
    heap.copyWithin(base + filled, base, base + n);
    filled += n;
  }
}

/**
 * out = tile(x, reps) for 4-byte data (float32, int32 and bool are copied as bit patterns through
 * a float view, which copies and fills do not change). Rows of x go to their places first; then,
 * innermost axis first, each filled block is replicated along its axis.
 */
function tileOnHeap(be: WasmBackend, x: tf.TensorInfo, reps: number[]): tf.TensorInfo {
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  const out = be.makeOutput(outShape, x.dtype);
  if (tf.util.sizeFromShape(outShape) === 0) return out;
  const heap = be.wasm.HEAPF32; // read after makeOutput: a growing heap replaces the view
  const src = floatOffset(be, x);
  const dst = floatOffset(be, out);
  const k = nativeKernels();
  if (k && rank <= 8) {
    k.tile(heap, src, dst, Int32Array.from([...x.shape, ...reps]));
    return out;
  }
  const outStride = new Array<number>(rank);
  for (let a = rank - 1, s = 1; a >= 0; a--) {
    outStride[a] = s;
    s *= outShape[a];
  }
  const inner = x.shape[rank - 1];
  const rows = tf.util.sizeFromShape(x.shape.slice(0, -1));
  // Each prefix index (over the axes before `upTo`) inside x's extent → its offset in out.
  const prefixOffsets = (upTo: number): number[] => {
    let offs = [0];
    for (let a = 0; a < upTo; a++) {
      const next: number[] = [];
      for (const o of offs) for (let i = 0; i < x.shape[a]; i++) next.push(o + i * outStride[a]);
      offs = next;
    }
    return offs;
  };
  const rowOffsets = prefixOffsets(rank - 1);
  for (let r = 0; r < rows; r++) heap.copyWithin(dst + rowOffsets[r], src + r * inner, src + (r + 1) * inner);
  for (let a = rank - 1; a >= 0; a--) {
    if (reps[a] === 1) continue;
    const block = x.shape[a] * outStride[a];
    for (const o of prefixOffsets(a)) replicate(heap, dst + o, block, block * reps[a]);
  }
  return out;
}

let installed = false;

/** Registers the Tile kernel on wasm (other dtypes keep wasm's) and the Sum and Mean gradients; idempotent. */
export function installWasmBroadcast(): void {
  if (installed) return;
  installed = true;
  const wasmTile = tf.getKernel('Tile', 'wasm');
  if (wasmTile) {
    tf.unregisterKernel('Tile', 'wasm');
    tf.registerKernel({
      ...wasmTile,
      kernelFunc: (args) => {
        const x = args.inputs.x as tf.TensorInfo;
        const { reps } = args.attrs as unknown as { reps: number[] };
        const fourBytes = x.dtype === 'float32' || x.dtype === 'int32';
        return fourBytes && reps.length === x.shape.length && x.shape.length > 0
          ? tileOnHeap(args.backend as unknown as WasmBackend, x, reps)
          : wasmTile.kernelFunc(args);
      },
    });
  }
  for (const [kernelName, mean] of [['Sum', false], ['Mean', true]] as const)
    tf.registerGradient({ kernelName, inputsToSave: ['x'], gradFunc: (dy, saved, attrs) => ({ x: () => broadcastBack(dy as tf.Tensor, saved[0], attrs, mean) }) });
}

/**
 * dy (the reduction's output) back to x's shape, divided by the number of values reduced for a
 * mean: tfjs's own `mul(reshape(dy), ones(x.shape))` (then `div(…, n)`) off wasm, where no Tile
 * is registered here.
 */
function broadcastBack(dy: tf.Tensor, x: tf.Tensor, attrs: tf.NamedAttrMap, mean: boolean): tf.Tensor {
  const axes = tf.util.parseAxisParam((attrs as { axis: number | number[] }).axis, x.shape);
  const n = mean ? axes.reduce((p, a) => p * x.shape[a], 1) : 1;
  const expanded = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const e = tf.reshape(dy, expanded);
  if (tf.getBackend() !== 'wasm' || e.dtype !== 'float32') {
    const prod = tf.mul(e, tf.ones(x.shape, 'float32'));
    return n > 1 ? tf.div(prod, n) : prod;
  }
  return tf.broadcastTo(n > 1 ? tf.div(e, n) : e, x.shape);
}
