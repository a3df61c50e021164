/**
 * tickcast_consumer_lag from broker offsets: for every assigned partition, high watermark −
 * committed offset of the group, read on a timer (not from fetched batches, so it keeps growing
 * while the service is stuck). Series are removed when a partition is revoked. A partition with
 * nothing committed counts from where its consumption started (its end at assignment under
 * kafka.fromBeginning=false): counting from the log start paged TickcastConsumerLagHigh on every
 * first deploy against a topic with history the service was never going to read. Where that start
 * is unknown (the committed offsets could not be read at assignment, so the client's reset policy
 * chose it: the end under kafka.fromBeginning=false), a partition with nothing committed counts from
 * its high watermark at the first read that succeeds, not from the log start.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';

export interface LagSink {
  lag(topic: string, partition: number, lag: number): void;
  lagRemoved(topic: string, partition: number): void;
  /** Each read's outcome: the brokers answered (true) or not (false). The lag gauge keeps its last value meanwhile. */
  brokersReached?(ok: boolean): void;
}

export interface LagReader {
  /** Committed offsets of the group for these partitions (undefined/negative: none). */
  committed(partitions: number[]): Promise<Map<number, bigint | undefined>>;
  /** High watermarks and log start offsets of the topic. */
  watermarks(): Promise<Map<number, { low: bigint; high: bigint }>>;
}

/**
 * Lag of one partition: records not yet committed. With nothing committed: those since `started`
 * (where consumption started; undefined: the log start, everything retained), never before the log start.
 */
export function partitionLag(committed: bigint | undefined, low: bigint, high: bigint, started?: bigint): number {
  const from = committed !== undefined && committed >= 0n ? committed : started !== undefined && started > low ? started : low;
  return Math.max(0, Number(high - from));
}

/**
 * What LagMonitor.assigned() is told after restore planning: where partitions with nothing committed
 * started (`plan`: read at assignment), or, when the committed offsets could not be read (no plan),
 * their log start under fromBeginning=true and unknown (null: the reset policy's end) otherwise.
 */
export function lagStarts(plan: { lagFrom: Map<number, bigint> } | null, fromBeginning: boolean): Map<number, bigint> | null | undefined {
  if (plan) return plan.lagFrom;
  return fromBeginning ? undefined : null;
}

export class LagMonitor {
  readonly #assigned = new Set<number>();
  readonly #started = new Map<number, bigint>();
  /** Partitions whose start is unknown until a read succeeds (see assigned()). */
  readonly #unknown = new Set<number>();
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly topic: string,
    private readonly reader: LagReader,
    private readonly sink: LagSink,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * `started`: where partitions with nothing committed started consuming (absent: their log start;
   * null: unknown, the consumer started at the end — their high watermark at the first successful read).
   */
  assigned(partitions: number[], started: ReadonlyMap<number, bigint> | null = new Map()): void {
    for (const p of partitions) {
      this.#assigned.add(p);
      if (started === null) this.#unknown.add(p);
      else this.#unknown.delete(p);
      const at = started?.get(p);
      if (at === undefined) this.#started.delete(p);
      else this.#started.set(p, at);
    }
    this.#start();
    void this.poll();
  }

  revoked(partitions: number[]): void {
    for (const p of partitions) {
      this.#assigned.delete(p);
      this.#started.delete(p);
      this.#unknown.delete(p);
      this.sink.lagRemoved(this.topic, p);
    }
  }

  /** Reads the offsets once (also used by tests); never rejects. */
  poll(): Promise<void> {
    this.#running ??= this.#poll().finally(() => (this.#running = null));
    return this.#running;
  }

  /** Reads the offsets of the assigned partitions; with none, the topic's watermarks alone (so an idle member still reports whether it reaches the brokers). */
  async #poll(): Promise<void> {
    const parts = [...this.#assigned];
    try {
      const [committed, marks] = await Promise.all([parts.length > 0 ? this.reader.committed(parts) : new Map<number, bigint | undefined>(), this.reader.watermarks()]);
      for (const p of parts) {
        const m = marks.get(p);
        if (m && this.#unknown.delete(p) && !((committed.get(p) ?? -1n) >= 0n)) this.#started.set(p, m.high);
        if (m && this.#assigned.has(p)) this.sink.lag(this.topic, p, partitionLag(committed.get(p), m.low, m.high, this.#started.get(p)));
      }
      this.sink.brokersReached?.(true);
    } catch (err) {
      this.log.debug({ err }, 'consumer lag not read this time');
      this.sink.brokersReached?.(false);
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

/**
 * A LagReader on the consumer (committed) and an admin client (watermarks). Not the admin client's
 * OffsetFetch, although committed() reports a commit at offset 0 like none: read on a timer it is an
 * admin coordinator request, and librdkafka aborts the process when one times out at the wrong moment
 * (confluentinc/librdkafka#4605, seen here in a broker-outage test; docs/metrics.md).
 */
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
