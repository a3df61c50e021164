/**
 * Kafka sink: maps the pipeline's logical streams to topics and resolves only when the broker
 * has acknowledged every message (acks = all). The producer is idempotent, so retries after a
 * lost ack do not duplicate; a transaction can stand in for the producer (exactly-once mode).
 */
import { CompressionTypes, type Message, type Producer, type Transaction } from 'kafkajs';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { OutMessage, OutputSink } from '../../pipeline/ports.ts';

export type TopicMap = Record<OutMessage['stream'], string>;

export class KafkaSink implements OutputSink {
  readonly #producer: Producer | Transaction;
  readonly #topics: TopicMap;
  readonly #compression: CompressionTypes;

  constructor(producer: Producer | Transaction, topics: TopicMap, compression: 'none' | 'gzip' = 'none') {
    this.#producer = producer;
    this.#topics = topics;
    this.#compression = compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  }

  async send(messages: OutMessage[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const m of messages) {
      const topic = this.#topics[m.stream];
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push({ key: m.key, value: m.value, headers: m.headers });
    }
    try {
      await this.#producer.sendBatch({
        acks: -1,
        compression: this.#compression,
        topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
      });
    } catch (err) {
      throw new TickcastError(ErrorCodes.PRODUCE_FAILED, `could not write ${messages.length} output message(s) to Kafka; the input offsets stay uncommitted and the records will be processed again`, {
        retriable: true,
        cause: err,
      });
    }
  }
}

export function createProducer(kafka: import('kafkajs').Kafka, opts: { transactionalId?: string }): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    transactionalId: opts.transactionalId,
    allowAutoTopicCreation: false,
    retry: { retries: 12, initialRetryTime: 200, maxRetryTime: 5_000 },
  });
}
