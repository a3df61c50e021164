/** Kafka helpers for tests: produce ticks, collect output topics until a condition holds. */
import { Kafka, logLevel, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import './kafkajs-idle.ts'; // no 1 ms timer loop per idle connection, no TimeoutNegativeWarning on Node 24

export interface Collected {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The key's bytes as the broker gave them (binary keys: `key` is their UTF-8 reading). */
  rawKey: Buffer | null;
  value: Buffer | null;
  /** First value of each header as text. */
  headers: Record<string, string>;
  /** The headers as the broker gave them (Buffers; a repeated name as an array). */
  rawHeaders: IHeaders;
}

export function testKafka(brokers: string[]): Kafka {
  return new Kafka({ clientId: 'tickcast-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 2000 } });
}

export async function connectProducer(kafka: Kafka): Promise<Producer> {
  const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  return p;
}

/** Send JSON ticks (or raw buffers) with key = series. */
export async function produce(p: Producer, topic: string, messages: Array<{ key: string | null; value: string | Buffer; headers?: IHeaders }>): Promise<void> {
  for (let i = 0; i < messages.length; i += 500) await p.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
}

/** Reads topics from the beginning into an array; `waitFor` polls until a predicate holds. */
export class Collector {
  readonly items: Collected[] = [];
  #consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  /** `fromBeginning: false` reads only what is produced after the group has joined (resolves once it has). */
  static async start(kafka: Kafka, topics: string[], groupId: string, opts: { fromBeginning?: boolean } = {}): Promise<Collector> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 100 });
    const c = new Collector(consumer);
    const fromBeginning = opts.fromBeginning ?? true;
    const joined = fromBeginning ? null : new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) if (v !== undefined) headers[k] = String(Array.isArray(v) ? v[0] : v);
        c.items.push({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, rawKey: message.key, value: message.value, headers, rawHeaders: message.headers ?? {} });
      },
    });
    await joined;
    return c;
  }

  of(topic: string): Collected[] {
    return this.items.filter((i) => i.topic === topic);
  }

  async waitFor(pred: () => boolean, timeoutMs = 30_000, what = 'condition'): Promise<void> {
    const t0 = Date.now();
    while (!pred()) {
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (collected ${this.items.length})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Wait until no new item arrived for `quietMs`. */
  async settle(quietMs = 1500, timeoutMs = 30_000): Promise<void> {
    const t0 = Date.now();
    let n = -1;
    let since = Date.now();
    while (Date.now() - since < quietMs) {
      if (Date.now() - t0 > timeoutMs) return;
      if (this.items.length !== n) {
        n = this.items.length;
        since = Date.now();
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.#consumer.disconnect();
  }
}

/** A sine-plus-noise tick stream for S series × N ticks, interleaved by time. */
export function tickStream(series: number, ticks: number, opts: { t0?: number; stepMs?: number; prefix?: string } = {}) {
  const t0 = opts.t0 ?? Date.UTC(2025, 0, 1);
  const step = opts.stepMs ?? 60_000;
  const out: Array<{ key: string; value: string }> = [];
  for (let t = 0; t < ticks; t++) {
    for (let s = 0; s < series; s++) {
      const id = `${opts.prefix ?? 's'}${s}`;
      const v = 100 + 10 * s + 5 * Math.sin((t + s) / 4) + ((t * 7919 + s * 104729) % 13) / 13;
      out.push({ key: id, value: JSON.stringify({ series: id, ts: t0 + t * step, value: v }) });
    }
  }
  return out;
}
