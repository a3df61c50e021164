/**
 * ONNX serving on several cores in one process (`model.onnxWorkers` ≥ 1; docs/inference.md):
 * onnxruntime-node 1.30 runs `session.run` synchronously on the calling thread, so in-process
 * calls never overlap however many batches are in flight (measured: two concurrent calls take as
 * long as two in a row). The pool keeps one session per `worker_threads` thread (./onnx-thread.ts,
 * CPU provider, `intraOpThreads` each) and sends each call to the thread with the fewest calls in
 * flight; windows are copied in, forecasts transferred back. Same outputs as the in-process
 * predictor (same graph, same runtime). A thread that dies fails its calls with a coded error and
 * leaves the pool; the others go on serving, and a fresh thread takes its place. A thread that
 * leaves a call unanswered for `callTimeoutMs` (a hung native run) fails its calls the same way
 * (retriable: the source does not commit, the records come again) and is replaced too; it is not
 * terminated inside the run (that can abort the process: docs/inference.md), only unreferenced,
 * and ended once it answers. `dispose` waits for calls in flight, then ends the threads.
 */
import './ort-env.ts'; // before onnxruntime-node: its telemetry off
import type { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../../domain/types.ts';
import { describeError, ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { PredictBatch, PredictResult, Predictor } from '../../pipeline/ports.ts';
import { startModuleWorker } from '../thread-boot.ts';
import type { OnnxThreadInit, OnnxThreadReply, OnnxThreadRequest } from './onnx-thread.ts';

const ENTRY = new URL('./onnx-thread.ts', import.meta.url);
/** model.onnxCallTimeoutMs's default: far above any batch's run (tens of ms), far below a stall anyone would wait out. */
const DEFAULT_CALL_TIMEOUT_MS = 30_000;

interface Pending {
  resolve: (r: PredictResult) => void;
  reject: (e: unknown) => void;
  timer: NodeJS.Timeout | null;
}

class ServingThread {
  readonly pending = new Map<number, Pending>();
  dead: Error | null = null;
  /** Left a call unanswered past the pool's callTimeoutMs: out of the pool, ended once it answers. */
  hung = false;
  readonly ended: Promise<void>;

  constructor(readonly worker: Worker) {
    this.ended = new Promise((resolve) => worker.once('exit', () => resolve()));
  }

  fail(err: Error): void {
    this.dead ??= err;
    for (const p of this.pending.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.worker.unref();
  }

  /** An idle thread does not keep the process alive (a CLI that never disposes its model still exits); one with calls in flight does. */
  track(): void {
    if (this.pending.size > 0) this.worker.ref();
    else this.worker.unref();
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
  /** A call a thread has not answered after this long fails (retriable) and the thread is replaced (default 30 s; 0: wait forever). */
  callTimeoutMs?: number;
  /** The thread module (tests stand in a thread that hangs); ./onnx-thread.ts by default. */
  entry?: URL;
  /** Told the seconds a serving thread spent on each call it answered (its utilisation, with `onThreads`). */
  onBusy?: (seconds: number) => void;
  /** Told the number of live serving threads whenever it changes (not while disposing). */
  onThreads?: (threads: number) => void;
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/** Starts one serving thread; resolves once its session is open. */
function startThread(init: OnnxThreadInit, entry: URL): Promise<ServingThread> {
  return new Promise((resolve, reject) => {
    const t = new ServingThread(startModuleWorker(entry, init));
    const onFirst = (m: OnnxThreadReply) => {
      if ('failed' in m) {
        void t.worker.terminate();
        reject(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `onnxruntime could not load the exported model in a serving thread (${m.failed}); set model.onnxWorkers to 0 or model.engine to "tfjs"`));
      } else if ('ready' in m) {
        t.track();
        resolve(t);
      }
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
  /** Threads starting in place of dead or hung ones (dispose waits for them, then ends them). */
  readonly #starting = new Set<Promise<void>>();

  private constructor(
    private readonly threads: ServingThread[],
    private readonly init: OnnxThreadInit,
    private readonly opts: OnnxPoolOptions & { entry: URL },
  ) {
    for (const t of threads) this.#watch(t);
  }

  get spec(): ModelSpec {
    return this.opts.spec;
  }

  get version(): string {
    return this.opts.version;
  }

  static async create(bytes: Uint8Array, opts: OnnxPoolOptions): Promise<OnnxPoolPredictor> {
    if (!(Number.isInteger(opts.threads) && opts.threads >= 1)) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `model.onnxWorkers must be an integer ≥ 1 for a pool; got ${opts.threads}`);
    const init: OnnxThreadInit = { bytes, spec: opts.spec, version: opts.version, intraOpThreads: opts.intraOpThreads ?? 1, maxRunBatch: opts.maxRunBatch };
    const entry = opts.entry ?? ENTRY;
    const started = await Promise.allSettled(Array.from({ length: opts.threads }, () => startThread(init, entry)));
    const ok = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(ok.map((t) => t.worker.terminate()));
      throw failed.reason;
    }
    opts.log?.(`onnx engine: provider cpu, ${ok.length} serving threads`, { provider: 'cpu', threads: ok.length, modelBytes: bytes.length });
    opts.onThreads?.(ok.length);
    return new OnnxPoolPredictor(ok, init, { ...opts, entry });
  }

  #watch(t: ServingThread): void {
    t.worker.on('message', (m: OnnxThreadReply) => this.#onReply(t, m));
    t.worker.on('error', (err) => t.fail(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `ONNX serving thread failed: ${err.message}`, { cause: err, retriable: true })));
    t.worker.on('exit', (code) => {
      const serving = this.threads.includes(t); // not one already replaced (hung)
      t.fail(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `ONNX serving thread exited (code ${code})`, { retriable: true }));
      if (serving) this.#replace(t, `a serving thread exited (code ${code})`);
    });
  }

  /** A call `t` left unanswered past callTimeoutMs: fail its calls and replace it (see the file comment). */
  #onHung(t: ServingThread, ms: number): void {
    if (t.dead !== null) return;
    t.fail(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `an ONNX serving thread of model ${this.version} did not answer a call within ${ms} ms (a hung run); it is replaced`, { retriable: true }));
    t.hung = true; // fail() unreferenced it: it does not hold the process while stalled
    this.#replace(t, `a serving thread did not answer within ${ms} ms (hung)`);
  }

  /** Take `t` out of the pool and start a fresh thread in its place (none while disposing; a replacement that fails to start is logged, not retried). */
  #replace(t: ServingThread, why: string): void {
    const i = this.threads.indexOf(t);
    if (i >= 0) this.threads.splice(i, 1);
    if (this.#closing) return;
    this.opts.onThreads?.(this.liveThreads);
    this.opts.log?.(`onnx engine: ${why}; starting another`, { liveThreads: this.liveThreads });
    const next = startThread(this.init, this.opts.entry).then(
      (n) => {
        if (this.#closing) return void n.worker.terminate();
        this.#watch(n);
        this.threads.push(n);
        this.opts.onThreads?.(this.liveThreads);
      },
      (err: unknown) => this.opts.log?.('onnx engine: the replacement serving thread failed to start', { error: describeError(err) }),
    );
    this.#starting.add(next);
    void next.finally(() => this.#starting.delete(next));
  }

  /** Live threads (tests, metrics). */
  get liveThreads(): number {
    return this.threads.filter((t) => t.dead === null).length;
  }

  predict(batch: PredictBatch, opts: { attention?: boolean } = {}): Promise<PredictResult> {
    if (this.#closing) return Promise.reject(new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `model ${this.version} is being disposed; retry on the current model`, { retriable: true, statusCode: 503 }));
    let best: ServingThread | null = null;
    for (const t of this.threads) if (t.dead === null && (best === null || t.pending.size < best.pending.size)) best = t;
    if (best === null) return Promise.reject(new TickcastError(ErrorCodes.ENGINE_UNAVAILABLE, `every ONNX serving thread of model ${this.version} has died`, { retriable: true }));
    const id = this.#nextId++;
    const x = batch.x.slice(); // the caller may reuse its buffer; this copy is transferred
    const t = best;
    const ms = this.opts.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const call = new Promise<PredictResult>((resolve, reject) => {
      const timer = ms > 0 ? setTimeout(() => this.#onHung(t, ms), ms) : null;
      t.pending.set(id, { resolve, reject, timer });
      t.track();
      t.worker.postMessage({ id, x, batch: batch.batch, attention: opts.attention ?? false } satisfies OnnxThreadRequest, [x.buffer as ArrayBuffer]);
    });
    this.#inFlight.add(call);
    const done = () => this.#inFlight.delete(call);
    call.then(done, done);
    return call;
  }

  #onReply(t: ServingThread, m: OnnxThreadReply): void {
    if (t.hung) return void t.worker.terminate(); // its run is over: end it (its calls were failed)
    if (!('id' in m)) return;
    const p = t.pending.get(m.id);
    if (!p) return;
    this.opts.onBusy?.(m.busyMs / 1000);
    t.pending.delete(m.id);
    t.track();
    if (p.timer) clearTimeout(p.timer);
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
      await Promise.allSettled([...this.#starting]);
      for (const t of this.threads) if (t.dead === null) t.worker.postMessage({ close: true } satisfies OnnxThreadRequest);
      const grace = setTimeout(() => this.threads.forEach((t) => void t.worker.terminate()), 5_000);
      await Promise.all(this.threads.map((t) => t.ended));
      clearTimeout(grace);
    })();
    return this.#closing;
  }
}
