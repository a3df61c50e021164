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

/**
 * Series-state snapshot hook: partitions a snapshot covers start at its offsets instead, and their
 * warm-up is full (the tail replayed through the whole state path). A snapshot as new as the
 * committed offset needs no replay at all. Returns the partitions with full warm-up.
 */
export function applySnapshotPlan(
  plan: RestorePlan,
  inputs: readonly RestoreInput[],
  restoreFrom: (candidates: Array<{ partition: number; committed: bigint; low: bigint }>) => Map<number, bigint>,
  log: { info(fields: object, msg: string): void },
): Set<number> {
  const candidates = inputs.flatMap((i) => (i.committed !== undefined && i.committed >= 0n ? [{ partition: i.partition, committed: i.committed, low: i.low }] : []));
  const full = new Set<number>();
  for (const [p, from] of restoreFrom(candidates)) {
    const c = candidates.find((x) => x.partition === p)!.committed;
    plan.start.delete(p);
    plan.warmupUntil.delete(p);
    if (from >= c) continue; // the snapshot is current: nothing to replay
    plan.start.set(p, from);
    plan.warmupUntil.set(p, c);
    full.add(p);
    log.info({ partition: p, from: String(from), committed: String(c) }, 'replaying the tail after the series-state snapshot');
  }
  return full;
}

/** Tracks which records of a partition are warm-up, as they are consumed. */
export class WarmupTracker {
  readonly #until = new Map<number, bigint>();
  readonly #full = new Set<number>();

  /** `full`: partitions whose warm-up replays the whole state path (after a series-state snapshot). */
  reset(plan: RestorePlan, full: ReadonlySet<number> = new Set()): void {
    this.#until.clear();
    this.#full.clear();
    for (const [p, c] of plan.warmupUntil) this.#until.set(p, c);
    for (const p of full) this.#full.add(p);
  }

  forget(partition: number): void {
    this.#until.delete(partition);
    this.#full.delete(partition);
  }

  /** True while `partition`'s warm-up is a full state replay. */
  isFull(partition: number): boolean {
    return this.#full.has(partition);
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
