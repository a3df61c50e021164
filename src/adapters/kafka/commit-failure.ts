/**
 * Why an offset commit failed, as a closed set (the `reason` of tickcast_kafka_commit_failures_total),
 * and the log level that goes with it. A rebalance refuses the commits in flight by design
 * (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH, or the client's
 * own ASSIGNMENT_LOST): the chunk may be redelivered (duplicates, nothing lost), which at-least-once
 * allows, so those are logged at info, as the kafkajs and Java consumers do. A coordinator moving
 * or loading, and anything else, stays a warning: persistent, it means nothing gets committed.
 */
import type { Logger } from '../../telemetry/logger.ts';

export type CommitFailureReason = 'rebalance' | 'coordinator' | 'other';
export const COMMIT_FAILURE_REASONS: readonly CommitFailureReason[] = ['rebalance', 'coordinator', 'other'];

/** librdkafka error codes (the client's ErrorCodes): a rebalance took the partition or the generation away. */
const REBALANCE = new Set([
  27, // ERR_REBALANCE_IN_PROGRESS
  22, // ERR_ILLEGAL_GENERATION
  25, // ERR_UNKNOWN_MEMBER_ID
  113, // ERR_STALE_MEMBER_EPOCH (the consumer protocol's ILLEGAL_GENERATION, KIP-848)
  -142, // ERR__ASSIGNMENT_LOST
]);
/** The group coordinator moving, loading or not reachable yet. */
const COORDINATOR = new Set([
  14, // ERR_COORDINATOR_LOAD_IN_PROGRESS
  15, // ERR_COORDINATOR_NOT_AVAILABLE
  16, // ERR_NOT_COORDINATOR
  -180, // ERR__WAIT_COORD
]);

/** The reason for a failed commit's error (`code`: librdkafka's, numeric, as both the client's errors and the commit callback's carry it). */
export function commitFailureReason(err: unknown): CommitFailureReason {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'number') return 'other';
  if (REBALANCE.has(code)) return 'rebalance';
  return COORDINATOR.has(code) ? 'coordinator' : 'other';
}

/** Logs a failed commit at its reason's level (info for a rebalance, else warn) with the reason, and counts it. */
export function reportCommitFailure(log: Logger, reason: CommitFailureReason, fields: Record<string, unknown>, msg: string, onFailed?: (reason: CommitFailureReason) => void): void {
  onFailed?.(reason);
  if (reason === 'rebalance') log.info({ ...fields, failure: reason }, msg);
  else log.warn({ ...fields, failure: reason }, msg);
}
