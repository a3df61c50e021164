/**
 * The durable feedback store as the pipeline sees it (src/pipeline/feedback-service.ts is its one
 * user; src/adapters/file/feedback-log.ts implements it). Re-exported by ports.ts, which adapters import.
 */
import type { FeedbackChannel, FeedbackEntry } from '../domain/feedback/feedback.ts';

/**
 * One line of the feedback log: set (upsert) or clear an alert's feedback. A clear records who
 * withdrew it (`actor`, as on entries; absent when unknown and on lines written before 6 Dec 2026)
 * and where (`channel`; absent on older lines).
 */
export type FeedbackLogOp = { op: 'set'; entry: FeedbackEntry } | { op: 'clear'; alertId: string; at: number; actor?: string; channel?: FeedbackChannel };

/** Durable feedback (src/adapters/file/feedback-log.ts). */
export interface FeedbackStore {
  /** Entries in effect, oldest first (the log replayed and compacted). */
  load(): Promise<FeedbackEntry[]>;
  /** Resolves once the operation is on disk. */
  append(op: FeedbackLogOp): Promise<void>;
  /** Lines the store holds now (with `compact`: the service keeps it near the entries in effect). */
  readonly lines?: number;
  /** Replace the stored log with `entries`, oldest first. */
  compact?(entries: readonly FeedbackEntry[]): Promise<void>;
}
