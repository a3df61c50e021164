/**
 * Reads partitions of the alert-state topic (topics.alertState) from their beginning to their end
 * as of now, for an instance that was just assigned the input partitions of the same numbers
 * (src/pipeline/alert-state.ts; docs/reliability.md § Open alerts that follow their partition).
 *
 * A plain librdkafka consumer with a manual assignment: it joins no group and commits nothing (the
 * `group.id` is only a name librdkafka requires). read_committed, so in exactly-once mode a
 * transaction of the previous owner that never committed — aborted, or fenced after its member
 * lost the partition — shows nothing, and the end is the last stable offset. It runs inside the
 * rebalance callback, before any record of those partitions is handled, so it is bounded by
 * `timeoutMs`: a partition not read to its end by then yields nothing (its alerts stay as before
 * this existed), never a part — a `firing` read without its later tombstone would resolve an
 * alert twice.
 */
import type { Logger } from '../../telemetry/logger.ts';
import { kafkaClientModule } from './client.ts';
import type { RdKafkaProperties } from './security.ts';

export interface AlertStateReadOptions {
  topic: string;
  /** The connection's librdkafka properties (client.ts clientProperties). */
  properties: RdKafkaProperties;
  brokers: readonly string[];
  /** Names the reader's (never joined) group. */
  groupId: string;
  timeoutMs: number;
  /** Partitions taken over whose state was not read, and why (counted: tickcast_alert_state_unread_partitions_total). */
  onUnread?: (reason: AlertStateUnreadReason, partitions: number) => void;
  /** The topic's partition count as its metadata gave it (read before the partitions are): input partitions at or beyond it have nowhere to write their state either. */
  onPartitionCount?: (partitions: number) => void;
}

export type AlertStateUnreadReason = 'timeout' | 'error' | 'missing_partition';

export interface AlertStateRecord {
  key: string | null;
  value: string | null;
}

type Consumer = InstanceType<ReturnType<typeof kafkaClientModule>['KafkaConsumer']>;

/** Partition → its records in offset order; partitions the topic lacks or not read to the end in time are absent (and logged). */
export async function readAlertState(o: AlertStateReadOptions, partitions: readonly number[], log: Logger): Promise<Map<number, AlertStateRecord[]>> {
  const out = new Map<number, AlertStateRecord[]>();
  if (partitions.length === 0) return out;
  const { KafkaConsumer } = kafkaClientModule();
  const consumer: Consumer = new KafkaConsumer({
    ...o.properties,
    'bootstrap.servers': o.brokers.join(','),
    'group.id': o.groupId,
    'enable.auto.commit': false,
    'enable.partition.eof': true,
    'isolation.level': 'read_committed',
    'auto.offset.reset': 'earliest',
  }, {});
  const started = Date.now();
  try {
    const meta = await new Promise<{ topics: Array<{ name: string; partitions: Array<{ id: number }> }> }>((resolve, reject) =>
      consumer.connect({ topic: o.topic, timeout: o.timeoutMs }, (err, data) => (err ? reject(err) : resolve(data as never))),
    );
    const have = new Set((meta.topics.find((t) => t.name === o.topic)?.partitions ?? []).map((p) => p.id));
    const wanted = partitions.filter((p) => have.has(p));
    const missing = partitions.filter((p) => !have.has(p));
    o.onPartitionCount?.(have.size);
    if (missing.length > 0) {
      o.onUnread?.('missing_partition', missing.length);
      log.warn({ topic: o.topic, partitions: missing }, 'the alert-state topic has no such partitions (it needs as many as the input topic): alerts open on them before they moved here are not known, and the state of their alerts is not written (add partitions to the alert-state topic; the next assignment of these partitions finds them)');
    }
    const done = await readToEnd(consumer, o.topic, wanted, started + o.timeoutMs, out);
    const late = wanted.filter((p) => !done.has(p));
    for (const p of late) out.delete(p);
    if (late.length > 0) o.onUnread?.('timeout', late.length);
    if (late.length > 0) log.warn({ topic: o.topic, partitions: late, timeoutMs: o.timeoutMs }, 'alert state not read to its end in time: alerts open on these partitions before they moved here are not known');
    log.info({ topic: o.topic, partitions: [...out.keys()], records: [...out.values()].reduce((n, l) => n + l.length, 0), ms: Date.now() - started }, 'alert state read for partitions taken over');
  } catch (err) {
    o.onUnread?.('error', partitions.length);
    log.warn({ err, topic: o.topic, partitions: [...partitions] }, 'could not read the alert-state topic: alerts open on these partitions before they moved here are not known');
    out.clear();
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
  return out;
}

/** Consume `partitions` from their beginning until each reports its end (or `deadline`); returns those that did. */
async function readToEnd(consumer: Consumer, topic: string, partitions: number[], deadline: number, out: Map<number, AlertStateRecord[]>): Promise<Set<number>> {
  const done = new Set<number>();
  if (partitions.length === 0) return done;
  for (const p of partitions) out.set(p, []);
  consumer.on('partition.eof', (eof) => {
    if (eof.topic === topic) done.add(eof.partition);
  });
  consumer.assign(partitions.map((partition) => ({ topic, partition, offset: -2 /* beginning */ })));
  while (done.size < partitions.length && Date.now() < deadline) {
    const messages = await new Promise<Array<{ partition: number; key?: Buffer | string | null; value: Buffer | null }>>((resolve, reject) =>
      consumer.consume(500, (err, m) => (err ? reject(err) : resolve(m as never))),
    );
    for (const m of messages) {
      out.get(m.partition)?.push({ key: m.key == null ? null : String(m.key), value: m.value === null ? null : m.value.toString('utf8') });
    }
  }
  return done;
}
