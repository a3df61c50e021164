/**
 * tickcast_consumer_lag from broker offsets: for every assigned partition, high watermark −
 * committed offset of the group, read on a timer (not from fetched batches, so it keeps growing
 * while the service is stuck). Series are removed when a partition is revoked.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';

export interface LagSink {
  lag(topic: string, partition: number, lag: number): void;
  lagRemoved(topic: string, partition: number): void;
}

export interface LagReader {
  /** Committed offsets of the group for these partitions (undefined/negative: none). */
  committed(partitions: number[]): Promise<Map<number, bigint | undefined>>;
  /** High watermarks and log start offsets of the topic. */
  watermarks(): Promise<Map<number, { low: bigint; high: bigint }>>;
}

/** Lag of one partition: records not yet committed; with nothing committed, everything retained. */
export function partitionLag(committed: bigint | undefined, low: bigint, high: bigint): number {
  const from = committed === undefined || committed < 0n ? low : committed;
  return Math.max(0, Number(high - from));
}

export class LagMonitor {
  readonly #assigned = new Set<number>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly topic: string,
    private readonly reader: LagReader,
    private readonly sink: LagSink,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  assigned(partitions: number[]): void {
    for (const p of partitions) this.#assigned.add(p);
    this.#start();
    void this.poll();
  }

  revoked(partitions: number[]): void {
    for (const p of partitions) {
      this.#assigned.delete(p);
      this.sink.lagRemoved(this.topic, p);
    }
  }

  /** Reads the offsets once (also used by tests); never rejects. */
  poll(): Promise<void> {
    this.#running ??= this.#poll().finally(() => (this.#running = null));
    return this.#running;
  }

  async #poll(): Promise<void> {
    const parts = [...this.#assigned];
    if (parts.length === 0) return;
    try {
      const [committed, marks] = await Promise.all([this.reader.committed(parts), this.reader.watermarks()]);
      for (const p of parts) {
        const m = marks.get(p);
        if (m && this.#assigned.has(p)) this.sink.lag(this.topic, p, partitionLag(committed.get(p), m.low, m.high));
      }
    } catch (err) {
      this.log.debug({ err }, 'consumer lag not read this time');
    }
  }

  #start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.poll(), this.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
    this.revoked([...this.#assigned]);
  }
}

/** A LagReader on the consumer (committed) and an admin client (watermarks). */
export function brokerLagReader(topic: string, consumer: () => KafkaJS.Consumer, admin: () => KafkaJS.Admin): LagReader {
  return {
    async committed(partitions) {
      const rows = await consumer().committed(partitions.map((partition) => ({ topic, partition })), 5_000);
      return new Map(rows.map((r) => [r.partition, r.offset === null || r.offset === undefined ? undefined : BigInt(r.offset)]));
    },
    async watermarks() {
      const rows = await admin().fetchTopicOffsets(topic, { timeout: 5_000, isolationLevel: 1 });
      return new Map(rows.map((r) => [r.partition, { low: BigInt(r.low), high: BigInt(r.high) }]));
    },
  };
}
