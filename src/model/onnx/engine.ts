/**
 * Inference engine choice: `onnx` (the exported graph on onnxruntime-node), `tfjs` (the training
 * model itself) or `auto` (onnx when it loads and agrees with tfjs, else tfjs).
 *
 * onnxruntime-node is imported lazily so a missing or broken native binary degrades to tfjs with
 * a logged reason instead of crashing the process. Before an ONNX engine is handed out, a small
 * parity check runs the same windows through tfjs and ONNX; a disagreement above
 * `parityTolerance` means the export is wrong for this model, and serving falls back to tfjs.
 */
import type { ModelSpec } from '../../domain/types.ts';
import { describeError } from '../../errors/index.ts';
import type { Predictor } from '../../pipeline/ports.ts';
import type { ResolvedHybridConfig } from '../config.ts';
import { mulberry32 } from '../random.ts';
import type { WeightMap } from '../weight-names.ts';
import type { ExecutionProviderPreference } from './onnx-predictor.ts';
import type { OnnxPoolOptions } from './onnx-pool.ts';

export type EngineChoice = 'auto' | 'onnx' | 'tfjs';

export interface InferenceEngineOptions {
  engine: EngineChoice;
  weights: WeightMap;
  config: ResolvedHybridConfig;
  spec: ModelSpec;
  version: string;
  /** onnxruntime intra-op threads (0 → its default). */
  intraOpThreads?: number;
  /** CPU serving threads (./onnx-pool.ts); 0 (default): in process. Ignored when CUDA serves. */
  onnxWorkers?: number;
  /** onnxWorkers came from `auto`: a pool that fails to start serves in the main thread instead (an explicit number falls back to tfjs, as any ONNX failure). */
  poolOptional?: boolean;
  /** The serving threads' module (tests: one that cannot start); ./onnx-thread.ts by default. */
  poolEntry?: URL;
  /** A pool call unanswered this long fails and its thread is replaced (./onnx-pool.ts; default 30 s). */
  onnxCallTimeoutMs?: number;
  /** The pool's busy time and live thread count, for metrics (./onnx-pool.ts onBusy/onThreads). */
  poolHooks?: Pick<OnnxPoolOptions, 'onBusy' | 'onThreads'>;
  executionProvider?: ExecutionProviderPreference;
  /**
   * The ONNX graph of the same weights, exported elsewhere (the fine-tune trainer, off the serving
   * thread). Default, or if it fails: exported here.
   */
  onnxBytes?: () => Promise<Uint8Array>;
  /** Builds the tfjs predictor for the same weights: the fallback, and the parity referee. */
  tfjs: () => Predictor | Promise<Predictor>;
  /** Windows checked through both engines before ONNX is used; 0 skips the check. Default 4. */
  parityWindows?: number;
  /** Largest |onnx − tfjs| accepted by the check. Default 1e-3 (tests assert 1e-4 on random weights). */
  parityTolerance?: number;
  log?: (level: 'info' | 'warn', msg: string, fields: Record<string, unknown>) => void;
}

export interface InferenceEngine {
  predictor: Predictor;
  /** Why the ONNX engine is not in use, when it was asked for (explicitly or by `auto`). */
  fallbackReason?: string;
  /** max |onnx − tfjs| measured by the parity check, when it ran. */
  parityMaxAbsDiff?: number;
  /** The ONNX graph the engine serves (absent when tfjs serves). */
  graph?: Uint8Array;
}

/** Deterministic windows for the parity check: sines with noise, per feature. */
function checkWindows(batch: number, W: number, F: number): Float32Array {
  const rand = mulberry32(12345);
  const x = new Float32Array(batch * W * F);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < F; f++) {
      const phase = rand() * 6.28;
      for (let w = 0; w < W; w++) x[(b * W + w) * F + f] = Math.sin(phase + w / (3 + f)) + (rand() - 0.5) * 0.5;
    }
  }
  return x;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

type EngineLog = NonNullable<InferenceEngineOptions['log']>;

/** The ONNX predictor, and its graph: a pool of serving threads (onnxWorkers, CPU) or one session in this thread. Throws when onnxruntime cannot serve. */
async function openOnnx(opts: InferenceEngineOptions, log: EngineLog): Promise<{ onnx: Predictor; graph: Uint8Array }> {
  const { OnnxPredictor, cudaProviderInstalled } = await import('./onnx-predictor.ts');
  const o = {
    spec: opts.spec,
    version: opts.version,
    intraOpThreads: opts.intraOpThreads,
    executionProvider: opts.executionProvider,
    log: (msg: string, fields: Record<string, unknown>) => log('info', msg, fields),
  };
  const bytes = opts.onnxBytes
    ? await opts.onnxBytes().catch((err: unknown) => {
        log('warn', `ONNX export elsewhere failed (${describeError(err).split('\n')[0]}); exporting here`, {});
        return null;
      })
    : null;
  const pref = opts.executionProvider ?? 'auto';
  const pooled = (opts.onnxWorkers ?? 0) > 0 && (pref === 'cpu' || (pref === 'auto' && !cudaProviderInstalled()));
  const graph = bytes ?? (await import('./export-hybrid.ts')).exportOnnx(opts.weights, opts.config, opts.spec, { version: opts.version });
  if (!pooled) return { onnx: await OnnxPredictor.fromBytes(graph, o), graph };
  const { OnnxPoolPredictor } = await import('./onnx-pool.ts');
  const pool = await OnnxPoolPredictor.create(graph, { ...o, threads: opts.onnxWorkers!, intraOpThreads: opts.intraOpThreads || 1, callTimeoutMs: opts.onnxCallTimeoutMs, entry: opts.poolEntry, ...opts.poolHooks }).catch((err: unknown) => {
    if (!opts.poolOptional) throw err;
    log('warn', `ONNX serving threads unavailable (${describeError(err).split('\n')[0]}); serving in the main thread`, {});
    return null;
  });
  return { onnx: pool ?? (await OnnxPredictor.fromBytes(graph, o)), graph };
}

/** Picks and builds the engine. Never throws for ONNX problems: those fall back to tfjs. */
export async function createInferenceEngine(opts: InferenceEngineOptions): Promise<InferenceEngine> {
  const log = opts.log ?? (() => {});
  if (opts.engine === 'tfjs') return { predictor: await opts.tfjs() };

  let onnx: Predictor;
  let graph: Uint8Array;
  try {
    ({ onnx, graph } = await openOnnx(opts, log));
  } catch (err) {
    const reason = `onnxruntime unavailable: ${describeError(err).split('\n')[0]}`;
    log(opts.engine === 'onnx' ? 'warn' : 'info', `inference engine: tfjs (${reason})`, { requested: opts.engine, reason });
    return { predictor: await opts.tfjs(), fallbackReason: reason };
  }

  const n = opts.parityWindows ?? 4;
  if (n === 0) {
    log('info', `inference engine: onnx (${onnx.backend})`, { requested: opts.engine, provider: onnx.backend });
    return { predictor: onnx, graph };
  }
  const tol = opts.parityTolerance ?? 1e-3;
  const tfjs = await opts.tfjs();
  let diff: number;
  try {
    const x = checkWindows(n, opts.spec.window, opts.spec.features.length);
    const [a, b] = await Promise.all([onnx.predict({ x, batch: n }, { attention: true }), tfjs.predict({ x, batch: n }, { attention: true })]);
    diff = Math.max(maxAbsDiff(a.y, b.y), maxAbsDiff(a.attention!, b.attention!));
  } catch (err) {
    diff = Infinity;
    log('warn', `ONNX parity check failed to run: ${describeError(err)}`, {});
  }
  if (diff <= tol) {
    await tfjs.dispose();
    log('info', `inference engine: onnx (${onnx.backend}), parity max |Δ| ${diff.toExponential(2)}`, { requested: opts.engine, provider: onnx.backend, parityMaxAbsDiff: diff });
    return { predictor: onnx, parityMaxAbsDiff: diff, graph };
  }
  await onnx.dispose();
  const reason = `ONNX output differs from tfjs by ${diff} (> ${tol}) on the parity check`;
  log('warn', `inference engine: tfjs (${reason})`, { requested: opts.engine, reason });
  return { predictor: tfjs, fallbackReason: reason, parityMaxAbsDiff: diff };
}
