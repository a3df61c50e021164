/**
 * Main-thread handle on the fine-tune worker. The worker is TypeScript run through tsx: a tiny
 * CommonJS bootstrap (eval'd) registers tsx's ESM loader inside the new thread, then imports
 * ./worker.ts (Node 20 workers do not inherit `--import tsx` from execArgv reliably).
 *
 * Every request gets a promise; a dead worker rejects them all. `close()` asks the worker to free
 * its tensors, then terminates it; safe to call twice.
 */
import { Worker } from 'node:worker_threads';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { ModelSpec } from '../../domain/types.ts';
import type { PredictBatch, PredictResult, Predictor } from '../../pipeline/ports.ts';
import type { ModelRole, WorkerReply, WorkerRequest } from './protocol.ts';

const BOOT = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then((m) => { m.register(); return import(workerData.entry); });
`;

export class WorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: unknown) => void }>();
  #nextId = 1;
  #dead: Error | null = null;
  #closing: Promise<void> | undefined;
  /** Resolves with the exit code once the thread has ended. */
  readonly exited: Promise<number>;
  /** Shared flag the worker checks between training steps: non-zero aborts the running round. */
  readonly #abort = new Int32Array(new SharedArrayBuffer(4));

  constructor() {
    const entry = new URL('./worker.ts', import.meta.url).href;
    const tsxApi = import.meta.resolve('tsx/esm/api');
    this.#worker = new Worker(BOOT, { eval: true, workerData: { entry, tsxApi, abort: this.#abort }, stdout: false, stderr: false });
    this.exited = new Promise((resolve) => this.#worker.once('exit', resolve));
    this.#worker.on('message', (m: { id: number; reply: WorkerReply }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      p.resolve(m.reply);
    });
    const fail = (err: Error) => {
      this.#dead ??= err;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
    };
    this.#worker.on('error', (err) => fail(new TickcastError(ErrorCodes.INTERNAL, `fine-tune worker failed: ${err.message}`, { cause: err })));
    this.#worker.on('exit', (code) => fail(new TickcastError(ErrorCodes.INTERNAL, `fine-tune worker exited (code ${code})`)));
  }

  /** Abort the training round in progress (if any) at its next step, and any started until cleared. */
  abortTraining(on: boolean): void {
    Atomics.store(this.#abort, 0, on ? 1 : 0);
  }

  get threadId(): number {
    return this.#worker.threadId;
  }

  /** Send a request; rejects with the worker's error (code preserved) when it fails. */
  async call<R extends WorkerReply & { ok: true }>(req: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<R> {
    if (this.#dead) throw this.#dead;
    const id = this.#nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, req }, transfer);
    });
    if (!reply.ok) {
      const code = Object.values(ErrorCodes).includes(reply.error.code as never) ? (reply.error.code as (typeof ErrorCodes)[keyof typeof ErrorCodes]) : ErrorCodes.INTERNAL;
      throw new TickcastError(code, reply.error.message, { retriable: true, details: { workerCode: reply.error.code } });
    }
    return reply as R;
  }

  /** Free the worker's tensors and end the thread (forcefully after `graceMs`). */
  close(graceMs = 5_000): Promise<void> {
    this.#closing ??= (async () => {
      this.abortTraining(true);
      if (!this.#dead) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          this.call({ type: 'close' }).catch(() => undefined),
          new Promise((r) => {
            timer = setTimeout(r, graceMs);
          }),
        ]);
        clearTimeout(timer);
      }
      await this.#worker.terminate();
    })();
    return this.#closing;
  }
}

/**
 * A Predictor answered by one of the worker's models: the parity referee when a new ONNX engine
 * is built on promotion or automatic rollback, so the check costs the serving thread nothing.
 * Never used to serve (the worker is busy training); `dispose` does nothing.
 */
export class WorkerRefereePredictor implements Predictor {
  readonly engine = 'tfjs';
  readonly backend = 'worker';
  readonly spec: ModelSpec;
  readonly version: string;
  readonly #client: WorkerClient;
  readonly #role: ModelRole;

  constructor(client: WorkerClient, role: ModelRole, spec: ModelSpec, version: string) {
    this.#client = client;
    this.#role = role;
    this.spec = spec;
    this.version = version;
  }

  async predict(batch: PredictBatch, opts: { attention?: boolean } = {}): Promise<PredictResult> {
    const r = await this.#client.call<WorkerReply & { ok: true; y: Float32Array; attention?: Float32Array }>({ type: 'predict', role: this.#role, x: new Float32Array(batch.x), batch: batch.batch, attention: opts.attention ?? false });
    return r.attention ? { y: r.y, attention: r.attention } : { y: r.y };
  }

  async dispose(): Promise<void> {}
}
