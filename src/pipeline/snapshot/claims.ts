/**
 * The partitions of a loaded snapshot whose series were installed but that no assignment has
 * claimed yet (snapshotter.ts): at the first assignment that includes one, its series are kept when
 * the snapshot's offset is ≤ the group's committed offset, ≥ the first retained offset and at most
 * `maxTailRecords` behind (the source replays the tail as full warm-up), and dropped otherwise; those
 * no assignment claims within KEEP_MS of the load are dropped (another instance owns them).
 */
import type { SnapshotLogger } from './status.ts';

/** An assigned partition: its committed offset (-1: nothing committed, never restored) and first retained offset. */
export interface RestoreCandidate {
  partition: number;
  committed: bigint;
  low: bigint;
}

/** How long a loaded snapshot is kept for partitions not assigned at the first join. */
const KEEP_MS = 5 * 60_000;

export class SnapshotClaims {
  /** Snapshot partitions installed at load, not yet claimed by an assignment: offset and series. */
  readonly #pending = new Map<number, { from: bigint; ids: string[] }>();
  #loadedAt = 0;
  readonly #drop: (series: string) => void;
  readonly #maxTailRecords: number;
  readonly #logger: SnapshotLogger;
  readonly #now: () => number;

  /** `drop`: remove a series (through the registry: every holder forgets it). */
  constructor(drop: (series: string) => void, maxTailRecords: number, logger: SnapshotLogger, now: () => number) {
    [this.#drop, this.#maxTailRecords, this.#logger, this.#now] = [drop, maxTailRecords, logger, now];
  }

  /** A snapshot was installed: partition → next offset, and each series' partition. */
  loaded(offsets: Record<string, string>, series: Iterable<{ id: string; p: number }>): void {
    for (const [p, off] of Object.entries(offsets)) this.#pending.set(Number(p), { from: BigInt(off), ids: [] });
    for (const e of series) this.#pending.get(e.p)?.ids.push(e.id);
    this.#loadedAt = this.#now();
  }

  /** Partition → snapshot offset of the partitions not claimed yet: their series are as loaded (none of their records handled here). */
  offsets(): Map<number, bigint> {
    return new Map([...this.#pending].map(([p, pend]) => [p, pend.from]));
  }

  /** SeriesSnapshotter.restoreFrom: partition → offset to replay from for the partitions kept. */
  restoreFrom(candidates: readonly RestoreCandidate[]): Map<number, bigint> {
    const out = new Map<number, bigint>();
    if (this.#pending.size === 0) return out;
    const dropped: number[] = [];
    const tooFar: Array<{ partition: number; from: string; committed: string; behind: string }> = [];
    const maxTail = BigInt(Math.max(0, Math.floor(this.#maxTailRecords)));
    for (const c of candidates) {
      const pend = this.#pending.get(c.partition);
      if (!pend) continue;
      // Each partition is considered once: kept now, or dropped and replayed plainly.
      this.#pending.delete(c.partition);
      const usable = pend.from <= c.committed && pend.from >= c.low;
      const behind = c.committed - pend.from;
      if (usable && behind <= maxTail) out.set(c.partition, pend.from);
      else this.#dropPartition(c.partition, pend.ids, dropped);
      if (usable && behind > maxTail) tooFar.push({ partition: c.partition, from: String(pend.from), committed: String(c.committed), behind: String(behind) });
    }
    this.dropUnclaimed();
    if (tooFar.length > 0) {
      // Typically: another instance owned the partition since this snapshot was written.
      this.#logger.info({ partitions: tooFar, maxTailRecords: this.#maxTailRecords }, 'series-state snapshot too far behind the committed offset for these partitions (a longer tail than the plain replay reads, windows.restoreRecordsPerPartition): their series are rebuilt by the plain replay instead');
    }
    this.#logger.info({ partitions: [...out].map(([p, from]) => ({ partition: p, from: String(from) })), replayInstead: dropped }, 'series state restored from snapshot; replaying the tail after its offsets');
    return out;
  }

  /** Drop the series of partitions no assignment has claimed within KEEP_MS of loading. */
  dropUnclaimed(): void {
    if (this.#pending.size === 0 || this.#now() - this.#loadedAt <= KEEP_MS) return;
    const dropped: number[] = [];
    for (const [p, pend] of this.#pending) this.#dropPartition(p, pend.ids, dropped);
    this.#pending.clear();
    this.#logger.info({ partitions: dropped }, 'series-state snapshot: series of partitions not assigned here dropped');
  }

  #dropPartition(partition: number, ids: string[], dropped: number[]): void {
    for (const id of ids) this.#drop(id);
    dropped.push(partition);
  }
}
