/**
 * Start-up check for topics.alertState (docs/reliability.md § Open alerts that follow their
 * partition): the state of a series' alerts is written to the alert-state partition numbered as
 * the series' input partition, so that topic needs at least as many partitions as the input topic.
 * Before 6 Dec 2026 a shorter one was only logged when such a partition was assigned; the writes
 * for series on the input partitions beyond it have no partition to go to. Now the start refuses
 * it (TC_ALERT_STATE_PARTITIONS), naming both counts and the fix, and since 7 Dec 2026 one that does
 * not exist at all (below). The count it finds is handed on
 * (`known`): an input partition added later, beyond it, has no state partition either, and the
 * read at its assignment may fail before it can say so.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';

export interface AlertStateTopics {
  /** The input topic (topics.ticks). */
  input: string;
  /** topics.alertState. */
  state: string;
  /** The alert-state topic's partition count, when it exists (InheritedAlerts.statePartitions). */
  known?: (partitions: number) => void;
}

/**
 * Rejects with TC_ALERT_STATE_PARTITIONS when the alert-state topic has fewer partitions than the
 * input topic, or does not exist (kafka.createTopics, when set, has run before); hands the
 * alert-state topic's count to `known`. A missing input topic is the consumer's business (0 partitions).
 *
 * Missing: before 7 Dec 2026 it was left to TC_KAFKA_TOPIC_MISSING (a warning, /readyz 503) and the
 * service ran on. The first alert's chunk then failed (its state record had no topic) and was
 * handled again and again — its `firing` published anew each time (139 copies in 100 s on the
 * local broker) and the partition stuck there — and a topic created later with too few partitions
 * was never counted: /readyz turned 200 while the partitions beyond it stayed stuck for good.
 */
export async function checkAlertStatePartitions(admin: Pick<KafkaJS.Admin, 'fetchTopicMetadata'>, t: AlertStateTopics, existing: readonly string[]): Promise<void> {
  const named = [t.input, t.state].filter((name) => existing.includes(name));
  const meta = named.length > 0 ? await admin.fetchTopicMetadata({ topics: named, timeout: 10_000 }) : [];
  const count = (name: string) => meta.find((m) => m.name === name)?.partitions.length ?? 0;
  const input = count(t.input);
  if (!existing.includes(t.state)) throw missing(t, input);
  const state = count(t.state);
  t.known?.(state);
  if (state >= input) return;
  throw new TickcastError(
    ErrorCodes.ALERT_STATE_PARTITIONS,
    `the alert-state topic "${t.state}" (topics.alertState) has ${state} partition(s), fewer than the ${input} of the input topic "${t.input}": the alert state of series on input partitions ${state}–${input - 1} has no partition to go to. Add partitions to it (kafka-topics --alter --topic ${t.state} --partitions ${input}), or unset topics.alertState`,
    { details: { topic: t.state, partitions: state, inputTopic: t.input, inputPartitions: input } },
  );
}

function missing(t: AlertStateTopics, input: number): TickcastError {
  const size = input > 0 ? `${input} partitions (as the input topic "${t.input}" has) or more` : `as many partitions as the input topic "${t.input}" or more`;
  return new TickcastError(
    ErrorCodes.ALERT_STATE_PARTITIONS,
    `the alert-state topic "${t.state}" (topics.alertState) does not exist: every alert's state is written there, so the service cannot run without it. Create it with ${size} and cleanup.policy=compact (docs/runbook.md), set kafka.createTopics where the cluster allows it, or unset topics.alertState`,
    { details: { topic: t.state, partitions: 0, inputTopic: t.input, inputPartitions: input } },
  );
}
