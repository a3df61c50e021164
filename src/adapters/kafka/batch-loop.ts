/**
 * The batch loop: what the consumer runs for each fetched batch of one partition. Splits it into
 * chunks, marks warm-up records, turns offset holes left by batches the client could not decode
 * into dead-letter records, and hands each chunk to the commit strategy. A chunk's offset is
 * resolved only after the strategy succeeded; on failure the client redelivers from there.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { RawRecord } from '../../domain/types.ts';
import { toRawRecord } from './codec.ts';
import type { CommitStrategy } from './commit.ts';
import type { ConsumeErrors, OffsetGap, OffsetGaps } from './offset-gaps.ts';
import type { WarmupTracker } from './restore.ts';

export interface BatchLoopDeps {
  chunkSize: number;
  /**
   * Bytes (record values plus keys) a chunk holds at most; a chunk always holds at least one record.
   * A chunk's offset is resolved only after all of it is handled, so this bounds the work between
   * commits when records are large (a SenML pack carries thousands of ticks). Default CHUNK_BYTES.
   */
  chunkBytes?: number;
  warmup: WarmupTracker;
  gaps: OffsetGaps;
  errors: ConsumeErrors;
  strategy: CommitStrategy;
  warmupStrategy: CommitStrategy;
  /** A hole in the offsets: explained = the client reported a decode failure for it. */
  onGap?(topic: string, gap: OffsetGap, explained: boolean): void;
  /** Waits until window restore planning is done and intake is not paused (backpressure). */
  ready(): Promise<void>;
  /**
   * How long a batch loop waits for ready() before it gives its batch back (the rest is redelivered
   * and waits again). The client serves a rebalance only between batches and hands partitions back
   * once every batch loop has returned: a loop held for the whole pause held up the group's rebalance.
   * Default HOLD_MS.
   */
  holdMs?: number;
  /** Partitions with a batch being processed right now (maintained here). */
  inFlight: Set<number>;
  /** Records of a partition were delivered. */
  onDelivered?(partition: number): void;
}

/** A dead-letter stand-in for offsets the client skipped (their bytes are gone). */
export function undecodableRecord(topic: string, gap: OffsetGap, nowMs: number): RawRecord {
  return {
    key: null,
    value: null,
    headers: {},
    source: { topic, partition: gap.partition, offset: String(gap.from) },
    receivedAtMs: nowMs,
    undecodable: { lastOffset: String(gap.to), reason: 'the Kafka client could not decode this batch (corrupt or unsupported compression/record format) and skipped it' },
  };
}

/** Records for one chunk, with dead-letter stand-ins for explained gaps before them. */
function chunkRecords(d: BatchLoopDeps, topic: string, partition: number, chunk: KafkaJS.KafkaMessage[], now: number): RawRecord[] {
  const out: RawRecord[] = [];
  for (const m of chunk) {
    const offset = BigInt(m.offset);
    const gap = d.gaps.observe(partition, offset);
    if (gap) {
      const explained = d.errors.take();
      d.onGap?.(topic, gap, explained);
      if (explained) out.push(undecodableRecord(topic, gap, now));
    }
    const r = toRawRecord(topic, partition, m, now);
    if (d.warmup.isWarmup(partition, offset)) {
      r.warmup = true;
      if (d.warmup.isFull(partition)) r.warmupFull = true; // series-state snapshot: replay the tail's state fully
    }
    out.push(r);
  }
  return out;
}

/**
 * The default byte bound of a chunk (BatchLoopDeps.chunkBytes), 1 MiB: 512 JSON ticks of a few hundred
 * bytes (~150 KB) stay one chunk; 1 MiB of SenML packs (~72,000 ticks at ~0.5 ms each, ~36 s) stays
 * well under max.poll.interval.ms (300 s) where 512 packs of 64 KiB (~2.3 million ticks) did not.
 */
export const CHUNK_BYTES = 1024 * 1024;

/** End (exclusive) of the chunk starting at `from`: at most `size` records and `bytes` bytes, at least one record. */
export function chunkEnd(msgs: readonly KafkaJS.KafkaMessage[], from: number, size: number, bytes: number): number {
  let end = from;
  let sum = 0;
  while (end < msgs.length && end - from < size) {
    const m = msgs[end];
    sum += (m.value?.length ?? 0) + (m.key?.length ?? 0);
    if (sum > bytes && end > from) break;
    end++;
  }
  return end;
}

/** The default hold (BatchLoopDeps.holdMs): the bound on how long a saturated member holds up a rebalance. */
export const HOLD_MS = 2_000;

/** ready(), at most `holdMs`: false when intake is still held then (the batch is given back). */
async function readyWithin(d: BatchLoopDeps): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const held = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), d.holdMs ?? HOLD_MS)));
  try {
    return await Promise.race([d.ready().then(() => true), held]);
  } finally {
    clearTimeout(timer);
  }
}

export function batchLoop(d: BatchLoopDeps): (payload: KafkaJS.EachBatchPayload) => Promise<void> {
  return async ({ batch, resolveOffset, isRunning, isStale }) => {
    if (!(await readyWithin(d))) return; // still held: given back unresolved, the client seeks back and fetches it again
    const msgs = batch.messages;
    const p = batch.partition;
    d.inFlight.add(p);
    try {
      if (msgs.length > 0) d.onDelivered?.(p);
      await runChunks(d, batch, resolveOffset, isRunning, isStale);
    } finally {
      d.inFlight.delete(p);
    }
  };
}

async function runChunks(
  d: BatchLoopDeps,
  batch: KafkaJS.Batch,
  resolveOffset: (offset: string) => void,
  isRunning: () => boolean,
  isStale: () => boolean,
): Promise<void> {
  {
    const msgs = batch.messages;
    const p = batch.partition;
    for (let i = 0, end = 0; i < msgs.length; i = end) {
      if (!(await readyWithin(d))) return; // held (backpressure): the rest is redelivered, a pending rebalance is served meanwhile
      if (!isRunning() || isStale()) return; // rebalanced or stopping: the rest is redelivered
      end = chunkEnd(msgs, i, d.chunkSize, d.chunkBytes ?? CHUNK_BYTES);
      const chunk = msgs.slice(i, end);
      const before = d.gaps.next(p);
      const records = chunkRecords(d, batch.topic, p, chunk, Date.now());
      const last = BigInt(chunk[chunk.length - 1].offset);
      const warmupOnly = records.every((r) => r.warmup);
      try {
        await (warmupOnly ? d.warmupStrategy : d.strategy).run(records, { topic: batch.topic, partition: p, last });
      } catch (err) {
        // Redelivered from the last resolved offset: see this chunk's gaps (and their reasons) again.
        d.gaps.expect(p, before);
        d.errors.giveBack(records.filter((r) => r.undecodable).length);
        throw err;
      }
      resolveOffset(String(last));
    }
  }
}
