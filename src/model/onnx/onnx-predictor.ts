/**
 * The ONNX inference engine: a `Predictor` backed by one onnxruntime-node InferenceSession over the
 * graph from ./export-hybrid.ts. Execution provider: CUDA when its provider library is installed
 * (GPU image) and initialises, else CPU with the configured intra-op threads.
 *
 * Concurrency: onnxruntime-node runs the graph off the JS thread (the event loop stays free) and
 * sessions accept concurrent `run` calls; `dispose()` stops accepting new calls, waits for the
 * in-flight ones, then releases the session (safe to call twice). Large batches are cut into
 * consecutive runs of `maxRunBatch` windows (faster on CPU, see below).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import './ort-env.ts'; // before onnxruntime-node: its telemetry off
import * as ort from 'onnxruntime-node';
import type { ModelSpec } from '../../domain/types.ts';
import { ErrorCodes, TickcastError, describeError } from '../../errors/index.ts';
import type { PredictBatch, PredictResult, Predictor } from '../../pipeline/ports.ts';
import type { ResolvedHybridConfig } from '../config.ts';
import type { WeightMap } from '../weight-names.ts';
import { exportOnnx } from './export-hybrid.ts';

export type ExecutionProviderPreference = 'auto' | 'cuda' | 'cpu';

export interface OnnxPredictorOptions {
  spec: ModelSpec;
  version: string;
  /** onnxruntime intra-op threads; 0 → onnxruntime's default (one per physical core). */
  intraOpThreads?: number;
  /** 'auto' tries CUDA when its provider library is installed, then CPU. */
  executionProvider?: ExecutionProviderPreference;
  /**
   * Largest batch per onnxruntime call; bigger batches run as consecutive calls of this size.
   * Default 32 on CPU (measured: a 512-window batch costs ~40% more CPU per window as one call than
   * as 32-window calls, since the activations stop fitting in cache — docs/inference.md),
   * unlimited on CUDA.
   */
  maxRunBatch?: number;
  /** One-line startup log (provider chosen and why others were skipped). */
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/** Directory of the onnxruntime-node native binding (where provider libraries would sit). */
function bindingDir(): string | null {
  try {
    const req = createRequire(import.meta.url);
    const root = path.dirname(req.resolve('onnxruntime-node/package.json'));
    return path.join(root, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return null;
  }
}

/** True when the CUDA execution provider library is installed next to the binding. */
export function cudaProviderInstalled(): boolean {
  const dir = bindingDir();
  return dir !== null && existsSync(path.join(dir, 'libonnxruntime_providers_cuda.so'));
}

async function createSession(bytes: Uint8Array, opts: OnnxPredictorOptions): Promise<{ session: ort.InferenceSession; provider: string; skipped: string[] }> {
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    interOpNumThreads: 1,
    ...(opts.intraOpThreads ? { intraOpNumThreads: opts.intraOpThreads } : {}),
  };
  const pref = opts.executionProvider ?? 'auto';
  const skipped: string[] = [];
  if (pref === 'cuda' || (pref === 'auto' && cudaProviderInstalled())) {
    try {
      const session = await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cuda', 'cpu'], logSeverityLevel: 4 });
      return { session, provider: 'cuda', skipped };
    } catch (err) {
      if (pref === 'cuda') {
        throw new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `ONNX CUDA execution provider failed to start (${describeError(err)}); install the CUDA build of onnxruntime-node or set the provider to "auto"`, { cause: err });
      }
      skipped.push(`cuda: ${describeError(err).split('\n')[0]}`);
    }
  } else if (pref === 'auto') {
    skipped.push('cuda: provider library not installed');
  }
  const session = await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cpu'] });
  return { session, provider: 'cpu', skipped };
}

/** CPU default for `maxRunBatch` (see OnnxPredictorOptions). */
export const DEFAULT_CPU_RUN_BATCH = 32;

export class OnnxPredictor implements Predictor {
  readonly engine = 'onnx';
  private inFlight = new Set<Promise<unknown>>();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly spec: ModelSpec,
    readonly version: string,
    readonly backend: string,
    /** Size of the serialised ONNX model in bytes. */
    readonly modelBytes: number,
    /** Largest batch per onnxruntime call. */
    readonly maxRunBatch: number,
  ) {}

  /** Session over an already exported ONNX model. */
  static async fromBytes(bytes: Uint8Array, opts: OnnxPredictorOptions): Promise<OnnxPredictor> {
    let created;
    try {
      created = await createSession(bytes, opts);
    } catch (err) {
      if (err instanceof TickcastError) throw err;
      throw new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `onnxruntime could not load the exported model (${describeError(err)}); set model.engine to "tfjs" to serve without ONNX`, { cause: err });
    }
    opts.log?.(`onnx engine: provider ${created.provider}`, { provider: created.provider, skipped: created.skipped, modelBytes: bytes.length });
    const runBatch = opts.maxRunBatch ?? (created.provider === 'cpu' ? DEFAULT_CPU_RUN_BATCH : Infinity);
    return new OnnxPredictor(created.session, opts.spec, opts.version, created.provider, bytes.length, runBatch);
  }

  /** Exports the weights to ONNX and opens a session over them. */
  static async fromWeights(weights: WeightMap, config: ResolvedHybridConfig, opts: OnnxPredictorOptions): Promise<OnnxPredictor> {
    return OnnxPredictor.fromBytes(exportOnnx(weights, config, opts.spec, { version: opts.version }), opts);
  }

  async predict(batch: PredictBatch, opts: { attention?: boolean } = {}): Promise<PredictResult> {
    if (this.closing) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `model ${this.version} is being disposed; retry on the current model`, { retriable: true, statusCode: 503 });
    const { window: W, features } = this.spec;
    const F = features.length;
    if (!Number.isInteger(batch.batch) || batch.batch < 1 || batch.x.length !== batch.batch * W * F) {
      throw new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, `model input must hold batch × ${W} × ${F} values; got ${batch.x.length} values for batch ${batch.batch}`, { statusCode: 400 });
    }
    // Copy now: onnxruntime-node reads its inputs on a later tick, and the caller may reuse its buffer.
    const run = this.runChunked({ x: batch.x.slice(), batch: batch.batch }, opts.attention ?? false);
    this.inFlight.add(run);
    try {
      return await run;
    } finally {
      this.inFlight.delete(run);
    }
  }

  /** One onnxruntime call per ≤ maxRunBatch windows, outputs concatenated in order. */
  private async runChunked(batch: PredictBatch, attention: boolean): Promise<PredictResult> {
    const { window: W, features, horizon, targets, quantiles } = this.spec;
    const F = features.length;
    const fetches = attention ? ['y', 'attention'] : ['y'];
    const call = async (from: number, n: number) => {
      const x = new ort.Tensor('float32', batch.x.subarray(from * W * F, (from + n) * W * F), [n, W, F]);
      const out = await this.session.run({ x }, fetches);
      return { y: out.y.data as Float32Array, attention: attention ? (out.attention.data as Float32Array) : undefined };
    };
    if (batch.batch <= this.maxRunBatch) {
      const r = await call(0, batch.batch);
      return r.attention ? { y: r.y, attention: r.attention } : { y: r.y };
    }
    const perY = horizon * targets.length * quantiles.length;
    const y = new Float32Array(batch.batch * perY);
    const att = attention ? new Float32Array(batch.batch * W) : undefined;
    for (let from = 0; from < batch.batch; from += this.maxRunBatch) {
      const n = Math.min(this.maxRunBatch, batch.batch - from);
      const r = await call(from, n);
      y.set(r.y, from * perY);
      if (att && r.attention) att.set(r.attention, from * W);
    }
    return att ? { y, attention: att } : { y };
  }

  /** Calls in progress (for drain metrics and tests). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  dispose(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.inFlight]);
      await this.session.release();
    })();
    return this.closing;
  }
}
