/**
 * tickcast's native kernel addon (native/kernels, docs/native-kernels.md): a Node-API module for
 * the hot spots of training on Float32Arrays — matrix products (through OpenBLAS when the shared
 * library is installed, a built-in vectorised loop otherwise), leading-axis sums, and the LSTM
 * recurrence with its BPTT. `npm ci` builds it
 * (scripts/native/build.mjs); without it (not built, another platform) tickcast runs on the
 * backends' own kernels, only slower to train. Node-API is ABI-stable: one build serves every Node
 * version.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeError } from '../errors/index.ts';

export interface NativeKernels {
  /** See native/kernels/src/kernels.c: C_i = op(A_i)·op(B_i) (+ bias) for i < batch; offsets count floats. */
  gemm(
    heap: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    aOff: number,
    aStride: number,
    transA: number,
    bOff: number,
    bStride: number,
    transB: number,
    cOff: number,
    biasOff: number,
    biasLen: number,
  ): void;
  /** out[c] = Σ_r x[r·cols + c] on one Float32Array (offsets count floats). */
  sumRows(heap: Float32Array, rows: number, cols: number, xOff: number, outOff: number): void;
  /** One LSTM direction's recurrence (native/kernels/src/lstm.h); same arguments as forwardDir() in ./lstm-fast.ts. */
  lstmForward(
    xp: Float32Array,
    kh: Float32Array,
    B: number,
    W: number,
    Hh: number,
    reverse: number,
    y: Float32Array,
    yStride: number,
    yOffset: number,
    gates: Float32Array,
    tanhC: Float32Array,
    cPrev: Float32Array,
    hPrev: Float32Array,
  ): void;
  /** Its BPTT: writes dZ [B,W,4Hh]; kh is [Hh,4Hh], not transposed. */
  lstmBackward(
    gates: Float32Array,
    tanhC: Float32Array,
    cPrev: Float32Array,
    kh: Float32Array,
    dy: Float32Array,
    B: number,
    W: number,
    Hh: number,
    reverse: number,
    yStride: number,
    yOffset: number,
    dZ: Float32Array,
  ): void;
  /** Fills `out` with tf.dropout's multipliers for this seed (its decimal string) and keep = float32(1 − rate). */
  dropoutMask(seed: string, keep: number, out: Float32Array): void;
  /** out = tile(x, reps) on one Float32Array (offsets count floats); dims = x's shape, then the reps. */
  tile(heap: Float32Array, xOff: number, outOff: number, dims: Int32Array): void;
  /** LayerNorm over rows of D (native/kernels/src/layernorm.h); sOff = aOff = -1 normalises h, else the gated skip. */
  layerNormForward(heap: Float32Array, rows: number, D: number, hOff: number, sOff: number, aOff: number, gammaOff: number, betaOff: number, eps: number, yOff: number, meanOff: number, rstdOff: number): void;
  /** Its gradients: dh (and ds, da when gated; else -1), dgamma, dbeta. */
  layerNormBackward(
    heap: Float32Array,
    rows: number,
    D: number,
    hOff: number,
    sOff: number,
    aOff: number,
    gammaOff: number,
    meanOff: number,
    rstdOff: number,
    dyOff: number,
    dhOff: number,
    dsOff: number,
    daOff: number,
    dgammaOff: number,
    dbetaOff: number,
  ): void;
  info(): { blas: string; threads: number };
}

export type NativeKernelsStatus = { loaded: true; blas: string; threads: number; file: string } | { loaded: false; reason: string };

const ADDON = path.join('native', 'kernels', 'build', 'Release', 'tickcast_kernels.node');

/** The addon's path: the first `native/kernels/build/...` above this module (src/model or dist/). */
export function nativeKernelsPath(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, ADDON);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Every function of the interface above; the loader checks the build has them all. */
const FUNCTIONS = ['gemm', 'sumRows', 'lstmForward', 'lstmBackward', 'dropoutMask', 'tile', 'layerNormForward', 'layerNormBackward', 'info'] as const satisfies readonly (keyof NativeKernels)[];

let loaded: { kernels: NativeKernels | null; status: NativeKernelsStatus } | undefined;
let enabled = true;

function load(): { kernels: NativeKernels | null; status: NativeKernelsStatus } {
  const file = nativeKernelsPath();
  if (!file) return { kernels: null, status: { loaded: false, reason: `not built (${ADDON} not found; run: npm run native:build)` } };
  try {
    const kernels = createRequire(import.meta.url)(file) as NativeKernels;
    // A build from an older checkout (pulled without npm ci) lacks newer kernels: not half-used.
    const missing = FUNCTIONS.filter((f) => typeof kernels[f] !== 'function');
    if (missing.length > 0) return { kernels: null, status: { loaded: false, reason: `${file} is an older build without ${missing.join(', ')} (run: npm run native:build)` } };
    return { kernels, status: { loaded: true, file, ...kernels.info() } };
  } catch (err) {
    return { kernels: null, status: { loaded: false, reason: `${file} did not load: ${describeError(err).split('\n')[0]}` } };
  }
}

/** The addon, loaded once per process; null when it is not built, does not load here, or is switched off. */
export function nativeKernels(): NativeKernels | null {
  if (!enabled) return null;
  loaded ??= load();
  return loaded.kernels;
}

/** Switch the addon's use on or off for this process (config model.nativeKernels; benchmarks' A/B). */
export function enableNativeKernels(on: boolean): void {
  enabled = on;
}

export function nativeKernelsStatus(): NativeKernelsStatus {
  loaded ??= load();
  return loaded.status;
}
