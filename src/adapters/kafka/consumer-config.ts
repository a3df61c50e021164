/** The input consumer's configuration (./source.ts): manual commits, bounded prefetch, kafka.properties on top, the rebalance callback. */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { KafkaSourceOptions } from './source-options.ts';
import { isClassicProtocol } from '../../config/kafka-security.ts';

/** librdkafka's ERR__ASSIGN_PARTITIONS: the rebalance callback's code for an assignment (else a revocation). */
const ASSIGN = -175;

/** `rebalance`: assign or revoke `assignment`; `lost`: the client's assignmentLost() (the group dropped this member). Returns start offsets, or null for the client's default. */
export type RebalanceHandler = (assign: boolean, assignment: KafkaJS.TopicPartition[], lost: boolean) => Promise<Array<{ topic: string; partition: number; offset: number }> | null>;

export function consumerConfig(o: KafkaSourceOptions, rebalance: RebalanceHandler): KafkaJS.ConsumerConstructorConfig {
  return {
    kafkaJS: {
      groupId: o.groupId,
      // The classic protocol's only: under group.protocol=consumer (KIP-848) the broker sets them and the
      // client refuses them (before 7 Dec 2026 the service could not start there: "sessionTimeout is not supported").
      ...(isClassicProtocol(o.properties) ? { sessionTimeout: o.sessionTimeoutMs, heartbeatInterval: o.heartbeatIntervalMs } : {}),
      maxWaitTimeInMs: o.fetchMaxWaitMs,
      fromBeginning: o.fromBeginning,
      autoCommit: false, // offsets are committed by the commit strategy, after outputs are acknowledged
      readUncommitted: false,
      allowAutoTopicCreation: false, // a mistyped or deleted input topic stays missing and is reported (docs/kafka-client.md)
    },
    'js.consumer.max.batch.size': o.chunkSize ?? 512,
    // While intake is held (backpressure) librdkafka keeps prefetching up to this much: bound it
    // (its default, 64 MiB, let RSS grow ~140 MiB in the overload chaos test). kafka.properties may override.
    'queued.max.messages.kbytes': 8192,
    // The client's own message cache is sized by consumption rate (default 1.5 s worth); keep it small.
    'js.consumer.max.cache.size.per.worker.ms': 300,
    ...o.properties,
    rebalance_cb: (err: { code: number }, assignment: KafkaJS.TopicPartition[], fns?: { assignmentLost?: () => boolean }) => rebalance(err.code === ASSIGN, assignment, fns?.assignmentLost?.() === true),
  };
}
