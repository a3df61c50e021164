/**
 * The (bi)LSTM layer as one custom-gradient op whose recurrence runs in plain JS loops over
 * Float32Arrays. Why: on the wasm backend every tfjs op costs tens of microseconds of overhead,
 * `slice` copies its whole input (so per-step slicing is quadratic in the window), and batched
 * matmul is not the XNNPACK path. Here the per-step work is one [B,Hh]·[Hh,4Hh] product plus the
 * gate math in JS; the big products (x·Kx for all steps, and the weight gradients Xᵀ·dZ, Hᵀ·dZ)
 * stay as single 2-D tfjs matmuls. The backward pass is hand-written BPTT with explicit
 * transposes. Same math as ./lstm.ts (the reference tf-op implementation; a test compares the
 * values and gradients of the two).
 */
import * as tf from '@tensorflow/tfjs';
import type { LstmDirWeights } from './lstm.ts';
import { sigmoidF as sigmoid, tanhF } from './activations.ts';
import { Float32Pool } from './float32-pool.ts';
import { nativeKernels } from './native-kernels.ts';
import { matmul } from './linalg.ts';
import { wasmEmpty, wasmHeapView } from './wasm-native-kernels.ts';

/**
 * The recurrence's scratch (per direction: gates, tanh(c), c and h before each step, and dZ) is a
 * few MB per call; fresh zeroed typed arrays of that size cost more than the gate math (page faults
 * on new memory, external-memory GC). A forward takes them from here and the backward gives them
 * back once it is done; a forward with no backward (inference) simply never returns its own.
 */
const scratch = new Float32Pool();

interface DirTrace {
  /** Post-activation gates per (b,t): [B,W,4Hh] in i,f,g,o order. */
  gates: Float32Array;
  /** tanh(c_t) per (b,t): [B,W,Hh]. */
  tanhC: Float32Array;
  /** c_{t-1} (state before step t in this direction's order) per (b,t): [B,W,Hh]. */
  cPrev: Float32Array;
  /** h_{t-1} per (b,t): [B,W,Hh]. */
  hPrev: Float32Array;
}

/**
 * A right-hand matrix for the per-step product, kept both as a backend tensor and as JS data: tiny
 * batches multiply in JS (a backend call costs more than ~10k multiply-adds), larger ones on the
 * backend (SIMD matmul beats JS loops).
 */
interface StepMatrix {
  t: tf.Tensor2D;
  data: Float32Array;
  k: number;
  n: number;
}

function stepMatrix(t: tf.Tensor2D): StepMatrix {
  return { t, data: t.dataSync() as Float32Array, k: t.shape[0], n: t.shape[1] };
}

/** Batches up to this size multiply in JS (measured break-even on wasm is around 4–8 rows). */
const JS_MATMUL_MAX_ROWS = 4;

/** rows [B,K] · m [K,N] (m pre-transposed by the caller where a transpose is needed). */
function matmulRows(rows: Float32Array, B: number, K: number, m: StepMatrix): Float32Array {
  if (B <= JS_MATMUL_MAX_ROWS) {
    const N = m.n;
    const out = new Float32Array(B * N);
    const md = m.data;
    for (let b = 0; b < B; b++) {
      const oo = b * N;
      for (let k = 0; k < K; k++) {
        const v = rows[b * K + k];
        if (v === 0) continue;
        const mo = k * N;
        for (let j = 0; j < N; j++) out[oo + j] += v * md[mo + j];
      }
    }
    return out;
  }
  const a = tf.tensor2d(rows, [B, K]);
  const out = tf.matMul(a, m.t);
  const data = out.dataSync() as Float32Array;
  a.dispose();
  out.dispose();
  return data;
}

/** Run one direction's recurrence. xp: x·Kx + b for every (b,t), [B,W,4Hh]. Writes h into y. */
function forwardDir(xp: Float32Array, kh: StepMatrix, B: number, W: number, Hh: number, reverse: boolean, y: Float32Array, yStride: number, yOffset: number): DirTrace {
  const G = 4 * Hh;
  // Every element of these four is written below before it is read: no zeroing needed.
  const gates = scratch.take(B * W * G);
  const tanhC = scratch.take(B * W * Hh);
  const cPrev = scratch.take(B * W * Hh);
  const hPrev = scratch.take(B * W * Hh);
  const native = nativeKernels();
  if (native) {
    native.lstmForward(xp, kh.data, B, W, Hh, reverse ? 1 : 0, y, yStride, yOffset, gates, tanhC, cPrev, hPrev);
    return { gates, tanhC, cPrev, hPrev };
  }
  const h = new Float32Array(B * Hh);
  const c = new Float32Array(B * Hh);
  const zeros = new Float32Array(B * G);
  for (let s = 0; s < W; s++) {
    const t = reverse ? W - 1 - s : s;
    const hk = s === 0 ? zeros : matmulRows(h, B, Hh, kh); // h_{t-1}·Kh, [B,4Hh]
    for (let b = 0; b < B; b++) {
      const bt = b * W + t;
      const xo = bt * G;
      const ro = b * G;
      const so = bt * Hh;
      const hb = b * Hh;
      const yo = bt * yStride + yOffset;
      for (let j = 0; j < Hh; j++) {
        const ig = sigmoid(xp[xo + j] + hk[ro + j]);
        const fg = sigmoid(xp[xo + Hh + j] + hk[ro + Hh + j]);
        const gg = tanhF(xp[xo + 2 * Hh + j] + hk[ro + 2 * Hh + j]);
        const og = sigmoid(xp[xo + 3 * Hh + j] + hk[ro + 3 * Hh + j]);
        gates[xo + j] = ig;
        gates[xo + Hh + j] = fg;
        gates[xo + 2 * Hh + j] = gg;
        gates[xo + 3 * Hh + j] = og;
        const cp = c[hb + j];
        cPrev[so + j] = cp;
        hPrev[so + j] = h[hb + j];
        const cn = fg * cp + ig * gg;
        const tc = tanhF(cn);
        c[hb + j] = cn;
        tanhC[so + j] = tc;
        const hn = og * tc;
        h[hb + j] = hn;
        y[yo + j] = hn;
      }
    }
  }
  return { gates, tanhC, cPrev, hPrev };
}

/**
 * BPTT for one direction. kh: [Hh,4Hh]; dy: [B,W,yStride]. Returns dZ [B,W,4Hh] (gradient wrt
 * pre-activations): `into` when given (the native recurrence only), else an array of the pool.
 */
function backwardDir(tr: DirTrace, kh: tf.Tensor2D, dy: Float32Array, B: number, W: number, Hh: number, reverse: boolean, yStride: number, yOffset: number, into?: Float32Array): Float32Array {
  const G = 4 * Hh;
  const native = nativeKernels();
  const dZ = native && into ? into : scratch.take(B * W * G); // every element written below
  if (native) {
    native.lstmBackward(tr.gates, tr.tanhC, tr.cPrev, kh.dataSync() as Float32Array, dy, B, W, Hh, reverse ? 1 : 0, yStride, yOffset, dZ);
    return dZ;
  }
  // Explicit transpose: transposed matmuls are very slow on wasm (see ./linalg.ts).
  const khTensor = kh.transpose() as tf.Tensor2D; // [4Hh,Hh]
  try {
    jsBackwardDir(tr, stepMatrix(khTensor), dy, B, W, Hh, reverse, yStride, yOffset, dZ);
  } finally {
    khTensor.dispose();
  }
  return dZ;
}

function jsBackwardDir(tr: DirTrace, khT: StepMatrix, dy: Float32Array, B: number, W: number, Hh: number, reverse: boolean, yStride: number, yOffset: number, dZ: Float32Array): void {
  const G = 4 * Hh;
  let dhNext: Float32Array | null = null; // [B,Hh]
  const dcNext = new Float32Array(B * Hh);
  const dz = new Float32Array(B * G);
  const { gates, tanhC, cPrev } = tr;
  for (let s = W - 1; s >= 0; s--) {
    const t = reverse ? W - 1 - s : s;
    for (let b = 0; b < B; b++) {
      const bt = b * W + t;
      const go = bt * G;
      const so = bt * Hh;
      const yo = bt * yStride + yOffset;
      const hb = b * Hh;
      const zo = b * G;
      for (let j = 0; j < Hh; j++) {
        const ig = gates[go + j];
        const fg = gates[go + Hh + j];
        const gg = gates[go + 2 * Hh + j];
        const og = gates[go + 3 * Hh + j];
        const tc = tanhC[so + j];
        const dh = dy[yo + j] + (dhNext === null ? 0 : dhNext[hb + j]);
        const dc = dh * og * (1 - tc * tc) + dcNext[hb + j];
        const v0 = dc * gg * ig * (1 - ig);
        const v1 = dc * cPrev[so + j] * fg * (1 - fg);
        const v2 = dc * ig * (1 - gg * gg);
        const v3 = dh * tc * og * (1 - og);
        dz[zo + j] = v0;
        dz[zo + Hh + j] = v1;
        dz[zo + 2 * Hh + j] = v2;
        dz[zo + 3 * Hh + j] = v3;
        dZ[go + j] = v0;
        dZ[go + Hh + j] = v1;
        dZ[go + 2 * Hh + j] = v2;
        dZ[go + 3 * Hh + j] = v3;
        dcNext[hb + j] = dc * fg;
      }
    }
    // dh_{t-1} = dz · Khᵀ (not needed after the first step of this direction)
    dhNext = s === 0 ? null : matmulRows(dz, B, G, khT);
  }
}

/**
 * One direction's gradients from its dZ [B,W,4Hh]: dK = [xᵀ·dZ; hPrevᵀ·dZ], db = Σ dZ, dx = dZ·Kxᵀ
 * (./linalg.ts picks native transposed products or explicit transposes).
 */
function weightGrads(x: tf.Tensor3D, kernel: tf.Tensor, dZ: tf.Tensor2D, hPrevArr: Float32Array, Hh: number): { dK: tf.Tensor; db: tf.Tensor; dx: tf.Tensor } {
  const [B, W, I] = x.shape;
  const G = 4 * Hh;
  const hPrev = tf.tensor2d(hPrevArr, [B * W, Hh]);
  const kx = kernel.slice([0, 0], [I, G]);
  const dK = tf.concat([matmul(x.reshape([B * W, I]), dZ, { transposeA: true }), matmul(hPrev, dZ, { transposeA: true })], 0);
  const dx = matmul(dZ, kx, { transposeB: true }).reshape([B, W, I]);
  return { dK, db: tf.sum(dZ, 0), dx };
}

type LstmGradFn = (...args: tf.Tensor[]) => tf.Tensor;
const cache = new Map<string, LstmGradFn>();

function makeOp(dirs: number, Hh: number): LstmGradFn {
  return tf.customGrad(((...args: unknown[]) => {
    // Last argument is tfjs' save(); saved tensors survive the forward tidy for the backward pass.
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save(args.slice(0, 1 + 2 * dirs) as tf.Tensor[]);
    const x0 = args[0] as tf.Tensor3D;
    const ws0: LstmDirWeights[] = [];
    for (let d = 0; d < dirs; d++) ws0.push({ kernel: args[1 + 2 * d] as tf.Tensor, bias: args[2 + 2 * d] as tf.Tensor });
    const [B, W, I] = x0.shape;
    const G = 4 * Hh;
    const O = dirs * Hh;
    // The native recurrence writes h straight into the output tensor's wasm memory (no copy).
    const heapY = nativeKernels() ? wasmEmpty([B, W, O]) : null;
    const y = heapY ? null : new Float32Array(B * W * O);
    const traces = ws0.map((w, d) => {
      const [xp, kh] = tf.tidy(() => {
        const kx = w.kernel.slice([0, 0], [I, G]) as tf.Tensor2D;
        return [tf.fused.matMul({ a: x0.reshape([B * W, I]), b: kx, bias: w.bias }), w.kernel.slice([I, 0], [Hh, G]) as tf.Tensor2D];
      });
      try {
        const khm = stepMatrix(kh);
        // The native recurrence allocates nothing in tfjs, so it can read x·Kx + b straight from
        // the wasm heap (a 2 MB copy per direction saved); the JS one calls tfjs ops that may
        // grow the heap and detach such a view, so it gets a copy.
        const xpData = (nativeKernels() ? wasmHeapView(xp) : null) ?? (xp.dataSync() as Float32Array);
        return forwardDir(xpData, khm, B, W, Hh, d === 1, heapY ? wasmHeapView(heapY)! : y!, O, d * Hh);
      } finally {
        xp.dispose();
        kh.dispose();
      }
    });
    const value = (heapY as tf.Tensor3D | null) ?? tf.tensor3d(y!, [B, W, O]);
    let backwardDone = false;
    const gradFunc = (dyT: tf.Tensor, saved: tf.Tensor[]) => {
      // The traces go back to the pool below; a second backward over them would read reused memory.
      if (backwardDone) throw new Error('lstmSequenceFast: the gradient of one forward pass can be taken once');
      backwardDone = true;
      const x = saved[0] as tf.Tensor3D;
      const ws: LstmDirWeights[] = [];
      for (let d = 0; d < dirs; d++) ws.push({ kernel: saved[1 + 2 * d], bias: saved[2 + 2 * d] });
      const native = nativeKernels() !== null;
      let dyCopy: Float32Array | null = null;
      const grads: tf.Tensor[] = [];
      const used: Float32Array[] = [];
      let dx: tf.Tensor | null = null;
      for (let d = 0; d < dirs; d++) {
        const kh = ws[d].kernel.slice([I, 0], [Hh, G]) as tf.Tensor2D;
        // The native recurrence allocates nothing in tfjs: it reads dy and writes dZ in the wasm
        // heap, through views taken after the last allocation (a growing heap detaches them).
        const heapDZ = native ? (wasmEmpty([B * W, G]) as tf.Tensor2D | null) : null;
        const dy = (native ? wasmHeapView(dyT) : null) ?? (dyCopy ??= dyT.dataSync() as Float32Array);
        const dZarr = backwardDir(traces[d], kh, dy, B, W, Hh, d === 1, O, d * Hh, heapDZ ? wasmHeapView(heapDZ)! : undefined);
        kh.dispose();
        const { dK, db, dx: dxd } = weightGrads(x, ws[d].kernel, heapDZ ?? tf.tensor2d(dZarr, [B * W, G]), traces[d].hPrev, Hh);
        dx = dx === null ? dxd : dx.add(dxd);
        grads.push(dK, db);
        if (!heapDZ) used.push(dZarr);
      }
      // Back to the pool only now: the tensors made from these arrays (tensor2d copies them into
      // the wasm heap; the cpu backend keeps the array itself) were read by the eager ops above
      // and are not read again after this backward pass.
      for (const tr of traces) used.push(tr.gates, tr.tanhC, tr.cPrev, tr.hPrev);
      scratch.give(...used);
      return [dx as tf.Tensor, ...grads];
    };
    return { value, gradFunc };
  }) as any) as unknown as LstmGradFn;
}

/** x [B,W,in] → [B,W,dirs·Hh]; same contract as lstmSequence() in ./lstm.ts. */
export function lstmSequenceFast(x: tf.Tensor3D, dirsW: LstmDirWeights[], Hh: number): tf.Tensor3D {
  const key = `${dirsW.length}:${Hh}`;
  let op = cache.get(key);
  if (!op) {
    op = makeOp(dirsW.length, Hh);
    cache.set(key, op);
  }
  return op(x, ...dirsW.flatMap((d) => [d.kernel, d.bias])) as tf.Tensor3D;
}
