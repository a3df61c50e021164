/**
 * Start-up check for topics.alertState (docs/reliability.md § Open alerts that follow their
 * partition): the state of a series' alerts is written to the alert-state partition numbered as
 * the series' input partition, so that topic needs at least as many partitions as the input topic.
 * Before 6 Dec 2026 a shorter one was only logged when such a partition was assigned; the writes
 * for series on the input partitions beyond it have no partition to go to. Now the start refuses
 * it (TC_ALERT_STATE_PARTITIONS), naming both counts and the fix. The count it finds is handed on
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
 * input topic; hands the alert-state topic's count to `known`. A topic that does not exist (yet) is not judged here: a missing output topic is
 * TC_KAFKA_TOPIC_MISSING (./cluster-at-start.ts), a missing input topic the consumer's business.
 */
export async function checkAlertStatePartitions(admin: Pick<KafkaJS.Admin, 'fetchTopicMetadata'>, t: AlertStateTopics, existing: readonly string[]): Promise<void> {
  if (!existing.includes(t.state)) return;
  const meta = await admin.fetchTopicMetadata({ topics: existing.includes(t.input) ? [t.input, t.state] : [t.state], timeout: 10_000 });
  const count = (name: string) => meta.find((m) => m.name === name)?.partitions.length ?? 0;
  const input = count(t.input);
  const state = count(t.state);
  t.known?.(state);
  if (state >= input) return;
  throw new TickcastError(
    ErrorCodes.ALERT_STATE_PARTITIONS,
    `the alert-state topic "${t.state}" (topics.alertState) has ${state} partition(s), fewer than the ${input} of the input topic "${t.input}": the alert state of series on input partitions ${state}–${input - 1} has no partition to go to. Add partitions to it (kafka-topics --alter --topic ${t.state} --partitions ${input}), or unset topics.alertState`,
    { details: { topic: t.state, partitions: state, inputTopic: t.input, inputPartitions: input } },
  );
}
