/**
 * Offset gaps per partition. librdkafka skips a fetched batch it cannot decode (corrupt
 * compressed data, unknown codec or record format) and reports only an error code, without the
 * partition or offsets. What tickcast can see is the hole that batch leaves: the next record of
 * the partition starts after a gap. Gaps also come from transaction markers, aborted
 * transactions and compaction, so a gap is attributed to a decode failure only when the client
 * reported one (ConsumeErrors) — see docs/reliability.md.
 */
export interface OffsetGap {
  partition: number;
  /** First missing offset. */
  from: bigint;
  /** Last missing offset (inclusive). */
  to: bigint;
}

export class OffsetGaps {
  /** Partition → next offset expected. Unknown until the first record after (re)assignment. */
  readonly #next = new Map<number, bigint>();

  /** Call on assignment with the known start offset (a seek), or without to learn it from the first record. */
  expect(partition: number, offset?: bigint): void {
    if (offset === undefined) this.#next.delete(partition);
    else this.#next.set(partition, offset);
  }

  forget(partition: number): void {
    this.#next.delete(partition);
  }

  /** The next offset expected, if known. */
  next(partition: number): bigint | undefined {
    return this.#next.get(partition);
  }

  /** Feed consecutive records' offsets; returns the gap before `offset`, if any. */
  observe(partition: number, offset: bigint): OffsetGap | null {
    const next = this.#next.get(partition);
    this.#next.set(partition, offset + 1n);
    if (next === undefined || offset <= next) return null;
    return { partition, from: next, to: offset - 1n };
  }
}

/**
 * Decode failures the client reported (from its error log: "Local: Invalid compressed data", …)
 * and not yet matched to a gap. The binding drops the failed message's partition and offset, so a
 * failure is matched to the next gap seen (the one SkipProbe opens by stepping over the batch).
 */
export class ConsumeErrors {
  #pending = 0;
  static readonly DECODE = /bad compression|compress|invalid compressed|unsupported message|magicbyte|bad message|crc|not implemented|unknown codec|corrupt/i;

  /** Feed every client error message; returns true when it was a decode failure. */
  report(message: string): boolean {
    if (!/error while consuming|consum/i.test(message) || !ConsumeErrors.DECODE.test(message)) return false;
    // The client repeats the error on every fetch of the same batch: one pending failure per episode.
    this.#pending = Math.max(this.#pending, 1);
    return true;
  }

  /** Takes one pending decode failure for a gap just seen. */
  take(): boolean {
    if (this.#pending === 0) return false;
    this.#pending -= 1;
    return true;
  }

  /** Returns failures taken for gaps whose chunk is going to be redelivered. */
  giveBack(n: number): void {
    this.#pending += n;
  }

  get pending(): number {
    return this.#pending;
  }
}
