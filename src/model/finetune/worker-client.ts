/**
 * Serving-side handle on the fine-tune trainer (./worker.ts), in one of two isolations:
 *
 * - `process` (default): a child process started with `fork`, its own V8 with single-threaded
 *   GC (`--single-threaded-gc`) and every thread at the configured niceness. Measured on 2 cores:
 *   a trainer's garbage collection runs on V8 helper threads that a thread-level niceness does not
 *   reach, and they take the cores from serving (docs/finetuning.md § Why a process).
 * - `thread`: a `worker_threads` Worker (less memory; fine with cores to spare), started through
 *   ../thread-boot.ts (which registers tsx inside the thread when running from source).
 *
 * Messages are structured clones either way (`serialization: 'advanced'` for the process). Every
 * request gets a promise; a dead trainer rejects them all. `close()` asks the trainer to free its
 * tensors, then ends it (forcefully after `graceMs`); safe to call twice.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { ModelSpec } from '../../domain/types.ts';
import type { PredictBatch, PredictResult, Predictor } from '../../pipeline/ports.ts';
import { entryUrl, FROM_SOURCE, startModuleWorker } from '../thread-boot.ts';
import type { ModelRole, WorkerReply, WorkerRequest, WorkerSignal } from './protocol.ts';

export type TrainerIsolation = 'process' | 'thread';

export interface WorkerClientOptions {
  isolation?: TrainerIsolation;
  /** V8 heap limit of the trainer process in MiB (process isolation; default: V8's). */
  maxOldSpaceMb?: number;
}

/**
 * The trainer entry beside this file: worker.ts when running from source (tsx registered in the
 * child), worker.js when running the compiled dist/ (plain node, no loader).
 */
const WORKER_ENTRY = entryUrl(new URL('./worker.ts', import.meta.url));

/** The two transports behind one face. */
interface Transport {
  send(msg: unknown): void;
  /** End it now (after a graceful close, or when that timed out). */
  kill(): Promise<void>;
  /** Graceful end after `close` was answered: the process exits on disconnect. */
  release(): void;
  readonly pid: number | undefined;
}

function startThread(onMessage: (m: unknown) => void, onGone: (err: Error, code?: number) => void): Transport {
  const w = startModuleWorker(WORKER_ENTRY);
  w.on('message', onMessage);
  w.on('error', (err) => onGone(new TickcastError(ErrorCodes.INTERNAL, `fine-tune worker failed: ${err.message}`, { cause: err })));
  w.on('exit', (code) => onGone(new TickcastError(ErrorCodes.INTERNAL, `fine-tune worker exited (code ${code})`), code));
  return {
    send: (m) => w.postMessage(m),
    kill: async () => void (await w.terminate()),
    release: () => undefined,
    pid: undefined,
  };
}

function startProcess(onMessage: (m: unknown) => void, onGone: (err: Error, code?: number) => void, opts: WorkerClientOptions): Transport {
  const entry = fileURLToPath(WORKER_ENTRY);
  const loader = FROM_SOURCE ? ['--import', import.meta.resolve('tsx')] : [];
  const execArgv = [...loader, '--single-threaded-gc', ...(opts.maxOldSpaceMb ? [`--max-old-space-size=${opts.maxOldSpaceMb}`] : [])];
  const child: ChildProcess = fork(entry, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', onMessage);
  child.on('error', (err) => onGone(new TickcastError(ErrorCodes.INTERNAL, `fine-tune trainer process failed: ${err.message}`, { cause: err })));
  child.on('exit', (code, signal) =>
    // Shell convention for a signal: 128 + its number (SIGKILL → 137).
    onGone(new TickcastError(ErrorCodes.INTERNAL, `fine-tune trainer process exited (${signal ?? `code ${code}`})`), code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0)),
  );
  return {
    send: (m) => {
      if (!child.connected) throw new TickcastError(ErrorCodes.INTERNAL, 'fine-tune trainer process is not connected');
      child.send(m as never);
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    release: () => {
      if (child.connected) child.disconnect();
    },
    get pid() {
      return child.pid;
    },
  };
}

export class WorkerClient {
  readonly #t: Transport;
  readonly #pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: unknown) => void }>();
  #nextId = 1;
  #dead: Error | null = null;
  #closing: Promise<void> | undefined;
  readonly #exited: { promise: Promise<number>; resolve: (code: number) => void };
  readonly isolation: TrainerIsolation;

  constructor(opts: WorkerClientOptions = {}) {
    this.isolation = opts.isolation ?? 'process';
    let resolveExit!: (code: number) => void;
    this.#exited = { promise: new Promise((r) => (resolveExit = r)), resolve: resolveExit };
    const onMessage = (raw: unknown) => {
      const m = raw as { id: number; reply: WorkerReply };
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      p.resolve(m.reply);
    };
    const onGone = (err: Error, code?: number) => {
      this.#dead ??= err;
      for (const p of this.#pending.values()) p.reject(err);
      this.#pending.clear();
      if (code !== undefined) this.#exited.resolve(code);
    };
    this.#t = this.isolation === 'process' ? startProcess(onMessage, onGone, opts) : startThread(onMessage, onGone);
  }

  /** Resolves with the exit code once the trainer (thread or process) has ended (137: killed). */
  get exited(): Promise<number> {
    return this.#exited.promise;
  }

  /** The error it died of, once it has (null while alive). */
  get dead(): Error | null {
    return this.#dead;
  }

  /** The trainer's process id (process isolation), for operators and tests. */
  get pid(): number | undefined {
    return this.#t.pid;
  }

  /** Abort the training round in progress (if any) at its next step, and any started until cleared. */
  abortTraining(on: boolean): void {
    this.#signal({ abort: on });
  }

  #signal(s: WorkerSignal): void {
    if (this.#dead) return;
    try {
      this.#t.send(s);
    } catch {
      // Gone: nothing to abort.
    }
  }

  /** End a training round started under a champion generation below `gen` at its next step (it would be discarded). */
  supersede(gen: number): void {
    this.#signal({ supersede: gen });
  }

  /** Send a request; rejects with the trainer's error (code preserved) when it fails. */
  async call<R extends WorkerReply & { ok: true }>(req: WorkerRequest): Promise<R> {
    if (this.#dead) throw this.#dead;
    const id = this.#nextId++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#t.send({ id, req });
      } catch (err) {
        this.#pending.delete(id);
        reject(err);
      }
    });
    if (!reply.ok) {
      const code = Object.values(ErrorCodes).includes(reply.error.code as never) ? (reply.error.code as (typeof ErrorCodes)[keyof typeof ErrorCodes]) : ErrorCodes.INTERNAL;
      throw new TickcastError(code, reply.error.message, { retriable: true, details: { workerCode: reply.error.code } });
    }
    return reply as R;
  }

  /** Free the trainer's tensors and end it (forcefully after `graceMs`). */
  close(graceMs = 5_000): Promise<void> {
    this.#closing ??= (async () => {
      this.abortTraining(true);
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<'timeout'>((r) => {
        timer = setTimeout(() => r('timeout'), graceMs);
      });
      if (!this.#dead) {
        const answered = await Promise.race([this.call({ type: 'close' }).then(() => 'ok' as const, () => 'failed' as const), grace]);
        if (answered === 'ok') {
          this.#t.release();
          await Promise.race([this.exited, grace]);
        }
      }
      clearTimeout(timer);
      await this.#t.kill();
    })();
    return this.#closing;
  }
}

/**
 * A Predictor answered by one of the trainer's models: the parity referee when a new ONNX engine
 * is built on promotion or automatic rollback, so the check costs serving nothing.
 * Never used to serve (the trainer is busy training); `dispose` does nothing.
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
