/**
 * Groups items submitted from anywhere (stream partitions, HTTP requests) into batches of at most
 * `maxBatchSize`, waiting at most `maxWaitMs` after the first queued item (Triton's max queue
 * delay), with at most `maxInFlight` batches running at once. Each submit() resolves with its own
 * result. The queue is bounded by the callers: the stream awaits its hand-off, HTTP sheds load
 * when `queued` passes a limit.
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
}

interface Pending<I, O> {
  item: I;
  enqueuedAt: number;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class MicroBatcher<I, O> {
  readonly #o: MicroBatcherOptions<I, O>;
  #queue: Pending<I, O>[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  #idleWaiters: Array<() => void> = [];

  constructor(opts: MicroBatcherOptions<I, O>) {
    this.#o = opts;
  }

  /** Items waiting for a batch. */
  get queued(): number {
    return this.#queue.length;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  submit(item: I): Promise<O> {
    if (this.#closed) return Promise.reject(new TickcastError(ErrorCodes.SHUTTING_DOWN, 'the batcher is closed (service shutting down)', { retriable: true, statusCode: 503 }));
    return new Promise<O>((resolve, reject) => {
      this.#queue.push({ item, enqueuedAt: performance.now(), resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.#queue.length === 0 && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Refuse new items, finish what is queued and in flight. Safe to call twice. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#queue.length > 0) this.#dispatch();
    await this.idle();
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
      this.#inFlight++;
      void this.#runBatch(batch);
      if (this.#queue.length < this.#o.maxBatchSize && !this.#closed) break; // let the rest accumulate
    }
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
      else if (this.#inFlight === 0) for (const w of this.#idleWaiters.splice(0)) w();
    }
  }
}
