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

  revoked(partitions: readonly number[]): void {
    for (const p of partitions) this.#revoked.add(p);
  }

  /** Of the partitions just assigned, those not revoked from this member since the last assignment: taken over (or first assigned after start). Call before `completed`. */
  gained(assigned: readonly number[]): number[] {
    return assigned.filter((p) => !this.#revoked.has(p));
  }

  /** A rebalance completed; `held`: the partitions assigned now. Returns those that went elsewhere. */
  completed(held: ReadonlySet<number>): number[] {
    const gone = [...this.#revoked].filter((p) => !held.has(p));
    this.#revoked.clear();
    return gone;
  }
}
