/** What a KafkaSource is built with (./source.ts): the group member's settings and the hooks the app wires in. */
import type { CommitFailureReason } from './commit-failure.ts';
import type { LagSink } from './lag.ts';
import type { OffsetGap } from './offset-gaps.ts';
import type { TransactionTurns } from './transactions.ts';

export interface KafkaSourceOptions {
  topic: string;
  groupId: string;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  fetchMaxWaitMs?: number;
  partitionsConsumedConcurrently: number;
  fromBeginning: boolean;
  /** Records handed to the pipeline at once (bounded memory per partition). */
  chunkSize?: number;
  /** Bytes (values plus keys) handed to the pipeline at once, at least one record; default 1 MiB (./batch-loop.ts CHUNK_BYTES). */
  chunkBytes?: number;
  /** Records re-read before the committed offset on assignment to rebuild windows (0 = off). */
  restoreRecordsPerPartition?: number;
  /**
   * Series-state snapshot hook (src/pipeline/snapshot/snapshotter.ts): given each assigned partition's committed and first
   * retained offset, restores the series state a snapshot holds and returns partition → offset to replay from as full
   * warm-up (up to the committed offset). Partitions it leaves out get the plain window replay above.
   */
  restoreFrom?: (candidates: Array<{ partition: number; committed: bigint; low: bigint }>) => Map<number, bigint>;
  /** Partitions a rebalance handed to another instance (./handover.ts): their state here is stale. */
  onReleased?: (partitions: number[]) => void;
  /**
   * Partitions being revoked: awaited before the revocation returns (so before the next owner is
   * assigned them and reads their alert state), at most `revokingTimeoutMs` (default 5 s). The app
   * sends what is still queued there: `evicted` resolves whose send failed (docs/reliability.md).
   */
  onRevoking?: (partitions: number[]) => Promise<unknown>;
  revokingTimeoutMs?: number;
  /** Partitions just assigned that this member did not hold before (all at the first assignment): awaited before any of their records is handled (src/pipeline/alert-state.ts). */
  onGained?: (partitions: number[]) => Promise<void>;
  /** Exactly-once: each chunk's outputs and offsets in one transaction, taking turns with the producer's other transactions. */
  exactlyOnce?: { turns: TransactionTurns };
  lag?: { sink: LagSink; intervalMs: number };
  onGap?(topic: string, gap: OffsetGap, explained: boolean): void;
  /** An offset commit failed or the group coordinator refused it (./commit-failure.ts: why); exactly-once: the chunk's offsets sent but their transaction not committed. */
  onCommitFailed?(reason: CommitFailureReason): void;
  /** The group coordinator stored the offsets of `partitions` partitions (./commit-acks.ts); exactly-once: a chunk's transaction, offsets included, committed (1). */
  onCommitted?(partitions: number): void;
  /** kafka.properties again, so they win over the consumer defaults above. */
  properties?: Readonly<Record<string, string | number | boolean>>;
  /** kafka.metadataRefreshMs, for the log line about a missing topic (how soon it is found). */
  metadataRefreshMs?: number;
}
