/**
 * Restore planning: on assignment, each partition starts `k` records before its committed offset
 * (not below the log start), and records below the committed offset are replayed as warm-up
 * (they rebuild windows and produce nothing). Partitions with nothing committed start as
 * configured (earliest/latest) with no warm-up.
 */
export interface RestoreInput {
  partition: number;
  /** Committed offset of the group, or undefined/negative when none. */
  committed: bigint | undefined;
  /** Log start offset (low watermark). */
  low: bigint;
}

export interface RestorePlan {
  /** Partition → offset to start fetching from (only partitions that restore). */
  start: Map<number, bigint>;
  /** Partition → committed offset; records below it are warm-up. */
  warmupUntil: Map<number, bigint>;
}

export function planRestore(inputs: readonly RestoreInput[], recordsPerPartition: number): RestorePlan {
  const plan: RestorePlan = { start: new Map(), warmupUntil: new Map() };
  const k = BigInt(Math.max(0, Math.floor(recordsPerPartition)));
  if (k === 0n) return plan;
  for (const { partition, committed, low } of inputs) {
    if (committed === undefined || committed < 0n) continue;
    const start = committed - k > low ? committed - k : low;
    if (start >= committed) continue;
    plan.start.set(partition, start);
    plan.warmupUntil.set(partition, committed);
  }
  return plan;
}

/** Tracks which records of a partition are warm-up, as they are consumed. */
export class WarmupTracker {
  readonly #until = new Map<number, bigint>();

  reset(plan: RestorePlan): void {
    this.#until.clear();
    for (const [p, c] of plan.warmupUntil) this.#until.set(p, c);
  }

  forget(partition: number): void {
    this.#until.delete(partition);
  }

  /** True if `offset` of `partition` is below its committed offset at assignment. */
  isWarmup(partition: number, offset: bigint): boolean {
    const until = this.#until.get(partition);
    if (until === undefined) return false;
    if (offset < until) return true;
    this.#until.delete(partition);
    return false;
  }
}
