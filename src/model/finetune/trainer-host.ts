/**
 * The serving side's handle on the fine-tune trainer (./worker.ts, a child process by default):
 * starts it holding the champion, restarts it with backoff when it dies, forwards requests, and
 * lends it out for the engine work of a promotion (ONNX export and the parity referee).
 */
import type { Config } from '../../config/load.ts';
import { describeError, ErrorCodes, TickcastError } from '../../errors/index.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { EngineOffload } from '../engine-builder.ts';
import type { ModelVersion } from '../version-registry.ts';
import type { ModelRole, WorkerReply, WorkerRequest } from './protocol.ts';
import { WorkerClient, WorkerRefereePredictor, type TrainerIsolation } from './worker-client.ts';

/** V8 heap limit of a trainer process (its tensors live in wasm memory, outside this heap). */
const TRAINER_HEAP_MB = 512;
const MAX_BACKOFF_MS = 300_000;

export interface TrainerHostOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  isolation: TrainerIsolation;
  niceness: number;
  dutyCycle: number;
  champion: () => ModelVersion;
  pinned: () => boolean;
}

type TrainRequest = Omit<Extract<WorkerRequest, { type: 'train' }>, 'type' | 'dutyCycle'>;
export type TrainResult = Extract<WorkerReply, { trained: unknown }>['trained'];

export class TrainerHost {
  readonly #o: TrainerHostOptions;
  #worker: WorkerClient | null = null;
  #exited: Promise<number> | null = null;
  #nice: number | null | undefined;
  /** Starts on taking the lease (lead()): the earliest next attempt after a failed one, and the backoff. */
  #startAt = 0;
  #startBackoff = 1_000;

  constructor(o: TrainerHostOptions) {
    this.#o = o;
  }

  get running(): boolean {
    return this.#worker !== null;
  }

  /** The error the trainer died of (null while alive or never started). */
  get dead(): Error | null {
    return this.#worker?.dead ?? null;
  }

  /** Resolves when the trainer (the last one started) has ended (after close()); null if it never started. */
  get exited(): Promise<number> | null {
    return this.#worker?.exited ?? this.#exited;
  }

  describe(): Record<string, unknown> {
    const w = this.#worker;
    return { isolation: this.#o.isolation, running: w !== null, ...(w?.pid !== undefined ? { pid: w.pid } : {}), ...(this.#nice !== undefined ? { nice: this.#nice } : {}) };
  }

  /** Start the trainer; false (logged) when it fails to start. */
  async start(): Promise<boolean> {
    try {
      this.#worker = await this.#spawn();
      return true;
    } catch (err) {
      this.#o.logger.error({ err: describeError(err) }, 'fine-tune trainer failed to start; serving continues without online fine-tuning');
      return false;
    }
  }

  /**
   * With a shared model dir the trainer runs only while this replica holds the fine-tune lease: a
   * follower keeps no training model, optimizer state or process (docs/finetuning.md § Several
   * replicas). Not leading: the trainer ends (the round in flight was dropped already: the
   * coordinator's championChanged). Leading: a trainer holding the serving version starts, retried
   * with backoff (1 s … 5 min) when it fails. True when leading with a trainer.
   */
  async lead(leading: boolean): Promise<boolean> {
    if (!leading) {
      if (this.#worker) {
        this.#o.logger.info({ pid: this.#worker.pid }, 'fine-tune lease not held: fine-tune trainer stopped until this replica takes the lease');
        await this.close();
      }
      return false;
    }
    if (this.#worker) return true;
    if (Date.now() < this.#startAt) return false;
    if (!(await this.start())) {
      this.#startAt = Date.now() + this.#startBackoff;
      this.#startBackoff = Math.min(2 * this.#startBackoff, MAX_BACKOFF_MS);
      return false;
    }
    this.#startBackoff = 1_000;
    this.#worker!.abortTraining(this.#o.pinned());
    return true;
  }

  /**
   * The trainer died (crash, OOM kill): start a new one with the current champion, backing off
   * 1 s, 2 s, … up to 5 min while it keeps failing. Serving never depended on it. Returns false
   * when `signal` aborts first.
   */
  async restart(signal: AbortSignal): Promise<boolean> {
    const dead = this.#worker!;
    this.#o.logger.error({ err: describeError(dead.dead), pid: dead.pid }, 'fine-tune trainer died; restarting it (serving is unaffected)');
    await dead.close(1000);
    for (let delay = 1_000; ; delay = Math.min(2 * delay, MAX_BACKOFF_MS)) {
      if (await sleep(delay, signal)) return false;
      try {
        this.#worker = await this.#spawn();
        this.#o.metrics.trainerRestarts.inc();
        if (this.#o.pinned()) this.#worker.abortTraining(true);
        return true;
      } catch (err) {
        this.#o.logger.error({ err: describeError(err), retryInMs: Math.min(2 * delay, MAX_BACKOFF_MS) }, 'fine-tune trainer failed to restart');
      }
    }
  }

  call<R extends WorkerReply & { ok: true } = WorkerReply & { ok: true }>(req: WorkerRequest): Promise<R> {
    // Reaches the fine-tune loop's log line (with its code) and the round's reason: coded since 7 Dec 2026.
    if (!this.#worker) return Promise.reject(new TickcastError(ErrorCodes.FINETUNE_TRAINER_DOWN, 'the fine-tune trainer is not running (not started, failed to start, or stopped: this replica does not hold the fine-tune lease); fine-tuning resumes once one runs', { retriable: true }));
    return this.#worker.call<R>(req);
  }

  async train(req: TrainRequest): Promise<TrainResult> {
    return (await this.call<Extract<WorkerReply, { trained: unknown }>>({ type: 'train', ...req, dutyCycle: this.#o.dutyCycle })).trained;
  }

  async tensors(): Promise<number> {
    return (await this.call<WorkerReply & { ok: true; numTensors: number }>({ type: 'memory' })).numTensors;
  }

  /** Stop (true) or allow (false) training steps; a round in flight ends at its next step. */
  pause(on: boolean): void {
    this.#worker?.abortTraining(on);
  }

  /** The champion was replaced (generation `gen`): a round in flight under an older one ends at its next step. */
  supersede(gen: number): void {
    this.#worker?.supersede(gen);
  }

  /** The engine work for serving one of the trainer's models, done by the trainer. */
  offload(role: ModelRole): EngineOffload {
    const worker = this.#worker!;
    const spec = this.#o.champion().spec;
    return {
      referee: (version) => new WorkerRefereePredictor(worker, role, spec, version),
      exportOnnx: async (version) => (await worker.call<Extract<WorkerReply, { onnx: unknown }>>({ type: 'export', role, version })).onnx,
    };
  }

  /** End the trainer (its process or thread and every tensor in it); `start()` may start a new one. */
  async close(): Promise<void> {
    const w = this.#worker;
    if (!w) return;
    this.#worker = null;
    this.#exited = w.exited;
    await w.close();
  }

  /** Start a trainer holding the current champion. Throws if it fails to start (it is then ended). */
  async #spawn(): Promise<WorkerClient> {
    // The trainer's own heap limit: it would otherwise inherit the service's --max-old-space-size
    // from NODE_OPTIONS (60 % of the container limit in the image), and two such heaps do not fit.
    const o = this.#o;
    const w = new WorkerClient({ isolation: o.isolation, maxOldSpaceMb: TRAINER_HEAP_MB });
    try {
      const ch = o.champion();
      const r = await w.call<WorkerReply & { ok: true; backend?: string; matmul?: string; nice?: number | null }>({ type: 'init', backend: o.config.model.backend, nativeKernels: o.config.model.nativeKernels, config: ch.config, spec: ch.spec, weights: ch.weights, nice: o.niceness });
      this.#nice = r.nice;
      o.logger.info({ isolation: w.isolation, pid: w.pid, backend: r.backend, matmul: r.matmul, nice: r.nice, dutyCycle: o.dutyCycle, intervalMs: o.config.finetune.intervalMs, steps: o.config.finetune.steps }, `fine-tune trainer ready (${w.isolation})`);
      return w;
    } catch (err) {
      await w.close(1000);
      throw err;
    }
  }
}
