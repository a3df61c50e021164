/**
 * Kafka sink: maps the pipeline's logical streams to topics and resolves only when the broker
 * has acknowledged every message (acks = all). The producer is idempotent, so retries after a
 * lost ack do not duplicate. In exactly-once mode the sink writes into the running transaction
 * (TransactionSlot).
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ErrorCodes, TickcastError, isTickcastError } from '../../errors/index.ts';
import type { OutMessage, OutputSink } from '../../pipeline/ports.ts';
import { DEFAULT_MESSAGE_MAX_BYTES, oversizedDeadLetter, tooLarge } from './oversized.ts';

/** `alertState` only when that topic is configured (topics.alertState): without it no such output is made. */
export type TopicMap = Record<Exclude<OutMessage['stream'], 'alertState'>, string> & { alertState?: string };
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** What the sink writes through: a producer, or the transaction slot. */
export interface BatchSender {
  sendBatch(batch: KafkaJS.ProducerBatch): Promise<unknown>;
}

export interface KafkaSinkOptions {
  /** The producer's message.max.bytes: an output over it goes to the dead-letter topic instead (./oversized.ts). */
  maxMessageBytes?: number;
  /** An output was swapped for a dead letter with this code (tickcast_dlq_total). */
  onDeadLetter?(code: string): void;
  /** A send failed; `error`: the client's error type (librdkafka's name, e.g. ERR__MSG_TIMED_OUT), else `unknown` (tickcast_kafka_produce_failures_total). */
  onSendFailed?(error: string): void;
}

/** librdkafka's name for a client error (`type` of the kafkajs-compatible errors): a bounded label. */
export function produceErrorType(err: unknown): string {
  const type = (err as { type?: unknown } | null)?.type;
  return typeof type === 'string' && /^[A-Z0-9_]{1,64}$/.test(type) ? type : 'unknown';
}

export class KafkaSink implements OutputSink {
  readonly #out: BatchSender;
  readonly #topics: TopicMap;
  readonly #max: number;
  readonly #onDeadLetter: (code: string) => void;
  readonly #onSendFailed: (error: string) => void;
  /** Outputs already swapped: a failed send's outputs come again as they were (pipeline/unsent-outputs.ts) and are counted once. */
  readonly #swapped = new WeakMap<OutMessage, OutMessage>();

  constructor(out: BatchSender, topics: TopicMap, opts: KafkaSinkOptions = {}) {
    this.#out = out;
    this.#topics = topics;
    this.#max = opts.maxMessageBytes ?? DEFAULT_MESSAGE_MAX_BYTES;
    this.#onDeadLetter = opts.onDeadLetter ?? (() => undefined);
    this.#onSendFailed = opts.onSendFailed ?? (() => undefined);
  }

  /** `m`, or the dead letter that stands in for it when it is too large to ever be written. */
  #writable(m: OutMessage): OutMessage {
    const done = this.#swapped.get(m);
    if (done) return done;
    if (!tooLarge(m, this.#max)) return m;
    const dead = oversizedDeadLetter(m, this.#topics[m.stream] ?? '', this.#max);
    this.#swapped.set(m, dead);
    this.#onDeadLetter(ErrorCodes.OUTPUT_TOO_LARGE);
    return dead;
  }

  async send(given: OutMessage[]): Promise<void> {
    const messages = given.map((m) => this.#writable(m));
    const byTopic = new Map<string, KafkaJS.Message[]>();
    for (const m of messages) {
      const topic = this.#topics[m.stream];
      if (topic === undefined) continue; // alert state with no topics.alertState (the pipeline makes none then)
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push({ key: m.key, value: m.value, headers: m.headers, ...(m.partition === undefined ? {} : { partition: m.partition }) });
    }
    try {
      await this.#out.sendBatch({ topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })) });
    } catch (err) {
      // TransactionSlot's TC_INTERNAL (a bug): nothing reached Kafka, so it is no failed send; its code goes on as it is.
      if (isTickcastError(err) && err.code === ErrorCodes.INTERNAL) throw err;
      this.#onSendFailed(produceErrorType(err));
      // The client's reason goes into the message: the consumer logs only this error's own text.
      const reason = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      throw new TickcastError(
        ErrorCodes.PRODUCE_FAILED,
        `could not write ${messages.length} output message(s) to Kafka (topics ${[...byTopic.keys()].join(', ')}): ${reason}; the input offsets stay uncommitted and the records will be processed again`,
        { retriable: true, cause: err },
      );
    }
  }
}

/** The transaction a chunk runs in (exactly-once): the sink writes into it, nothing else may. */
export class TransactionSlot implements BatchSender {
  current: KafkaJS.Transaction | null = null;

  sendBatch(batch: KafkaJS.ProducerBatch): Promise<unknown> {
    // A bug (the pipeline sends a chunk's outputs only inside its transaction), never the broker's doing.
    if (!this.current) return Promise.reject(new TickcastError(ErrorCodes.INTERNAL, 'exactly-once: output written outside a transaction (a bug: nothing was sent; the chunk fails and is redelivered)'));
    return this.current.sendBatch(batch);
  }
}

/**
 * The service's producer. `properties` (kafka.properties) go on top of the derived values here, as
 * they do for the consumer: the client lays a producer's own settings over the shared ones, so
 * without them an operator's `linger.ms` or `compression.codec` was silently ignored.
 */
export function createProducer(kafka: KafkaJS.Kafka, opts: { transactionalId?: string; compression: Compression; lingerMs?: number; properties?: Readonly<Record<string, string | number | boolean>> }): KafkaJS.Producer {
  return kafka.producer({
    kafkaJS: {
      idempotent: true,
      acks: -1,
      // Only when set: the client treats a present-but-undefined key as a transactional producer.
      ...(opts.transactionalId ? { transactionalId: opts.transactionalId } : {}),
      allowAutoTopicCreation: false,
      retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 5_000 },
    },
    // Each chunk's outputs are sent together and awaited; a short linger batches them without
    // adding noticeable latency.
    'linger.ms': opts.lingerMs ?? 5,
    // Producer-wide codec (librdkafka name; the KafkaJS enum's runtime keys differ from its types).
    'compression.codec': opts.compression,
    ...opts.properties,
  });
}
