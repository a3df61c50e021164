/**
 * Restore planning: on assignment, each partition starts `k` records before its committed offset
 * (not below the log start), and records below the committed offset are replayed as warm-up
 * (they rebuild windows and the detector's state, and produce nothing). A partition whose committed offset is a
 * brand-new group's start (./group-start.ts) starts there with no warm-up. Partitions with nothing committed start as
 * configured (earliest/latest) with no warm-up, in a brand-new group; those the group has never read (created
 * after start: ./topic-at-start.ts; any, once the group has committed offsets), at their beginning (uncommittedFromBeginning).
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';
import { GROUP_START_METADATA } from './group-start.ts';

export interface RestoreInput {
  partition: number;
  /** Committed offset of the group, or undefined/negative when none. */
  committed: bigint | undefined;
  /** Log start offset (low watermark). */
  low: bigint;
  /** High watermark at the assignment (absent: unknown). */
  high?: bigint;
  /** `committed` is a brand-new group's start (./group-start.ts): no history below it is replayed. */
  groupStart?: boolean;
}

export interface RestorePlan {
  /** Partition → offset to start fetching from (only partitions that restore). */
  start: Map<number, bigint>;
  /** Partition → committed offset; records below it are warm-up. */
  warmupUntil: Map<number, bigint>;
}

/**
 * The assigned partitions' inputs from the group's committed offsets (with their commit metadata)
 * and the topic's watermarks, as the admin client returns them.
 */
export function restoreInputs(
  partitions: readonly number[],
  committed: ReadonlyArray<{ partition: number; offset: string; metadata?: string | null }>,
  marks: ReadonlyArray<{ partition: number; low: string; high: string }>,
): RestoreInput[] {
  return partitions.map((partition) => {
    const c = committed.find((x) => x.partition === partition);
    const m = marks.find((x) => x.partition === partition);
    const groupStart = c?.metadata === GROUP_START_METADATA;
    return { partition, committed: c === undefined ? undefined : BigInt(c.offset), low: BigInt(m?.low ?? '0'), ...(m ? { high: BigInt(m.high) } : {}), ...(groupStart ? { groupStart } : {}) };
  });
}

export function planRestore(inputs: readonly RestoreInput[], recordsPerPartition: number): RestorePlan {
  const plan: RestorePlan = { start: new Map(), warmupUntil: new Map() };
  const k = BigInt(Math.max(0, Math.floor(recordsPerPartition)));
  if (k === 0n) return plan;
  for (const { partition, committed, low, groupStart } of inputs) {
    if (committed === undefined || committed < 0n || groupStart) continue;
    const start = committed - k > low ? committed - k : low;
    if (start >= committed) continue;
    plan.start.set(partition, start);
    plan.warmupUntil.set(partition, committed);
  }
  return plan;
}

/** librdkafka's logical offset "the partition's first retained record" (RD_KAFKA_OFFSET_BEGINNING). */
export const OFFSET_BEGINNING = -2n;

/**
 * `start` plus every partition of `inputs` with nothing committed, at its beginning. For partitions
 * created after start: the group has never read them, so everything in them is new
 * (kafka.fromBeginning=false would start at their end and skip what was written before the assignment).
 */
export function uncommittedFromBeginning(start: ReadonlyMap<number, bigint>, inputs: readonly RestoreInput[]): Map<number, bigint> {
  const out = new Map(start);
  for (const { partition, committed } of inputs) {
    if (!out.has(partition) && (committed === undefined || committed < 0n)) out.set(partition, OFFSET_BEGINNING);
  }
  return out;
}

/**
 * Where each partition with nothing committed starts, given the restore plan's `start`. A partition
 * the group has never read — one created after this run started (numbered ≥ `partitionsAtStart`),
 * or any partition with nothing committed once the group has committed offsets for the topic
 * (`groupHasOffsets`: partitions added while this instance was down or before it started) — at its
 * beginning (uncommittedFromBeginning): everything in it was written after the group began. The
 * others (a brand-new group) under fromBeginning=false at their high watermark as read at this
 * run's start (`endsAtStart`; brandNewEnd), or at the assignment when that is unknown (librdkafka
 * resolves "latest" only at the first fetch, skipping what came in between),
 * under fromBeginning=true left to the client (earliest). Returns the start offsets, the partitions
 * read from their beginning as new, where each uncommitted partition counts its lag from, and `pin`:
 * the offset to commit at once for each uncommitted partition (where it starts), so that the group
 * never takes a partition it has started for a new one later (its history read after a restart).
 */
export function uncommittedStarts(
  start: ReadonlyMap<number, bigint>,
  inputs: readonly RestoreInput[],
  o: { partitionsAtStart: number; fromBeginning: boolean; groupHasOffsets: boolean; endsAtStart?: ReadonlyMap<number, bigint> },
): { start: Map<number, bigint>; created: number[]; lagFrom: Map<number, bigint>; pin: Map<number, bigint>; earlier: number[] } {
  const out = uncommittedFromBeginning(start, inputs.filter((i) => o.groupHasOffsets || i.partition >= o.partitionsAtStart));
  const created = [...out.keys()].filter((p) => !start.has(p));
  const lagFrom = new Map<number, bigint>();
  const earlier: number[] = [];
  for (const i of inputs) {
    const own = earlierGroupStart(i, o.endsAtStart?.get(i.partition));
    if (own !== undefined) {
      out.set(i.partition, own);
      lagFrom.set(i.partition, own);
      earlier.push(i.partition);
      continue;
    }
    if (i.committed !== undefined && i.committed >= 0n) continue;
    if (!out.has(i.partition) && !o.fromBeginning) out.set(i.partition, brandNewEnd(i, o.endsAtStart?.get(i.partition)));
    const at = out.get(i.partition);
    lagFrom.set(i.partition, at === undefined || at === OFFSET_BEGINNING ? i.low : at);
  }
  return { start: out, created, lagFrom, pin: new Map(lagFrom), earlier };
}

/**
 * A group's start is never moved later: a partition whose committed offset is a group start
 * (GROUP_START_METADATA) past this member's own end at start (`atStart`, known only when the group
 * was brand new at this member's start) starts at that end instead (brandNewEnd's bounds), and
 * uncommittedStarts pins it. Such a start was stored after this member's: a later member's
 * generation-less commit that Kafka stored while the group was still empty (a commit librdkafka
 * deferred until the coordinator was found again, or one slower than commitGroupStart's second
 * look) replaced it, and the ticks between the two starts were skipped. Read at the assignment —
 * once this member has joined, the group has a member and Kafka refuses any further
 * generation-less commit — so no late start can replace this one again while the group has a
 * member (docs/reliability.md, finding 17).
 */
function earlierGroupStart(i: RestoreInput, atStart: bigint | undefined): bigint | undefined {
  if (!i.groupStart || atStart === undefined || i.committed === undefined || i.committed < 0n) return undefined;
  const own = brandNewEnd(i, atStart);
  return own < i.committed ? own : undefined;
}

/**
 * Partitions another member was assigned whose committed offset is a group start past this member's
 * own end at start (`endsAtStart`): a later member's start replaced this member's while the group was
 * empty, and that member starts them there — the ticks in between are not read (docs/kafka-client.md
 * § Known limits). This member cannot put its start back (the group has members now): reported only.
 * `assigned`: every partition this member holds, not only those an incremental assignment adds.
 */
export function laterGroupStarts(
  committed: ReadonlyArray<{ partition: number; offset: string; metadata?: string | null }>,
  assigned: readonly number[],
  endsAtStart: ReadonlyMap<number, bigint> | undefined,
): Array<{ partition: number; start: bigint; own: bigint }> {
  if (!endsAtStart) return [];
  return committed.flatMap((c) => {
    const own = endsAtStart.get(c.partition);
    const start = BigInt(c.offset);
    return c.metadata === GROUP_START_METADATA && own !== undefined && own >= 0n && start > own && !assigned.includes(c.partition) ? [{ partition: c.partition, start, own }] : [];
  });
}

/**
 * Where a brand-new group starts a partition under fromBeginning=false: its end when this run
 * started (`atStart`, read before the member joined: ./topic-at-start.ts endsAtStart) when known —
 * never below its log start now nor above its end now — else its end at this assignment. The end
 * at start, not at the assignment: a partition another member was assigned first, whose start
 * commit the coordinator refused (this member joining), comes here with nothing committed, and
 * its end now is past the ticks written during the rebalance, which nobody read.
 */
function brandNewEnd(i: RestoreInput, atStart: bigint | undefined): bigint {
  const now = i.high ?? i.low;
  if (atStart === undefined) return now;
  if (atStart < i.low) return i.low;
  // A negative high: its look-up failed at this assignment (the client returns librdkafka's per-partition error as -1), not a bound.
  return i.high !== undefined && i.high >= 0n && atStart > i.high ? i.high : atStart;
}

/**
 * A partition with nothing committed that this run started before at its end — the start pinStarts
 * committed, but the coordinator refused it (the group rebalancing again; reported only as
 * `offset commit failed …`, ./commit-acks.ts) — starts where it started then, not at the end as of
 * this assignment: what was written in between was never committed, and starting at the later end
 * skipped it. Never below the partition's log start now (`inputs`' low): an offset retention has
 * deleted since is out of range, and the client's reset (latest under fromBeginning=false) would
 * skip to the end. `started` (partition → start, this run's) records every pin.
 */
export function resumeRefusedStarts(
  started: Map<number, bigint>,
  s: { start: Map<number, bigint>; lagFrom: Map<number, bigint>; pin: Map<number, bigint> },
  inputs: ReadonlyArray<{ partition: number; low: bigint }>,
): void {
  for (const [p, at] of s.pin) {
    const before = started.get(p);
    const low = inputs.find((i) => i.partition === p)?.low ?? 0n;
    const from = before !== undefined && before < low ? low : before;
    if (from !== undefined && from < at && s.start.get(p) === at) {
      for (const m of [s.start, s.lagFrom, s.pin, started]) m.set(p, from);
    } else started.set(p, at);
  }
}

/** True when the group has a committed offset for some partition of the topic (it is not brand new). */
export function hasCommitted(committed: ReadonlyArray<{ offset: string }>): boolean {
  return committed.some((c) => BigInt(c.offset) >= 0n);
}

/**
 * Series-state snapshot hook: partitions a snapshot covers start at its offsets instead, and their
 * warm-up is full (the tail replayed through the whole state path). A snapshot as new as the
 * committed offset needs no replay at all; a partition with nothing committed is offered with
 * committed -1 (never usable). Returns the partitions with full warm-up.
 */
export function applySnapshotPlan(
  plan: RestorePlan,
  inputs: readonly RestoreInput[],
  restoreFrom: (candidates: Array<{ partition: number; committed: bigint; low: bigint }>) => Map<number, bigint>,
): Set<number> {
  // Every assigned partition is a candidate: one with nothing committed (-1: the group's offsets were
  // deleted or expired) cannot be checked against a commit, and its snapshot state is dropped now —
  // left out, it stayed installed under live traffic until the unclaimed sweep dropped it minutes later.
  const candidates = inputs.map((i) => ({ partition: i.partition, committed: i.committed !== undefined && i.committed >= 0n ? i.committed : -1n, low: i.low }));
  const full = new Set<number>();
  for (const [p, from] of restoreFrom(candidates)) {
    const c = candidates.find((x) => x.partition === p)!.committed;
    plan.start.delete(p);
    plan.warmupUntil.delete(p);
    if (from >= c) continue; // the snapshot is current: nothing to replay
    plan.start.set(p, from);
    plan.warmupUntil.set(p, c);
    full.add(p);
  }
  return full;
}

/**
 * One log line per partition that replays at assignment, saying which replay it is: the tail after
 * a series-state snapshot (`full`: every record through the whole state path, inference included)
 * or the plain replay (windows and detector, no model), and how many records.
 */
export function restoreLogLines(plan: RestorePlan, full: ReadonlySet<number>): Array<{ fields: object; msg: string }> {
  return [...plan.start].map(([partition, from]) => {
    const committed = plan.warmupUntil.get(partition) ?? from;
    const records = String(committed - from);
    const fields = { partition, from: String(from), committed: String(committed), records, replay: full.has(partition) ? 'snapshot-tail' : 'plain' };
    return full.has(partition)
      ? { fields, msg: `replaying the ${records} records after the series-state snapshot (state, forecasts and detector; no outputs)` }
      : { fields, msg: `restoring windows by the plain replay of the ${records} records before the committed offset (windows and detector; no outputs)` };
  });
}

/** Tracks which records of a partition are warm-up, as they are consumed. */
export class WarmupTracker {
  readonly #until = new Map<number, bigint>();
  readonly #full = new Set<number>();

  /**
   * `full`: partitions whose warm-up replays the whole state path (after a series-state snapshot).
   * `assigned`: the partitions this assignment added (else all are reset); an incremental one
   * (cooperative-sticky, KIP-848) keeps the others, and their warm-up goes on (before 7 Dec 2026 it
   * ended: their remaining replay was output again, test/unit/kafka/source-incremental.test.ts).
   */
  reset(plan: RestorePlan, full: ReadonlySet<number> = new Set(), assigned?: readonly number[]): void {
    for (const p of assigned ?? [...this.#until.keys(), ...this.#full]) this.forget(p);
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

/**
 * Commits where each partition with nothing committed starts, before it is fetched: one the group
 * has started is never taken for a new one later (its history read after a restart), and a restart
 * before the first commit resumes there. A failure is logged (it may be read from its beginning later).
 */
export async function pinStarts(consumer: KafkaJS.Consumer, topic: string, pin: ReadonlyMap<number, bigint>, log: Logger): Promise<void> {
  if (pin.size === 0) return;
  await consumer.commitOffsets([...pin].map(([partition, offset]) => ({ topic, partition, offset: String(offset) }))).catch((err: unknown) =>
    log.warn({ err, partitions: [...pin.keys()], commit: 'start' }, 'could not commit the start offsets of partitions with nothing committed'),
  );
}
