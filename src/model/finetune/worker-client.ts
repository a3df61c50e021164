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
import type { WorkerReply, WorkerRequest } from './protocol.ts';

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

  constructor() {
    const entry = new URL('./worker.ts', import.meta.url).href;
    const tsxApi = import.meta.resolve('tsx/esm/api');
    this.#worker = new Worker(BOOT, { eval: true, workerData: { entry, tsxApi }, stdout: false, stderr: false });
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
      throw new TickcastError(code, reply.error.message, { retriable: true });
    }
    return reply as R;
  }

  /** Free the worker's tensors and end the thread (forcefully after `graceMs`). */
  close(graceMs = 5_000): Promise<void> {
    this.#closing ??= (async () => {
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
