/**
 * Which partitions a rebalance handed to another instance. librdkafka calls the rebalance callback
 * once for every completed rebalance with the new assignment, even an empty one; an eager
 * rebalance (the default assignors) first revokes every partition and then hands most of them
 * straight back, a cooperative one revokes only those that move. So a revocation alone says
 * nothing: the partitions revoked since the last assignment that the member does not hold once the
 * next one completes are the ones that went elsewhere. Revocations while the source stops (leaving
 * the group) are no hand-over and are not noted.
 */
export class Handover {
  readonly #revoked = new Set<number>();
  /** Revoked as lost (the group dropped this member: session timeout, max.poll.interval.ms) since the last assignment. */
  readonly #lost = new Set<number>();

  /**
   * `lost`: the client says the assignment was lost, not handed back in an orderly rebalance — the
   * group went on without this member, and another may have handled these partitions (and fired
   * or resolved their alerts) before they come back: such a partition assigned back counts as
   * taken over (`gained`), so its alert state is read again.
   */
  revoked(partitions: readonly number[], lost = false): void {
    for (const p of partitions) {
      this.#revoked.add(p);
      if (lost) this.#lost.add(p);
    }
  }

  /** Of the partitions just assigned, those not revoked from this member since the last assignment, or lost since: taken over (or first assigned after start). Call before `completed`. */
  gained(assigned: readonly number[]): number[] {
    return assigned.filter((p) => !this.#revoked.has(p) || this.#lost.has(p));
  }

  /** Partitions were revoked and the rebalance that says whether they come back has not completed. */
  get pending(): boolean {
    return this.#revoked.size > 0;
  }

  /** A rebalance completed; `held`: the partitions assigned now. Returns those that went elsewhere. */
  completed(held: ReadonlySet<number>): number[] {
    const gone = [...this.#revoked].filter((p) => !held.has(p));
    this.#revoked.clear();
    this.#lost.clear();
    return gone;
  }
}
