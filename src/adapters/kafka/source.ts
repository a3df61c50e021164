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
import type { Consumer, Kafka, Producer, Transaction } from 'kafkajs';
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
  partitionsConsumedConcurrently: number;
  fromBeginning: boolean;
  /** Records handed to the pipeline at once (bounded memory per partition). */
  chunkSize?: number;
  exactlyOnce?: { producer: Producer; topics: TopicMap };
  onLag?: (topic: string, partition: number, lag: number) => void;
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
      readUncommitted: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 5_000 },
    });
    this.#consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const parts = Object.values(e.payload.memberAssignment).reduce((n, p) => n + p.length, 0);
      this.#assigned = parts;
      this.#log.info({ partitions: e.payload.memberAssignment, generation: e.payload.groupId }, 'partitions assigned');
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.#log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [o.topic], fromBeginning: o.fromBeginning });
    const chunkSize = o.chunkSize ?? 512;
    const eos = o.exactlyOnce;

    await consumer.run({
      autoCommit: eos === undefined,
      autoCommitThreshold: 1, // commit after every resolved chunk
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
        const msgs = batch.messages;
        for (let i = 0; i < msgs.length; i += chunkSize) {
          if (!isRunning() || isStale()) return; // rebalanced or stopping: the rest is redelivered
          const chunk = msgs.slice(i, i + chunkSize);
          const now = Date.now();
          const records = chunk.map((m) => toRawRecord(batch.topic, batch.partition, m, now));
          const last = chunk[chunk.length - 1].offset;
          if (eos) {
            await this.#transactional(eos, handle as TransactionalHandler, records, batch.topic, batch.partition, last);
          } else {
            await (handle as RecordHandler)(records);
          }
          resolveOffset(last);
          if (!eos) await commitOffsetsIfNecessary();
          await heartbeat();
          const hw = Number(batch.highWatermark);
          if (Number.isFinite(hw)) o.onLag?.(batch.topic, batch.partition, Math.max(0, hw - Number(last) - 1));
        }
      },
    });
  }

  async #transactional(
    eos: NonNullable<KafkaSourceOptions['exactlyOnce']>,
    handle: TransactionalHandler,
    records: RawRecord[],
    topic: string,
    partition: number,
    lastOffset: string,
  ): Promise<void> {
    const tx: Transaction = await eos.producer.transaction();
    try {
      await handle(records, new KafkaSink(tx, eos.topics));
      await tx.sendOffsets({ consumerGroupId: this.#o.groupId, topics: [{ topic, partitions: [{ partition, offset: String(BigInt(lastOffset) + 1n) }] }] });
      await tx.commit();
    } catch (err) {
      await tx.abort().catch((e) => this.#log.warn({ err: e }, 'transaction abort failed'));
      throw err;
    }
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
      this.#assigned = 0;
    })();
    return this.#stopping;
  }
}
