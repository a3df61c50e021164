/**
 * The inference stage shared by the stream and HTTP: one micro-batcher in front of the current
 * Predictor. Each job carries a normalised window; results come back per job. The predictor can
 * be swapped atomically (a promoted or rolled-back model): batches already running finish on the
 * model they started with, the next batch uses the new one, and the old one is disposed when its
 * last batch is done.
 */
import { MicroBatcher, type PressureEvent, type SubmitOptions } from '../domain/micro-batcher.ts';
import { ErrorCodes, TickcastError, isTickcastError } from '../errors/index.ts';
import type { ModelSpec } from '../domain/types.ts';
import { specDiffs } from '../domain/model-spec.ts';
import type { PipelineObserver, Predictor, PredictorSlot } from './ports.ts';

export interface InferenceJob {
  /** Normalised window [window, features]. Owned by the job until its result resolves. */
  x: Float32Array;
  attention?: boolean;
}

export interface InferenceResult {
  /** [horizon, targets, quantiles] for this job. */
  y: Float32Array;
  attention?: Float32Array;
  model: string;
}

export interface InferenceOptions {
  maxBatchSize: number;
  maxWaitMs: number;
  maxInFlightBatches: number;
  /**
   * Backpressure (see MicroBatcher): queued windows above `highWaterMark` → saturated (intake
   * pauses, HTTP submits are refused); at or below `lowWaterMark` → drained. The queue holds at
   * most `capacity` windows (default 2 × highWaterMark); stream submits beyond it wait for room.
   * Without a high-water mark the queue is unbounded and never saturates.
   */
  highWaterMark?: number;
  lowWaterMark?: number;
  capacity?: number;
  observer?: PipelineObserver;
}

export class InferenceStage implements PredictorSlot {
  #predictor: Predictor;
  readonly #batcher: MicroBatcher<InferenceJob, InferenceResult>;
  readonly #running = new Map<Predictor, number>();
  readonly #retired = new Set<Predictor>();

  constructor(predictor: Predictor, opts: InferenceOptions) {
    this.#predictor = predictor;
    this.#batcher = new MicroBatcher<InferenceJob, InferenceResult>({
      maxBatchSize: opts.maxBatchSize,
      maxWaitMs: opts.maxWaitMs,
      maxInFlight: opts.maxInFlightBatches,
      run: (jobs) => this.#run(jobs),
      onBatch: (size, s, wait) => opts.observer?.batch?.(size, s, wait),
      highWaterMark: opts.highWaterMark,
      lowWaterMark: opts.lowWaterMark,
      capacity: opts.capacity ?? (opts.highWaterMark !== undefined ? 2 * opts.highWaterMark : undefined),
    });
  }

  get predictor(): Predictor {
    return this.#predictor;
  }

  get spec(): ModelSpec {
    return this.#predictor.spec;
  }

  /** Windows submitted and not yet in a running batch (queued plus waiting for room). */
  get queued(): number {
    return this.#batcher.queued;
  }

  /** True while the queue is above the high-water mark (until it drains to the low-water mark). */
  get saturated(): boolean {
    return this.#batcher.saturated;
  }

  /** Saturated/drained transitions: the composition root pauses and resumes the source on them. */
  onPressure(listener: (e: PressureEvent) => void): () => void {
    return this.#batcher.onPressure(listener);
  }

  get inFlightBatches(): number {
    return this.#batcher.inFlight;
  }

  /** `opts.signal` drops the job while it is still queued; `whenFull: 'refuse'` answers TC_OVERLOADED instead of waiting. */
  submit(job: InferenceJob, opts?: SubmitOptions): Promise<InferenceResult> {
    return this.#batcher.submit(job, opts);
  }

  /**
   * Swap in another predictor with the same input/output spec. Returns the old one, which is
   * disposed once its in-flight batches finish (unless `keepOld`).
   */
  swap(next: Predictor, opts: { keepOld?: boolean } = {}): Predictor {
    const cur = this.#predictor;
    const diffs = specDiffs(cur.spec, next.spec);
    if (diffs.length > 0) {
      throw new TickcastError(ErrorCodes.MODEL_ARTIFACT_MISMATCH, `cannot swap in model ${next.version}: its spec differs from the serving model ${cur.version} (${diffs.join('; ')})`);
    }
    this.#predictor = next;
    if (!opts.keepOld) this.#retire(cur);
    return cur;
  }

  async close(): Promise<void> {
    await this.#batcher.close();
  }

  #retire(p: Predictor): void {
    if ((this.#running.get(p) ?? 0) === 0) void p.dispose();
    else this.#retired.add(p);
  }

  /**
   * Run a batch; when it fails with a retriable error, run it once more: on the model that serves
   * by now when it was swapped under the batch (disposed, e.g. a promotion), or on the same one
   * when one of its serving threads died or hung (ENGINE_UNAVAILABLE: the pool has replaced it or
   * routes to another). A batch that fails reaches the pipeline's chunk, whose records were applied
   * already; one retry keeps a lone thread failure from costing their forecasts. Other errors, or
   * a second failure, reject the batch's callers.
   */
  async #run(jobs: InferenceJob[]): Promise<InferenceResult[]> {
    const p = this.#predictor;
    try {
      return await this.#runOn(p, jobs);
    } catch (err) {
      if (!isTickcastError(err) || !err.retriable) throw err;
      if (this.#predictor === p && err.code !== ErrorCodes.ENGINE_UNAVAILABLE) throw err;
      return this.#runOn(this.#predictor, jobs);
    }
  }

  async #runOn(p: Predictor, jobs: InferenceJob[]): Promise<InferenceResult[]> {
    // The whole batch runs on one model.
    this.#running.set(p, (this.#running.get(p) ?? 0) + 1);
    try {
      const { window: W, features: F, horizon: H, targets, quantiles } = p.spec;
      const per = W * F.length;
      const x = new Float32Array(jobs.length * per);
      for (let i = 0; i < jobs.length; i++) {
        if (jobs[i].x.length !== per) throw new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, `window has ${jobs[i].x.length} values; the model expects ${W}×${F.length}`, { statusCode: 400 });
        x.set(jobs[i].x, i * per);
      }
      const wantAttention = jobs.some((j) => j.attention);
      const out = await p.predict({ x, batch: jobs.length }, { attention: wantAttention });
      const yPer = H * targets.length * quantiles.length;
      return jobs.map((j, i) => ({
        y: out.y.subarray(i * yPer, (i + 1) * yPer),
        attention: j.attention && out.attention ? out.attention.subarray(i * W, (i + 1) * W) : undefined,
        model: p.version,
      }));
    } finally {
      const n = (this.#running.get(p) ?? 1) - 1;
      if (n === 0) {
        this.#running.delete(p);
        if (this.#retired.delete(p)) void p.dispose();
      } else this.#running.set(p, n);
    }
  }
}
