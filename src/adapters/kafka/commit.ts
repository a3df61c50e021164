/**
 * Commit strategies: what happens to a chunk of records after the batch loop hands it over.
 *
 * - AtLeastOnce: the pipeline handles the chunk (every output acknowledged), then the chunk's
 *   offsets are committed. A crash in between redelivers the chunk (duplicates, nothing lost).
 * - Transactional: outputs and offsets in one producer transaction (consume-transform-produce).
 *   A transactional producer runs one transaction at a time, so partitions take turns (transactions.ts).
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { RawRecord } from '../../domain/types.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { RecordHandler } from '../../pipeline/ports.ts';
import type { TransactionTurns } from './transactions.ts';
import { watchCommitOutcomes, type RefusedCommit } from './commit-acks.ts';
import { commitFailureReason, reportCommitFailure, type CommitFailureReason } from './commit-failure.ts';

export interface ChunkRef {
  topic: string;
  partition: number;
  /** Offset of the last record in the chunk. */
  last: bigint;
}

export interface CommitStrategy {
  /** Process `records` and make their offsets durable; rejects if the chunk must be redelivered. */
  run(records: RawRecord[], ref: ChunkRef): Promise<void>;
}

const nextOffset = (ref: ChunkRef) => [{ topic: ref.topic, partition: ref.partition, offset: String(ref.last + 1n) }];

export class AtLeastOnce implements CommitStrategy {
  /** Commits the coordinator refuses, and those it stores, are reported by the source (reportCommitOutcomes), which tells a chunk's from a partition's start. */
  constructor(
    private readonly handle: RecordHandler,
    private readonly consumer: () => KafkaJS.Consumer,
    private readonly log: Logger,
    private readonly onFailed?: (reason: CommitFailureReason) => void,
    private readonly chunks?: ChunkCommits,
  ) {}

  async run(records: RawRecord[], ref: ChunkRef): Promise<void> {
    await this.handle(records);
    try {
      await this.consumer().commitOffsets(nextOffset(ref));
    } catch (err) {
      this.chunks?.refused(ref.partition, ref.last + 1n);
      // Outputs are acknowledged; a lost commit (rebalance, coordinator move) only means the chunk
      // may be processed again by whoever owns the partition next. Later commits cover it. A rebalance's
      // refusal is expected (info); others warn (./commit-failure.ts).
      reportCommitFailure(this.log, commitFailureReason(err), { err, topic: ref.topic, partition: ref.partition, offset: String(ref.last + 1n), commit: 'chunk' }, 'offset commit failed; the chunk may be redelivered', this.onFailed);
    }
  }
}

export class Transactional implements CommitStrategy {
  /** `outcomes`: the chunk's offsets stored (its transaction committed) or not (sendOffsets or the transaction's commit failed), counted as the at-least-once commits are. */
  constructor(
    private readonly handle: RecordHandler,
    private readonly turns: TransactionTurns,
    private readonly consumer: () => KafkaJS.Consumer,
    private readonly outcomes: CommitOutcomes = {},
  ) {}

  async run(records: RawRecord[], ref: ChunkRef): Promise<void> {
    let committing = false; // a failure before the offsets were sent (the handler's, a send's) is no commit failure
    try {
      await this.turns.run(async (tx) => {
        await this.handle(records);
        committing = true;
        await tx.sendOffsets({ consumer: this.consumer(), topics: [{ topic: ref.topic, partitions: [{ partition: ref.partition, offset: String(ref.last + 1n) }] }] });
      });
    } catch (err) {
      if (committing) this.outcomes.onCommitFailed?.(commitFailureReason(err));
      throw err;
    }
    this.outcomes.onCommitted?.(1);
  }
}

/** Warm-up chunks rebuild state only (windows, detector; the model too for a snapshot's tail): nothing is produced or committed. */
export function warmupOnly(handle: RecordHandler): CommitStrategy {
  return { run: (records) => handle(records) };
}

/** Where commit outcomes are counted (KafkaSourceOptions: tickcast_kafka_commits_total, tickcast_kafka_commit_failures_total). */
export interface CommitOutcomes {
  /** An offset commit failed or the group coordinator refused it (./commit-failure.ts: why). */
  onCommitFailed?(reason: CommitFailureReason): void;
  /** The group coordinator stored the offsets of `partitions` partitions (or their transaction committed). */
  onCommitted?(partitions: number): void;
}

/** The source's record of chunks whose commit was not stored (./refused-chunks.ts), fed from the commit outcomes. */
export interface ChunkCommits {
  stored(partition: number, offset: bigint): void;
  refused(partition: number, offset: bigint): void;
}

/** Words for why the coordinator did not store a partition's start, by failure reason (the broker's error is the line's `reason`). */
const START_NOT_STORED: Record<CommitFailureReason, string> = {
  rebalance: 'the group rebalancing',
  coordinator: 'the group coordinator moving or not available',
  other: 'refused by the group coordinator: see reason',
};

/** Which commit an outcome is about: a chunk's, a partition's start with nothing committed (./restore.ts pinStarts), or the offset resumed at after refused chunks (./refused-chunks.ts). */
export type CommitKind = 'chunk' | 'start' | 'resume';

function refusedMessage(what: CommitKind, failure: CommitFailureReason): string {
  if (what === 'start') return `start offset of a partition with nothing committed not stored (${START_NOT_STORED[failure]}): committed again if this member is assigned it again; a member that takes it over starts it by its own rule (docs/kafka-client.md § Partitions added to a live input topic)`;
  if (what === 'resume') return `offset resumed at after refused chunks not stored (${START_NOT_STORED[failure]}): their outputs were sent; this member's next chunk of the partition commits past it, or, assigned it back unchanged, resumes there again; another owner reads those chunks again (docs/kafka-client.md § Semantics kept (and how, on this client))`;
  return 'offset commit failed; the chunk may be redelivered';
}

/**
 * Logs each commit the group coordinator refused (./commit-acks.ts): a chunk's (`the chunk may be
 * redelivered`: its records are handled again by the partition's next owner), or the start of a
 * partition with nothing committed (`isStart`: ./restore.ts pinStarts). That one redelivers
 * nothing: the partition still has nothing committed, so whoever is assigned it next decides where
 * it starts — this member where it started it (resumeRefusedStarts), another by its own rule.
 * Or the offset a partition resumed at after refused chunks (`resume`: ./refused-chunks.ts, committed
 * at the assignment by source.ts), which is no chunk's: until 7 Dec 2026 its refusal was logged as a
 * chunk's ("the chunk may be redelivered"), with no chunk in flight to match it.
 * A rebalance's refusal logs at info, any other at warn; each is counted by reason (`onCommitFailed`),
 * and the partitions it stored are counted too (`onCommitted`).
 */
export function reportCommitOutcomes(consumer: KafkaJS.Consumer, log: Logger, kind: (partition: number, offset: bigint) => CommitKind, outcomes: CommitOutcomes = {}, chunks?: ChunkCommits): void {
  const refused = ({ topic, partition, offset, reason, code }: RefusedCommit) => {
    const what = kind(partition, BigInt(offset));
    const fields = { topic, partition, offset, reason, refusedBy: 'group coordinator', commit: what };
    const failure = commitFailureReason({ code });
    if (what !== 'start') chunks?.refused(partition, BigInt(offset)); // a resume offset: still refused, resumed at again
    reportCommitFailure(log, failure, fields, refusedMessage(what, failure), outcomes.onCommitFailed);
  };
  watchCommitOutcomes(consumer, refused, (stored) => {
    for (const { partition, offset } of stored) chunks?.stored(partition, offset);
    outcomes.onCommitted?.(stored.length);
  });
}
