/**
 * tfjs backend selection, done once per process before any tensor is created. Order (first that
 * loads wins): @tensorflow/tfjs-node-gpu → @tensorflow/tfjs-node → wasm → cpu. The two native
 * packages are NOT dependencies (their install downloads libtensorflow, which fails offline); the
 * GPU Docker image installs them and this loader just tries. See docs/model.md.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import { enableNativeKernels, nativeKernels, nativeKernelsStatus } from './native-kernels.ts';
import { setNativeKernelsOnWasm } from './wasm-native-kernels.ts';
import { installWasmBroadcast } from './wasm-broadcast.ts';

export type BackendPreference = 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** tfjs backend name actually in use: "tensorflow" (native, CPU or GPU), "wasm" or "cpu". */
  name: string;
  /** Which candidate won: one of the BackendPreference values other than "auto". */
  source: Exclude<BackendPreference, 'auto'>;
  /** Why earlier candidates were skipped (for the startup log). */
  skipped: string[];
  /**
   * Who does the wasm backend's matrix products: "native: <BLAS>" (tickcast's addon,
   * docs/native-kernels.md), or "wasm" with the reason the addon is not used. Absent on other backends.
   */
  matmul?: string;
}

export interface BackendOptions {
  prefer?: BackendPreference;
  /** On wasm, do matrix products in tickcast's native addon when it is built (default true; config model.nativeKernels). */
  nativeKernels?: boolean;
  /** Called once with a one-line summary; wire to the module's child logger. */
  log?: (msg: string, info: BackendInfo) => void;
}

let chosen: Promise<BackendInfo> | undefined;
let chosenPreference: BackendPreference | undefined;

/** Directory holding the .wasm binaries inside node_modules (so wasm works offline). */
export function wasmBinaryDir(): string {
  const req = createRequire(import.meta.url);
  return path.join(path.dirname(req.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

async function tryNative(pkg: 'tfjs-node-gpu' | 'tfjs-node'): Promise<boolean> {
  // A variable specifier keeps TypeScript from resolving a package that is not installed here.
  const specifier = `@tensorflow/${pkg}`;
  await import(specifier);
  return tf.setBackend('tensorflow');
}

async function tryWasm(): Promise<boolean> {
  setWasmPaths(wasmBinaryDir());
  shareBuffersOnWasm();
  installWasmBroadcast();
  return tf.setBackend('wasm');
}

/**
 * Use tickcast's native kernels (docs/native-kernels.md) or not: the LSTM recurrence on any backend
 * that runs it in JS, and wasm's matrix products. Says who does the products, for BackendInfo.matmul.
 * Benchmarks call it again to compare both in one process.
 */
export function useNativeKernels(on: boolean): string {
  enableNativeKernels(on);
  setNativeKernelsOnWasm(nativeKernels());
  if (!on) return 'wasm (native kernels off: model.nativeKernels=false)';
  const status = nativeKernelsStatus();
  return status.loaded ? `native: ${status.blas}` : `wasm (native kernels ${status.reason})`;
}

/**
 * wasm's Identity kernel copies its input into a new buffer. tfjs calls it for every clone, and
 * autodiff clones every tensor a gradient saves (Engine.saveTensorsForBackwardMode): ~13 ms of a
 * 190 ms training step went to those copies. Tensors are immutable (a Variable's assign swaps its
 * data id, nothing writes into a buffer in place), so share the data as wasm's own Reshape does
 * and as the cpu backend's Identity does: one more reference, no copy.
 */
function shareBuffersOnWasm(): void {
  if (tf.getKernel('Identity', 'wasm')?.kernelFunc === shareIdentity) return;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: shareIdentity });
  // Cast to the dtype a tensor already has is the same copy: every product's gradient casts both
  // factors to float32 (30 copies, ~1.4 ms of a 75 ms step). Other casts keep wasm's kernel.
  const wasmCast = tf.getKernel('Cast', 'wasm');
  if (!wasmCast) return;
  tf.unregisterKernel('Cast', 'wasm');
  tf.registerKernel({
    kernelName: 'Cast',
    backendName: 'wasm',
    kernelFunc: (args) => ((args.inputs.x as tf.TensorInfo).dtype === (args.attrs as { dtype: tf.DataType }).dtype ? shareIdentity(args) : wasmCast.kernelFunc(args)),
  });
}

/**
 * tfjs-backend-wasm's Emscripten glue adds process-wide `uncaughtException` and `unhandledRejection`
 * listeners when its module starts, which rethrow: any unhandled rejection anywhere in the process
 * then killed it at once with exit code 7 (Node's "handler threw"), with no drain and no log line,
 * bypassing the service's own policy (src/main.ts, docs/deployment.md). The process' handlers are
 * the host's to choose, so the ones added while the backend starts are removed again.
 */
async function withoutAddedProcessHandlers<T>(start: () => Promise<T>): Promise<T> {
  const exceptions = new Set(process.listeners('uncaughtException'));
  const rejections = new Set(process.listeners('unhandledRejection'));
  try {
    return await start();
  } finally {
    for (const l of process.listeners('uncaughtException')) if (!exceptions.has(l)) process.removeListener('uncaughtException', l);
    for (const l of process.listeners('unhandledRejection')) if (!rejections.has(l)) process.removeListener('unhandledRejection', l);
  }
}

const shareIdentity: tf.KernelFunc = ({ inputs, backend }) => {
  const x = inputs.x as tf.TensorInfo;
  (backend as unknown as { incRef(id: tf.DataId): void }).incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

async function select(prefer: BackendPreference, useNative: boolean): Promise<BackendInfo> {
  const order: Exclude<BackendPreference, 'auto'>[] =
    prefer === 'auto' ? ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'] : [prefer];
  const skipped: string[] = [];
  for (const cand of order) {
    try {
      let ok: boolean;
      if (cand === 'tfjs-node-gpu' || cand === 'tfjs-node') ok = await tryNative(cand);
      else if (cand === 'wasm') ok = await withoutAddedProcessHandlers(async () => (await tryWasm()) && (await tf.ready(), true));
      else ok = await tf.setBackend('cpu');
      if (ok) {
        await tf.ready();
        const matmul = useNativeKernels(useNative); // the LSTM recurrence uses them on any backend
        return { name: tf.getBackend(), source: cand, skipped, ...(cand === 'wasm' ? { matmul } : {}) };
      }
      skipped.push(`${cand}: backend failed to initialise`);
    } catch (err) {
      skipped.push(`${cand}: ${describeError(err).split('\n')[0]}`);
    }
  }
  throw new TickcastError(
    ErrorCodes.BACKEND_UNAVAILABLE,
    `no tfjs backend could be initialised (${skipped.join('; ')}); ` +
      (prefer === 'auto' ? 'reinstall node_modules' : `set the model backend to "auto" instead of "${prefer}"`),
    { details: { skipped } },
  );
}

/**
 * Choose and initialise the backend. Idempotent: later calls return the first result (a different
 * explicit preference after the first call is an error, since tensors may already live on it).
 */
export function initBackend(opts: BackendOptions = {}): Promise<BackendInfo> {
  const prefer = opts.prefer ?? 'auto';
  if (chosen) {
    if (prefer !== 'auto' && chosenPreference !== prefer) {
      return chosen.then((info) => {
        if (info.source === prefer) return info;
        throw new TickcastError(
          ErrorCodes.BACKEND_UNAVAILABLE,
          `tfjs backend already initialised as "${info.source}"; cannot switch to "${prefer}" in the same process`,
        );
      });
    }
    return chosen;
  }
  chosenPreference = prefer;
  chosen = select(prefer, opts.nativeKernels ?? true).then((info) => {
    opts.log?.(`tfjs backend: ${info.name} (${info.source})${info.matmul ? `, matrix products: ${info.matmul}` : ''}`, info);
    return info;
  });
  chosen.catch(() => {
    chosen = undefined;
  });
  return chosen;
}

/** Name of the backend in use, once initBackend() has resolved; undefined before. */
export function currentBackend(): string | undefined {
  return chosen ? tf.getBackend() : undefined;
}
