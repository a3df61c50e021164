/**
 * Stepping over a batch the client cannot decode. librdkafka does not skip such a batch: it
 * reports "Invalid compressed data" (without partition or offset through this binding) and
 * fetches the same offset again, forever — a poison pill. So when decode errors keep coming,
 * the partition that is stuck (records behind its high watermark, no progress, not paused, no
 * batch in flight) is moved forward one offset per repeated error until records flow again;
 * the hole left behind (first undelivered … first delivered − 1) is then dead-lettered by the
 * batch loop as TC_RECORD_UNDECODABLE. Cost: about one second per record of the bad batch
 * (STEP_INTERVAL_MS). See docs/reliability.md.
 */
import type { Logger } from '../../telemetry/logger.ts';

export interface ProbeTarget {
  /** Partitions assigned to this member. */
  assigned(): number[];
  /** Next offset expected on a partition (last delivered + 1, or the start), if known. */
  next(partition: number): bigint | undefined;
  /** True while a batch of the partition is being processed or fetching is paused. */
  busy(partition: number): boolean;
  highWatermarks(): Promise<Map<number, bigint>>;
  seek(partition: number, offset: bigint): void;
}

/** Decode errors in a row without progress before a partition is stepped (≈0.5 s each). */
const PATIENCE = 3;
/**
 * Least time between two steps of one partition: a step must be tried by a fetch (the client
 * retries a failed fetch after fetch.error.backoff.ms, 500 ms) before the next error can be
 * blamed on the new position; errors still queued from the old one would otherwise overshoot
 * the bad batch and skip a good record.
 */
const STEP_INTERVAL_MS = 1_000;

export class SkipProbe {
  /** Partition → [next offset when last seen, errors seen without progress, offset probed]. */
  readonly #seen = new Map<number, { next: bigint; strikes: number; probe: bigint; steppedAt: number }>();
  #running = false;

  constructor(
    private readonly target: ProbeTarget,
    private readonly log: Logger,
  ) {}

  /** Called for each decode error the client reports. */
  async onDecodeError(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      const marks = await this.target.highWatermarks();
      for (const p of this.target.assigned()) this.#consider(p, marks.get(p));
    } catch (err) {
      this.log.debug({ err }, 'skip probe: could not read watermarks');
    } finally {
      this.#running = false;
    }
  }

  #consider(p: number, high: bigint | undefined): void {
    const next = this.target.next(p);
    if (next === undefined || high === undefined || next >= high || this.target.busy(p)) {
      this.#seen.delete(p);
      return;
    }
    const s = this.#seen.get(p);
    if (!s || s.next !== next) {
      this.#seen.set(p, { next, strikes: 1, probe: next, steppedAt: 0 });
      return;
    }
    s.strikes += 1;
    if (s.strikes < PATIENCE || Date.now() - s.steppedAt < STEP_INTERVAL_MS) return;
    s.probe += 1n;
    s.steppedAt = Date.now();
    if (s.probe >= high) return;
    this.log.warn({ partition: p, from: String(next), probe: String(s.probe) }, 'input partition stuck on a batch the client cannot decode; stepping over it');
    this.target.seek(p, s.probe);
  }

  /** Records of `partition` were delivered: it is moving again. */
  progressed(partition: number): void {
    this.#seen.delete(partition);
  }
}
