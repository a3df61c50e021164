import { Counter, Gauge, type Registry } from 'prom-client';

/** The input consumer's view of the brokers (Kafka mode): lag, reachability, offsets never delivered. */
export function kafkaMetrics(r: Registry[]) {
  const kafkaUp = new Gauge({ name: 'tickcast_kafka_up', help: "1 when the last read of the input topic's offsets from the brokers (every kafka.lagIntervalMs, from the first assignment on) succeeded, 0 when it failed and before the first read (the consumer lag gauge keeps its last value meanwhile). Kafka mode only: absent in embedded mode.", registers: r });
  // prom-client exports an unlabelled gauge as 0 until set: embedded mode, which never sets it,
  // showed tickcast_kafka_up 0 for good and fired TickcastKafkaUnreachable (until 7 Dec 2026).
  kafkaUp.remove();
  return {
    consumerLag: new Gauge({ name: 'tickcast_consumer_lag', help: 'Records of an assigned input partition not yet committed by the group: high watermark − committed offset, read from the brokers every kafka.lagIntervalMs.', labelNames: ['topic', 'partition'] as const, registers: r }),
    kafkaUp,
    // Open alerts that follow their partition (topics.alertState; docs/reliability.md)
    alertStateInherited: new Counter({ name: 'tickcast_alert_state_inherited_total', help: 'Open alerts read from topics.alertState for input partitions this instance took over (each is later resolved as "moved" or kept as its own).', registers: r }),
    alertStateMoved: new Counter({ name: 'tickcast_alert_state_moved_total', help: 'Inherited alerts this instance resolved with reason "moved" (its own detector did not have them firing).', registers: r }),
    alertStateUnread: new Counter({ name: 'tickcast_alert_state_unread_partitions_total', help: 'Input partitions taken over whose alert state could not be read, by reason (timeout: not read to its end within 15 s; error: the read failed; missing_partition: the alert-state topic has fewer partitions than the input). Alerts the previous owner left open on them stay open downstream.', labelNames: ['reason'] as const, registers: r }),
    // Offset commits failed or refused by the group coordinator (src/adapters/kafka/commit-failure.ts)
    commitFailures: new Counter({ name: 'tickcast_kafka_commit_failures_total', help: 'Input offset commits that failed or the group coordinator refused, by reason: rebalance (refused while the group rebalances: REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH, ASSIGNMENT_LOST; expected, logged at info), coordinator (coordinator moving or loading), other. The chunk may be redelivered (duplicates, nothing lost); persistent failures mean nothing is committed.', labelNames: ['reason'] as const, registers: r }),
    commits: new Counter({ name: 'tickcast_kafka_commits_total', help: 'Input partition offsets stored: each partition of an offset commit the group coordinator acknowledged (a chunk\'s, or the start of a partition with nothing committed), or in exactly-once mode each chunk transaction committed with its offsets. Beside tickcast_kafka_commit_failures_total: failures with none of these mean the committed offsets stand still.', registers: r }),
    offsetGaps: new Counter({ name: 'tickcast_consumer_offset_gaps_total', help: 'Input offsets never delivered to the pipeline, by reason: undecodable (the client skipped a batch it could not decode; dead-lettered) or unexplained (transaction markers, aborted transactions, compaction).', labelNames: ['topic', 'reason'] as const, registers: r }),
  };
}
