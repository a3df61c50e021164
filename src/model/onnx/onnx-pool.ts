/**
 * ONNX serving on several cores in one process (`model.onnxWorkers` ≥ 1; docs/inference.md):
 * onnxruntime-node 1.30 runs `session.run` synchronously on the calling thread, so in-process
 * calls never overlap however many batches are in flight (measured: two concurrent calls take as
 * long as two in a row). The pool keeps one session per `worker_threads` thread (./onnx-thread.ts,
 * CPU provider, `intraOpThreads` each) and sends each call to the thread with the fewest calls in
 * flight; windows are copied in, forecasts transferred back. Same outputs as the in-process
 * predictor (same graph, same runtime). A thread that dies fails its calls with a coded error and
 * leaves the pool; the others go on serving. `dispose` waits for calls in flight, then ends the
 * threads.
 */
import type { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../../domain/types.ts';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { PredictBatch, PredictResult, Predictor } from '../../pipeline/ports.ts';
import { startModuleWorker } from '../thread-boot.ts';
import type { OnnxThreadInit, OnnxThreadReply, OnnxThreadRequest } from './onnx-thread.ts';

const ENTRY = new URL('./onnx-thread.ts', import.meta.url);

interface Pending {
  resolve: (r: PredictResult) => void;
  reject: (e: unknown) => void;
}

class ServingThread {
  readonly pending = new Map<number, Pending>();
  dead: Error | null = null;
  readonly ended: Promise<void>;

  constructor(readonly worker: Worker) {
    this.ended = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  fail(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

export interface OnnxPoolOptions {
  spec: ModelSpec;
  version: string;
  /** Threads in the pool (each its own onnxruntime session). */
  threads: number;
  /** onnxruntime intra-op threads per session (default 1). */
  intraOpThreads?: number;
  maxRunBatch?: number;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/** Starts one serving thread; resolves once its session is open. */
function startThread(init: OnnxThreadInit): Promise<ServingThread> {
  return new Promise((resolve, reject) => {
    const t = new ServingThread(startModuleWorker(ENTRY, init));
    const onFirst = (m: OnnxThreadReply) => {
      if ('failed' in m) {
        void t.worker.terminate();
        reject(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `onnxruntime could not load the exported model in a serving thread (${m.failed}); set model.onnxWorkers to 0 or model.engine to "tfjs"`));
      } else if ('ready' in m) resolve(t);
    };
    t.worker.once('message', onFirst);
    t.worker.once('error', (err) => reject(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `ONNX serving thread failed to start: ${err.message}`, { cause: err })));
    // Settled already when it ended after saying ready (or failed); otherwise start-up would wait forever.
    t.worker.once('exit', (code) => reject(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `ONNX serving thread exited (code ${code}) before its session was open`)));
  });
}

export class OnnxPoolPredictor implements Predictor {
  readonly engine = 'onnx';
  readonly backend = 'cpu';
  #nextId = 1;
  #closing: Promise<void> | null = null;
  readonly #inFlight = new Set<Promise<unknown>>();

  private constructor(
    private readonly threads: ServingThread[],
    readonly spec: ModelSpec,
    readonly version: string,
  ) {
    for (const t of threads) {
      t.worker.on('message', (m: OnnxThreadReply) => this.#onReply(t, m));
      t.worker.on('error', (err) => t.fail(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `ONNX serving thread failed: ${err.message}`, { cause: err, retriable: true })));
      t.worker.on('exit', (code) => t.fail(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `ONNX serving thread exited (code ${code})`, { retriable: true })));
    }
  }

  static async create(bytes: Uint8Array, opts: OnnxPoolOptions): Promise<OnnxPoolPredictor> {
    if (!(Number.isInteger(opts.threads) && opts.threads >= 1)) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `model.onnxWorkers must be an integer ≥ 1 for a pool; got ${opts.threads}`);
    const init: OnnxThreadInit = { bytes, spec: opts.spec, version: opts.version, intraOpThreads: opts.intraOpThreads ?? 1, maxRunBatch: opts.maxRunBatch };
    const started = await Promise.allSettled(Array.from({ length: opts.threads }, () => startThread(init)));
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(ok.map((t) => t.worker.terminate()));
      throw failed.reason;
    }
    opts.log?.(`onnx engine: provider cpu, ${ok.length} serving threads`, { provider: 'cpu', threads: ok.length, modelBytes: bytes.length });
    return new OnnxPoolPredictor(ok, opts.spec, opts.version);
  }

  /** Live threads (tests, metrics). */
  get liveThreads(): number {
    return this.threads.filter((t) => t.dead === null).length;
  }

  predict(batch: PredictBatch, opts: { attention?: boolean } = {}): Promise<PredictResult> {
    if (this.#closing) return Promise.reject(new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `model ${this.version} is being disposed; retry on the current model`, { retriable: true }));
    let best: ServingThread | null = null;
    for (const t of this.threads) if (t.dead === null && (best === null || t.pending.size < best.pending.size)) best = t;
    if (best === null) return Promise.reject(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `every ONNX serving thread of model ${this.version} has died`, { retriable: true }));
    const id = this.#nextId++;
    const x = batch.x.slice(); // the caller may reuse its buffer; this copy is transferred
    const t = best;
    const call = new Promise<PredictResult>((resolve, reject) => {
      t.pending.set(id, { resolve, reject });
      t.worker.postMessage({ id, x, batch: batch.batch, attention: opts.attention ?? false } satisfies OnnxThreadRequest, [x.buffer as ArrayBuffer]);
    });
    this.#inFlight.add(call);
    const done = () => this.#inFlight.delete(call);
    call.then(done, done);
    return call;
  }

  #onReply(t: ServingThread, m: OnnxThreadReply): void {
    if (!('id' in m)) return;
    const p = t.pending.get(m.id);
    if (!p) return;
    t.pending.delete(m.id);
    if ('error' in m) p.reject(new TickcastError(m.error.code, m.error.message, { statusCode: m.error.statusCode, retriable: m.error.retriable }));
    else p.resolve(m.attention ? { y: m.y, attention: m.attention } : { y: m.y });
  }

  /** Calls in progress (for drain metrics and tests). */
  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  dispose(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#inFlight]);
      for (const t of this.threads) if (t.dead === null) t.worker.postMessage({ close: true } satisfies OnnxThreadRequest);
      const grace = setTimeout(() => this.threads.forEach((t) => void t.worker.terminate()), 5_000);
      await Promise.all(this.threads.map((t) => t.ended));
      clearTimeout(grace);
    })();
    return this.#closing;
  }
}
