/**
 * Kafka source: a consumer-group member that hands consecutive records of one partition to the
 * pipeline in chunks and commits a chunk's offsets only after the pipeline has resolved it (every
 * output acknowledged) — at-least-once. With delivery 'exactly-once', each chunk's outputs and its
 * offsets are written in one producer transaction instead (consume-transform-produce).
 *
 * Backpressure: kafkajs does not fetch a partition's next batch until eachBatch returns, and the
 * pipeline's handle() awaits inference and produce acks; on top, pause()/resume() stop fetching
 * entirely while the inference queue is above its high-water mark.
 */
import type { Admin, Consumer, Kafka, Producer, Transaction } from 'kafkajs';
import type { Logger } from '../../telemetry/logger.ts';
import type { RawRecord } from '../../domain/types.ts';
import type { OutputSink, RecordHandler, TickSource } from '../../pipeline/ports.ts';
import { toRawRecord } from './codec.ts';
import { KafkaSink, type TopicMap } from './sink.ts';

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
  /** Records re-read before the committed offset on assignment to rebuild windows (0 = off). */
  restoreRecordsPerPartition?: number;
  // --- series-state snapshot hook (src/pipeline/snapshot/snapshotter.ts) -------------------------
  /**
   * "Restore from these offsets": given each assigned partition's committed and first retained
   * offset, restores the series state a snapshot holds and returns partition → offset to replay
   * from as full warm-up (up to the committed offset). Partitions it leaves out get the plain
   * window replay above.
   */
  restoreFrom?: (candidates: Array<{ partition: number; committed: bigint; low: bigint }>) => Map<number, bigint>;
  // --- end series-state snapshot hook -------------------------------------------------------------
  exactlyOnce?: { producer: Producer; topics: TopicMap };
  onLag?: (topic: string, partition: number, lag: number) => void;
  /** The consumer stopped for good (kafkajs will not restart it). */
  onFatal?: (err: Error) => void;
}

/** A handler that may be given a per-call sink (the transaction, in exactly-once mode). */
export type TransactionalHandler = (records: RawRecord[], sink?: OutputSink) => Promise<void>;

export class KafkaSource implements TickSource {
  readonly #kafka: Kafka;
  readonly #o: KafkaSourceOptions;
  readonly #log: Logger;
  #consumer: Consumer | null = null;
  #assigned = 0;
  #paused = false;
  #stopping: Promise<void> | null = null;
  #admin: Admin | null = null;
  /** Partition → committed offset at assignment; records below it are replayed as warm-up. */
  readonly #warmupUntil = new Map<number, bigint>();
  /** Partitions whose warm-up is the tail after a series-state snapshot (full state replay). */
  readonly #warmupFull = new Set<number>();
  /** Partition → offset we seeked to; batches that start elsewhere are stale pre-seek fetches. */
  readonly #seekedTo = new Map<number, bigint>();
  #restoring: Promise<void> = Promise.resolve();
  /** A transactional producer runs one transaction at a time: partitions take turns. */
  #txTail: Promise<unknown> = Promise.resolve();

  constructor(kafka: Kafka, opts: KafkaSourceOptions, logger: Logger) {
    this.#kafka = kafka;
    this.#o = opts;
    this.#log = logger.child({ module: 'kafka-source' });
  }

  isAssigned(): boolean {
    return this.#assigned > 0;
  }

  async start(handle: RecordHandler | TransactionalHandler): Promise<void> {
    const o = this.#o;
    const consumer = this.#kafka.consumer({
      groupId: o.groupId,
      sessionTimeout: o.sessionTimeoutMs,
      heartbeatInterval: o.heartbeatIntervalMs,
      maxWaitTimeInMs: o.fetchMaxWaitMs,
      readUncommitted: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const mine = e.payload.memberAssignment[o.topic] ?? [];
      this.#assigned = Object.values(e.payload.memberAssignment).reduce((n, p) => n + p.length, 0);
      this.#log.info({ partitions: e.payload.memberAssignment }, 'partitions assigned');
      this.#restoring = this.#planRestore(consumer, mine).catch((err) => this.#log.warn({ err }, 'window restore skipped: could not read committed offsets'));
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.#log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
      // kafkajs gives up on non-retriable errors: report it so liveness fails and the
      // orchestrator restarts the process (uncommitted records are then redelivered).
      if (!e.payload.restart) o.onFatal?.(e.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [o.topic], fromBeginning: o.fromBeginning });
    const chunkSize = o.chunkSize ?? 512;
    const eos = o.exactlyOnce;

    await consumer.run({
      // Offsets are committed explicitly after each chunk (below). With autoCommit on, kafkajs'
      // seek() would also commit the restore position, moving the committed offset backwards.
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        await this.#restoring;
        const msgs = batch.messages;
        const p = batch.partition;
        const seeked = this.#seekedTo.get(p);
        if (seeked !== undefined) {
          // A batch fetched before our seek took effect: drop it, the seek re-reads from earlier.
          if (msgs.length > 0 && BigInt(msgs[0].offset) !== seeked) return;
          this.#seekedTo.delete(p);
        }
        for (let i = 0; i < msgs.length; i += chunkSize) {
          if (!isRunning() || isStale()) return; // rebalanced or stopping: the rest is redelivered
          const chunk = msgs.slice(i, i + chunkSize);
          const now = Date.now();
          const until = this.#warmupUntil.get(p);
          const records = chunk.map((m) => {
            const r = toRawRecord(batch.topic, p, m, now);
            if (until !== undefined && BigInt(m.offset) < until) {
              r.warmup = true;
              if (this.#warmupFull.has(p)) r.warmupFull = true; // snapshot hook: replay the tail's state fully
            }
            return r;
          });
          const last = chunk[chunk.length - 1].offset;
          if (until !== undefined && BigInt(last) + 1n >= until) this.#warmupUntil.delete(p);
          if (records[records.length - 1].warmup) {
            // Warm-up only: rebuild windows, commit nothing (the committed offset is already past).
            await (handle as RecordHandler)(records);
            resolveOffset(last); // advance the fetch position (kafkajs re-fetches from the last resolved offset)
            await heartbeat();
            continue;
          }
          if (eos) {
            await this.#transactional(eos, handle as TransactionalHandler, records, batch.topic, batch.partition, last);
          } else {
            await (handle as RecordHandler)(records);
          }
          resolveOffset(last);
          // Explicit offsets through the batch payload (not consumer.commitOffsets): kafkajs then
          // sees protocol errors such as UNKNOWN_MEMBER_ID raw and re-joins the group after an
          // outage, instead of crashing on a wrapped non-retriable error (docs/reliability.md #7).
          if (!eos) await commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: p, offset: String(BigInt(last) + 1n) }] }] });
          await heartbeat();
          const hw = Number(batch.highWatermark);
          if (Number.isFinite(hw)) o.onLag?.(batch.topic, batch.partition, Math.max(0, hw - Number(last) - 1));
        }
      },
    });
  }

  /**
   * On assignment, seek each partition back `restoreRecordsPerPartition` records before its
   * committed offset, so the windows of its series are rebuilt before new outputs are produced.
   */
  async #planRestore(consumer: Consumer, partitions: number[]): Promise<void> {
    const k = BigInt(this.#o.restoreRecordsPerPartition ?? 0);
    this.#warmupUntil.clear();
    this.#seekedTo.clear();
    this.#warmupFull.clear();
    if ((k === 0n && !this.#o.restoreFrom) || partitions.length === 0) return;
    if (!this.#admin) {
      this.#admin = this.#kafka.admin();
      await this.#admin.connect();
    }
    const [committed] = await this.#admin.fetchOffsets({ groupId: this.#o.groupId, topics: [this.#o.topic] });
    const low = await this.#admin.fetchTopicOffsets(this.#o.topic);
    const fromSnapshot = this.#restoreFromSnapshot(consumer, partitions, committed?.partitions ?? [], low);
    for (const p of partitions) {
      if (fromSnapshot.has(p)) continue;
      const c = committed?.partitions.find((x) => x.partition === p)?.offset;
      if (c === undefined || BigInt(c) < 0n) continue; // nothing committed: the group starts fresh
      const lowP = BigInt(low.find((x) => x.partition === p)?.low ?? '0');
      const start = BigInt(c) - k > lowP ? BigInt(c) - k : lowP;
      if (start >= BigInt(c)) continue;
      this.#warmupUntil.set(p, BigInt(c));
      this.#seekedTo.set(p, start);
      consumer.seek({ topic: this.#o.topic, partition: p, offset: String(start) });
      this.#log.info({ partition: p, from: String(start), committed: c }, 'restoring windows from earlier records');
    }
  }

  /** Snapshot hook: seek the partitions a series-state snapshot covers to its offsets. */
  #restoreFromSnapshot(consumer: Consumer, partitions: number[], committed: Array<{ partition: number; offset: string }>, low: Array<{ partition: number; low: string }>): Set<number> {
    if (!this.#o.restoreFrom) return new Set();
    const candidates = [];
    for (const p of partitions) {
      const c = committed.find((x) => x.partition === p)?.offset;
      if (c === undefined || BigInt(c) < 0n) continue;
      candidates.push({ partition: p, committed: BigInt(c), low: BigInt(low.find((x) => x.partition === p)?.low ?? '0') });
    }
    const plan = this.#o.restoreFrom(candidates);
    for (const [p, from] of plan) {
      const c = candidates.find((x) => x.partition === p)!.committed;
      if (from >= c) continue; // the snapshot is current: nothing to replay
      this.#warmupUntil.set(p, c);
      this.#warmupFull.add(p);
      this.#seekedTo.set(p, from);
      consumer.seek({ topic: this.#o.topic, partition: p, offset: String(from) });
      this.#log.info({ partition: p, from: String(from), committed: String(c) }, 'replaying the tail after the series-state snapshot');
    }
    return new Set(plan.keys());
  }

  /**
   * One chunk in one producer transaction: outputs and the chunk's offsets commit together. A
   * transactional producer runs one transaction at a time, so partitions take turns.
   */
  #transactional(
    eos: NonNullable<KafkaSourceOptions['exactlyOnce']>,
    handle: TransactionalHandler,
    records: RawRecord[],
    topic: string,
    partition: number,
    lastOffset: string,
  ): Promise<void> {
    const turn = this.#txTail.then(async () => {
      const tx: Transaction = await eos.producer.transaction();
      try {
        await handle(records, new KafkaSink(tx, eos.topics));
        await tx.sendOffsets({ consumerGroupId: this.#o.groupId, topics: [{ topic, partitions: [{ partition, offset: String(BigInt(lastOffset) + 1n) }] }] });
        await tx.commit();
      } catch (err) {
        await tx.abort().catch((e) => this.#log.warn({ err: e }, 'transaction abort failed'));
        throw err;
      }
    });
    this.#txTail = turn.catch(() => undefined);
    return turn;
  }

  pause(): void {
    if (this.#paused || !this.#consumer) return;
    this.#paused = true;
    this.#consumer.pause([{ topic: this.#o.topic }]);
  }

  resume(): void {
    if (!this.#paused || !this.#consumer) return;
    this.#paused = false;
    this.#consumer.resume([{ topic: this.#o.topic }]);
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Leaves the group after the running eachBatch calls finish (kafkajs waits for them). */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const c = this.#consumer;
      if (!c) return;
      await c.disconnect();
      await this.#admin?.disconnect();
      this.#assigned = 0;
    })();
    return this.#stopping;
  }
}
