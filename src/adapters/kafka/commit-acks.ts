/**
 * Reports offset commits the group coordinator refused. The client's consumer.commitOffsets()
 * resolves once the commit is queued (librdkafka commitAsync), not when the coordinator stored it:
 * a commit refused while the group rebalances (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION,
 * UNKNOWN_MEMBER_ID) resolved all the same and was lost without a word, and the partition's next
 * owner read those records again. The outcome arrives in librdkafka's offset commit callback, which
 * the client emits as 'offset.commit' on its internal consumer. It is served when the client next
 * polls, after the batch returns, so a batch cannot wait for it (that deadlocked the worker): the
 * refusal is reported (logged with partition, offset and reason, at info when a rebalance refused it:
 * ./commit-failure.ts; onRefused) instead.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';

export interface RefusedCommit {
  topic: string;
  partition: number;
  /** The offset that was to be committed (the next to read). */
  offset: string;
  reason: string;
  /** librdkafka's error code (./commit-failure.ts classifies it). */
  code?: number;
}

interface CommitOutcome {
  topic: string;
  partition: number;
  offset: number;
  error?: { message?: string; code?: number };
}

interface OutcomeSource {
  on(event: 'offset.commit', listener: (err: { message?: string; code?: number } | null | undefined, offsets: CommitOutcome[] | undefined) => void): unknown;
}

/**
 * Listens on the consumer's internal client (connected); false when this client version exposes none.
 * `onStored`: the partitions' offsets the coordinator stored in one outcome (none refused → every one).
 */
export function watchCommitOutcomes(consumer: KafkaJS.Consumer, onRefused: (r: RefusedCommit) => void, onStored?: (stored: Array<{ partition: number; offset: bigint }>) => void): boolean {
  const internal = (consumer as unknown as { _getInternalClient?: () => OutcomeSource | null })._getInternalClient?.();
  if (typeof internal?.on !== 'function') return false;
  internal.on('offset.commit', (err, offsets) => {
    const refused = refusedCommits(err, offsets ?? []);
    for (const r of refused) onRefused(r);
    const stored = (offsets ?? []).filter((o) => !refused.some((r) => r.topic === o.topic && r.partition === o.partition));
    if (stored.length > 0) onStored?.(stored.map((o) => ({ partition: o.partition, offset: BigInt(o.offset) })));
  });
  return true;
}

/** The refused partitions of one commit outcome: per-partition errors, else the whole commit's error (all refused). */
export function refusedCommits(err: { message?: string; code?: number } | null | undefined, offsets: readonly CommitOutcome[]): RefusedCommit[] {
  const perPartition = offsets.some((o) => o.error);
  const out: RefusedCommit[] = [];
  for (const o of offsets) {
    const why = o.error ?? (perPartition ? undefined : err);
    if (why) out.push({ topic: o.topic, partition: o.partition, offset: String(o.offset), reason: why.message ?? String(why), ...(typeof why.code === 'number' ? { code: why.code } : {}) });
  }
  return out;
}
