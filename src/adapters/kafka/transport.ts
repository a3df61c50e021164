/**
 * Everything Kafka for the composition root: client, producer, sink and source, built from the
 * configuration. In exactly-once mode the sink writes into the chunk's transaction (the source's
 * transactional commit strategy opens it), so the pipeline's handler stays `(records) => ...`.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Config } from '../../config/load.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { clientProperties, createKafka, kafkaClientInfo } from './client.ts';
import { readAlertState, type AlertStateRecord, type AlertStateUnreadReason } from './alert-state-reader.ts';
import type { LagSink } from './lag.ts';
import type { CommitFailureReason } from './commit-failure.ts';
import { ConsumeErrors, type OffsetGap } from './offset-gaps.ts';
import { ClosableSender, closableProducer, type ClosableProducer } from './closable-sender.ts';
import { createProducer, KafkaSink, TransactionSlot, type TopicMap } from './sink.ts';
import { hostname } from 'node:os';
import { KafkaSource, type KafkaSourceOptions } from './source.ts';
import { ensureTopics } from './topics.ts';
import { ownTransactions, TransactionTurns } from './transactions.ts';
import type { OutputSink } from '../../pipeline/ports.ts';
import { checkCluster, OutputTopics } from './cluster-at-start.ts';
import { messageMaxBytes } from './oversized.ts';

export interface KafkaObserver extends LagSink {
  offsetGap(topic: string, records: number, explained: boolean): void;
  /** An output swapped for a dead letter by the sink (TC_OUTPUT_TOO_LARGE). */
  deadLetter(code: string): void;
  /** A send of outputs failed (its chunk is redelivered), by the client's error type. */
  produceFailed(error: string): void;
  /** Partitions taken over whose alert state was not read (./alert-state-reader.ts). */
  alertStateUnread?(reason: AlertStateUnreadReason, partitions: number): void;
  /** An offset commit failed or was refused, by reason (./commit-failure.ts). */
  commitFailed?(reason: CommitFailureReason): void;
  /** Input offsets stored for `partitions` partitions (a commit the coordinator acknowledged, or a transaction's). */
  commitsStored?(partitions: number): void;
}

export interface KafkaTransport {
  readonly sink: KafkaSink;
  /**
   * For outputs no committed input carries (the resolves of series evicted between chunks, the outputs
   * of a chunk of warm-up records only, which commits nothing): the sink, or in exactly-once mode a
   * transaction of their own per send, in turn with the chunks' (./transactions.ts).
   */
  readonly looseSink: OutputSink;
  readonly source: KafkaSource;
  /**
   * Waits until a broker answers (retrying until `signal` aborts: ./cluster-at-start.ts), creates
   * topics if configured, looks for missing output topics, then connects the producer.
   */
  connect(signal?: AbortSignal): Promise<void>;
  /**
   * Stops the missing-topic look-ups, disconnects the admin client, flushes and disconnects the
   * producer (after the source stopped). Safe while connect() still waits (a stop during start):
   * a producer still connecting is disconnected once connected, without waiting for it.
   */
  disconnect(): Promise<void>;
  /** Output topics the cluster lacks (TC_KAFKA_TOPIC_MISSING; /readyz names them). */
  missingOutputTopics(): string[];
  /**
   * The alert-feedback topic: a consumer of its own group per host (every instance reads all
   * feedback) and a plain idempotent producer (the main one may be transactional), whose sends
   * still waiting fail when it is disconnected (./closable-sender.ts).
   */
  feedback(topic: string): { source: KafkaSource; publisher: ClosableProducer };
}

export interface KafkaTransportHooks {
  /** Series-state snapshot hook, passed to the source (KafkaSourceOptions.restoreFrom). */
  restoreFrom?: KafkaSourceOptions['restoreFrom'];
  /** Partitions that went to another instance, passed to the source (KafkaSourceOptions.onReleased). */
  onReleased?: KafkaSourceOptions['onReleased'];
  /** Partitions being revoked, passed to the source (KafkaSourceOptions.onRevoking). */
  onRevoking?: KafkaSourceOptions['onRevoking'];
  /** Extra topics to create with the others when kafka.createTopics is on (the feedback topic). */
  extraTopics?: string[];
  /** With topics.alertState: a partition taken over, and its alert-state records (./alert-state-reader.ts). */
  inheritAlerts?: (partition: number, records: AlertStateRecord[]) => void;
  /** With topics.alertState: the alert-state topic's partition count, as found at start and by each read at assignment (no state can be written for input partitions beyond it). */
  alertStatePartitions?: (partitions: number) => void;
}

/** How long reading the alert state of partitions taken over may hold up their assignment (inside the rebalance callback). */
const ALERT_STATE_READ_MS = 15_000;

export function createKafkaTransport(config: Config, topics: TopicMap, observer: KafkaObserver, logger: Logger, hooks: KafkaTransportHooks = {}): KafkaTransport {
  const k = config.kafka;
  const log = logger.child({ module: 'kafka' });
  const errors = new ConsumeErrors();
  const kafka: KafkaJS.Kafka = createKafka({ ...k, brokers: k.brokers, clientId: k.clientId }, logger, (m) => {
    if (!errors.report(m)) return;
    log.warn({ detail: m.split('\n')[0] }, 'the Kafka client cannot decode a fetched batch; stepping over it (its offsets go to the dead-letter topic)');
    source.decodeError();
  });
  log.info(kafkaClientInfo(), 'Kafka client (librdkafka)');
  const eos = k.delivery === 'exactly-once';
  const producer = createProducer(kafka, { transactionalId: eos ? k.transactionalId : undefined, compression: k.compression, properties: k.properties });
  const slot = new TransactionSlot();
  const sender = new ClosableSender(eos ? slot : producer);
  const main = closableProducer(producer, sender);
  const sink = new KafkaSink(sender, topics, { maxMessageBytes: messageMaxBytes(k.properties), onDeadLetter: (code) => observer.deadLetter(code), onSendFailed: (e) => observer.produceFailed(e) });
  const turns = eos ? new TransactionTurns(producer, slot, log) : null;
  const onGap = gapReporter(observer, log);
  const source = new KafkaSource(
    kafka,
    {
      topic: config.topics.ticks,
      groupId: k.groupId,
      sessionTimeoutMs: k.sessionTimeoutMs,
      heartbeatIntervalMs: k.heartbeatIntervalMs,
      fetchMaxWaitMs: k.fetchMaxWaitMs,
      partitionsConsumedConcurrently: k.partitionsConsumedConcurrently,
      fromBeginning: k.fromBeginning,
      restoreRecordsPerPartition: config.windows.restoreRecordsPerPartition,
      restoreFrom: hooks.restoreFrom,
      onReleased: hooks.onReleased, onRevoking: hooks.onRevoking, onGained: alertStateHook(config, hooks, log, observer),
      exactlyOnce: turns ? { turns } : undefined,
      lag: { sink: observer, intervalMs: k.lagIntervalMs },
      onGap, onCommitFailed: (reason) => observer.commitFailed?.(reason), onCommitted: (n) => observer.commitsStored?.(n),
      properties: k.properties,
      metadataRefreshMs: k.metadataRefreshMs,
    },
    logger,
    errors,
  );
  const outputs = new OutputTopics([...Object.values(topics), ...(hooks.extraTopics ?? [])], log);
  const admin = kafka.admin();
  return {
    sink,
    looseSink: turns ? ownTransactions(turns, sink) : sink,
    source,
    async connect(signal) {
      const create = k.createTopics ? () => ensureTopics(kafka, [config.topics.ticks, ...Object.values(topics), ...(hooks.extraTopics ?? [])], k.topicPartitions, logger, { compacted: topics.alertState, input: config.topics.ticks }) : null;
      await checkCluster(admin, outputs, log, { brokers: k.brokers.join(','), signal, create, recheckMs: k.metadataRefreshMs, alertState: topics.alertState ? { input: config.topics.ticks, state: topics.alertState, known: hooks.alertStatePartitions } : undefined });
      await main.connect();
    },
    async disconnect() {
      outputs.stop();
      await admin.disconnect().catch((err: unknown) => log.warn({ err }, 'admin disconnect failed'));
      await main.disconnect();
    },
    missingOutputTopics: () => outputs.missing(),
    feedback: (topic) => feedbackTransport(kafka, config, topic, logger),
  };
}

/** With topics.alertState: read the alert state of the partitions taken over and hand it on (KafkaSourceOptions.onGained). */
function alertStateHook(config: Config, hooks: KafkaTransportHooks, log: Logger, observer: KafkaObserver): KafkaSourceOptions['onGained'] {
  const topic = config.topics.alertState;
  const inherit = hooks.inheritAlerts;
  if (topic === '' || !inherit) return undefined;
  const k = config.kafka;
  const o = { topic, properties: clientProperties({ ...k, brokers: k.brokers, clientId: k.clientId }), brokers: k.brokers, groupId: `${k.groupId}.alert-state`, timeoutMs: ALERT_STATE_READ_MS, onUnread: (reason: AlertStateUnreadReason, n: number) => observer.alertStateUnread?.(reason, n), onPartitionCount: hooks.alertStatePartitions };
  return async (partitions) => {
    for (const [partition, records] of await readAlertState(o, partitions, log)) inherit(partition, records);
  };
}

/** Offset gaps in an input partition: counted, and logged (a warning when explained: the client reported a batch it could not decode). */
function gapReporter(observer: KafkaObserver, log: Logger): (topic: string, gap: OffsetGap, explained: boolean) => void {
  return (topic, gap, explained) => {
    const records = Number(gap.to - gap.from + 1n);
    observer.offsetGap(topic, records, explained);
    log[explained ? 'warn' : 'debug']({ topic, partition: gap.partition, from: String(gap.from), to: String(gap.to), explained }, 'offset gap in input partition');
  };
}

/** The alert-feedback topic's consumer (its own group per host) and a plain idempotent producer. */
function feedbackTransport(kafka: KafkaJS.Kafka, config: Config, topic: string, logger: Logger): { source: KafkaSource; publisher: ClosableProducer } {
  const k = config.kafka;
  const source = new KafkaSource(
    kafka,
    {
      topic,
      groupId: `${k.groupId}.feedback.${hostname()}`,
      sessionTimeoutMs: k.sessionTimeoutMs,
      heartbeatIntervalMs: k.heartbeatIntervalMs,
      fetchMaxWaitMs: k.fetchMaxWaitMs,
      partitionsConsumedConcurrently: 1,
      fromBeginning: true,
      restoreRecordsPerPartition: 0,
      properties: k.properties,
      metadataRefreshMs: k.metadataRefreshMs,
    },
    logger,
    new ConsumeErrors(),
  );
  // Its disconnect drops what it still holds without a delivery report: a feedback request still
  // waiting on a send then waited for good, and with it the HTTP server's close and the stop.
  return { source, publisher: closableProducer(createProducer(kafka, { compression: k.compression, properties: k.properties })) };
}
