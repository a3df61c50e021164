/**
 * Chunks this member handled whose commit the group coordinator did not store (a rebalance refused
 * it: ./commit-acks.ts), for the partition's next assignment to this member. Their outputs were
 * acknowledged before the commit was sent, so when the partition comes back and its committed
 * offset is still the one this member last knew (nobody committed since: not another owner, not an
 * operator's reset), it resumes after the refused chunk instead of at the committed offset, and
 * the records in between are warm-up (state only) instead of being output a second time.
 * Before 7 Dec 2026 they were: every eager rebalance that handed a member its own partitions back
 * forecast the chunks whose commits it refused again (test/integration/commit-on-revoke.test.ts).
 * A partition whose committed offset moved meanwhile is left to its committed offset (and what this
 * member knew of it is dropped): someone else decided where it stands. source.ts commits the offset
 * resumed at, at the assignment (an idle partition would show the chunk as lag). At-least-once only (a transaction's offsets are
 * not refused this way: exactly-once sends no commit a rebalance can refuse after the outputs).
 */
import type { RestoreInput } from './restore.ts';

export class RefusedChunks {
  /** Partition → the committed offset this member last knew: read at an assignment, or stored for it. */
  readonly #known = new Map<number, bigint>();
  /** Partition → the offset after the last chunk whose commit was not stored (the next to read). */
  readonly #refused = new Map<number, bigint>();

  /** The coordinator stored `offset` for `partition` (this member's commit). */
  stored(partition: number, offset: bigint): void {
    this.#known.set(partition, offset);
    const r = this.#refused.get(partition);
    if (r !== undefined && r <= offset) this.#refused.delete(partition);
  }

  /** A chunk's commit of `offset` (the next to read) was not stored. */
  refused(partition: number, offset: bigint): void {
    const r = this.#refused.get(partition);
    if (r === undefined || offset > r) this.#refused.set(partition, offset);
  }

  /**
   * At an assignment, with the group's committed offsets read: the inputs where a refused chunk
   * stands in for the committed offset (a brand-new group's start mark no longer applies there, but
   * nothing below it is replayed either), and the partitions that resume so.
   */
  resume(inputs: readonly RestoreInput[]): { inputs: RestoreInput[]; resumed: Map<number, bigint> } {
    const resumed = new Map<number, bigint>();
    const out = inputs.map((i) => {
      const r = this.#refused.get(i.partition);
      const known = this.#known.get(i.partition);
      const committed = i.committed !== undefined && i.committed >= 0n ? i.committed : undefined;
      if (committed === undefined) this.#known.delete(i.partition);
      else this.#known.set(i.partition, committed);
      if (r === undefined) return i;
      if (committed === undefined || known !== committed || r <= committed) {
        this.#refused.delete(i.partition);
        return i;
      }
      resumed.set(i.partition, r);
      const low = i.groupStart && committed > i.low ? committed : i.low;
      return { ...i, committed: r, low, groupStart: false };
    });
    return { inputs: out, resumed };
  }
}
