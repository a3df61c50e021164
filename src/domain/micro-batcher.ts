/**
 * Groups items submitted from anywhere (stream partitions, HTTP requests) into batches of at most
 * `maxBatchSize`, waiting at most `maxWaitMs` after the first queued item (Triton's max queue
 * delay), with at most `maxInFlight` batches running at once. Each submit() resolves with its own
 * result.
 *
 * Backpressure lives here, in one place:
 * - The queue is bounded by `capacity`. A submit that finds it full either waits for room, in
 *   order (`whenFull: 'wait'`, the stream: its handler awaits the hand-off, so intake slows down)
 *   or is refused at once with TC_OVERLOADED (`whenFull: 'refuse'`, HTTP: answer 503 rather than
 *   queue a caller for seconds). A refusing submit is also refused above `highWaterMark`.
 * - Pressure events: when `queued` rises above `highWaterMark` listeners get `saturated: true`
 *   (the source pauses), when it falls back to `lowWaterMark` or below they get `saturated: false`
 *   (the source resumes). Hysteresis keeps pause/resume from flapping.
 * - A submit's `signal` (the HTTP client went away) drops the item while it is still queued or
 *   waiting for room, and rejects its promise with the abort reason; work already in a running
 *   batch finishes (its result is discarded by the caller).
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';

export interface MicroBatcherOptions<I, O> {
  maxBatchSize: number;
  maxWaitMs: number;
  maxInFlight: number;
  /** Runs one batch; must return one result per item, in order. */
  run: (items: I[]) => Promise<O[]>;
  /** Called after each batch with its size, run time in seconds and queue wait of its oldest item. */
  onBatch?: (size: number, seconds: number, oldestWaitSeconds: number) => void;
  /** Most items queued for a batch at once (default: unbounded). */
  capacity?: number;
  /** `queued` above this → saturated (default: capacity). */
  highWaterMark?: number;
  /** `queued` at or below this after saturation → drained (default: highWaterMark / 4). */
  lowWaterMark?: number;
}

export interface SubmitOptions {
  /** Aborting drops the item if it has not started running. */
  signal?: AbortSignal;
  /** When the queue is full: wait for room (default) or refuse with TC_OVERLOADED. */
  whenFull?: 'wait' | 'refuse';
}

/** A change of pressure: `saturated` true when queued rose above the high-water mark, false once drained. */
export interface PressureEvent {
  saturated: boolean;
  queued: number;
}

interface Pending<I, O> {
  item: I;
  enqueuedAt: number;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
  /** Detaches the abort listener (set when a signal was given). */
  release?: () => void;
}

export class MicroBatcher<I, O> {
  readonly #o: MicroBatcherOptions<I, O>;
  readonly #capacity: number;
  readonly #high: number;
  readonly #low: number;
  #queue: Pending<I, O>[] = [];
  /** Submits waiting for room in a full queue, oldest first. */
  #waiting: Pending<I, O>[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #saturated = false;
  #idleWaiters: Array<() => void> = [];
  #pressureListeners: Array<(e: PressureEvent) => void> = [];

  constructor(opts: MicroBatcherOptions<I, O>) {
    this.#o = opts;
    this.#capacity = opts.capacity ?? Infinity;
    this.#high = opts.highWaterMark ?? this.#capacity;
    this.#low = opts.lowWaterMark ?? (Number.isFinite(this.#high) ? Math.floor(this.#high / 4) : Infinity);
    const marksOk = this.#high === Infinity || (this.#low >= 0 && this.#low < this.#high);
    if (!(this.#capacity >= 1) || !marksOk || this.#high > this.#capacity) {
      throw new TickcastError(ErrorCodes.INTERNAL, `micro-batcher needs 1 ≤ capacity, lowWaterMark < highWaterMark ≤ capacity; got ${this.#capacity}, ${this.#low}, ${this.#high}`);
    }
  }

  /** Items submitted and not yet in a batch: queued plus those waiting for room. */
  get queued(): number {
    return this.#queue.length + this.#waiting.length;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** True from the moment queued passed highWaterMark until it fell to lowWaterMark. */
  get saturated(): boolean {
    return this.#saturated;
  }

  /** Listen for saturated/drained transitions; returns the unsubscribe function. */
  onPressure(listener: (e: PressureEvent) => void): () => void {
    this.#pressureListeners.push(listener);
    return () => {
      this.#pressureListeners = this.#pressureListeners.filter((l) => l !== listener);
    };
  }

  submit(item: I, opts: SubmitOptions = {}): Promise<O> {
    if (this.#closed) return Promise.reject(new TickcastError(ErrorCodes.SHUTTING_DOWN, 'the batcher is closed (service shutting down)', { retriable: true, statusCode: 503 }));
    const { signal, whenFull = 'wait' } = opts;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const full = this.#queue.length >= this.#capacity || this.#waiting.length > 0;
    if (whenFull === 'refuse' && (full || this.queued > this.#high)) {
      return Promise.reject(
        new TickcastError(ErrorCodes.OVERLOADED, `inference queue is full (${this.queued} windows waiting); retry shortly`, { retriable: true, statusCode: 503, details: { retryAfterSeconds: 1 } }),
      );
    }
    return new Promise<O>((resolve, reject) => {
      const p: Pending<I, O> = { item, enqueuedAt: performance.now(), resolve, reject };
      if (signal) {
        const onAbort = () => this.#drop(p, signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        p.release = () => signal.removeEventListener('abort', onAbort);
      }
      if (full) this.#waiting.push(p);
      else this.#queue.push(p);
      this.#checkPressure();
      if (!full) this.#schedule();
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.queued === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Refuse new items, finish what is queued, waiting and in flight. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#admitWaiting();
    if (this.#queue.length > 0) this.#dispatch();
    await this.idle();
  }

  /** An aborted submit leaves the queue (or the waiting line) before it runs. */
  #drop(p: Pending<I, O>, reason: unknown): void {
    const inQueue = this.#queue.indexOf(p);
    if (inQueue >= 0) {
      this.#queue.splice(inQueue, 1);
      if (inQueue === 0) this.#rearm(); // its wait set the timer: the next head's wait sets it now
    } else {
      const waiting = this.#waiting.indexOf(p);
      if (waiting < 0) return; // already batched: let it finish
      this.#waiting.splice(waiting, 1);
    }
    p.reject(reason);
    this.#admitWaiting();
    this.#checkPressure();
    this.#notifyIdle();
  }

  /** The batch timer follows the queue's head: cleared when the queue empties (no timer keeps the process up for nothing). */
  #rearm(): void {
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#schedule();
  }

  /** Move waiting submits into the queue while there is room (all of them once closing). */
  #admitWaiting(): void {
    while (this.#waiting.length > 0 && (this.#closed || this.#queue.length < this.#capacity)) this.#queue.push(this.#waiting.shift()!);
  }

  #checkPressure(): void {
    const q = this.queued;
    let next = this.#saturated;
    if (!this.#saturated && q > this.#high) next = true;
    else if (this.#saturated && q <= this.#low) next = false;
    if (next === this.#saturated) return;
    this.#saturated = next;
    for (const l of [...this.#pressureListeners]) l({ saturated: next, queued: q });
  }

  #notifyIdle(): void {
    if (this.queued === 0 && this.#inFlight === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }

  #schedule(): void {
    if (this.#inFlight >= this.#o.maxInFlight) return; // a finishing batch will re-schedule
    if (this.#queue.length >= this.#o.maxBatchSize || this.#o.maxWaitMs === 0 || this.#closed) {
      this.#dispatch();
      return;
    }
    if (this.#timer === null && this.#queue.length > 0) {
      const waited = performance.now() - this.#queue[0].enqueuedAt;
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#dispatch();
      }, Math.max(0, this.#o.maxWaitMs - waited));
    }
  }

  #dispatch(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    while (this.#queue.length > 0 && this.#inFlight < this.#o.maxInFlight) {
      const batch = this.#queue.splice(0, this.#o.maxBatchSize);
      for (const p of batch) p.release?.();
      this.#admitWaiting();
      this.#inFlight++;
      void this.#runBatch(batch);
      if (this.#queue.length < this.#o.maxBatchSize && !this.#closed) break; // let the rest accumulate
    }
    this.#checkPressure();
    if (this.#queue.length > 0) this.#schedule();
  }

  async #runBatch(batch: Pending<I, O>[]): Promise<void> {
    const t0 = performance.now();
    try {
      const out = await this.#o.run(batch.map((p) => p.item));
      if (out.length !== batch.length) throw new TickcastError(ErrorCodes.INTERNAL, `batch runner returned ${out.length} results for ${batch.length} items`);
      for (let i = 0; i < batch.length; i++) batch[i].resolve(out[i]);
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      const t1 = performance.now();
      this.#inFlight--;
      this.#o.onBatch?.(batch.length, (t1 - t0) / 1000, (t0 - batch[0].enqueuedAt) / 1000);
      if (this.#queue.length > 0) this.#schedule();
      else this.#notifyIdle();
    }
  }
}
