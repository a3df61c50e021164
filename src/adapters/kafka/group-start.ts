/**
 * Where a brand-new group starts (kafka.fromBeginning=false): at the topic's end as the *first*
 * member to start read it, for every member. Each member used to start the partitions it was
 * assigned at the end read at its own start (./restore.ts brandNewEnd), so when replicas started a
 * few seconds apart and joined the group's first generation together (real Kafka holds a brand-new
 * group's first join for group.initial.rebalance.delay.ms, 3 s by default), the ticks written
 * between the two starts were skipped on the later member's partitions: acknowledged to their
 * producer after the service had started, never read (docs/reliability.md, finding 17).
 *
 * Now a member that finds the group brand new commits its ends at start as the group's start,
 * before it joins: a commit outside any generation, which Kafka accepts only while the group has
 * no member (a "simple" commit; refused once one has joined — that member committed first, or
 * pins its own starts at its assignment as before). Every member then finds the partitions
 * committed and starts there. Only partitions with nothing committed are written, read again just
 * before, so an earlier member's start is not overwritten (a race of a few milliseconds remains:
 * two members reading "nothing committed" before either commits; the later commit wins).
 *
 * A static member (`group.instance.id` in kafka.properties) commits it through a short-lived client
 * of the same group *without* the instance id (startCommitter): librdkafka sends a consumer's instance
 * id with every OffsetCommit, joined or not, and Kafka checks it against the group's members — the
 * classic coordinator answers UNKNOWN_MEMBER_ID even on an empty group, and FENCED_INSTANCE_ID,
 * fatal for the consumer (librdkafka rd_kafka_handle_OffsetCommit), while the group still holds
 * this instance's previous member. A commit with no member id, no instance id and generation -1 is
 * Kafka's "simple" commit: stored while the group is empty, refused (UNKNOWN_MEMBER_ID, not fatal,
 * and to the short-lived client only) once it has a member. Kafka's own tool for this,
 * AlterConsumerGroupOffsets (KIP-396: empty groups only), is not exposed by
 * @confluentinc/kafka-javascript 1.10.1 (docs/reliability.md, finding 17).
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import { committedOffsets } from './committed.ts';

/** How long the commit may take to show in the group's offsets before the member joins without it. */
const SETTLE_MS = 3_000;
const POLL_MS = 100;

/**
 * The commit metadata that marks a committed offset as a brand-new group's start: nothing before it
 * was ever the group's, so a member assigned the partition replays no history as warm-up there
 * (./restore.ts planRestore), as a brand-new group's partitions always started. The first chunk's
 * commit replaces it.
 */
export const GROUP_START_METADATA = 'tickcast:group-start';

type Committed = Map<number, bigint>;
type Properties = Readonly<Record<string, string | number | boolean>>;

/** The client that commits a group's start, and how to let it go once the start is stored or refused. */
export interface StartCommitter { readonly consumer: KafkaJS.Consumer; close(): Promise<void> }

/**
 * The member's own consumer, or, for a static member, a connected short-lived consumer of the
 * group with the member's properties less `group.instance.id` (it never subscribes, so never joins).
 */
export async function startCommitter(kafka: KafkaJS.Kafka, own: KafkaJS.Consumer, o: { groupId: string; properties?: Properties }): Promise<StartCommitter> {
  const { 'group.instance.id': instance, ...rest } = o.properties ?? {};
  if (instance === undefined || String(instance) === '') return { consumer: own, close: async () => undefined };
  const consumer = kafka.consumer({ kafkaJS: { groupId: o.groupId, autoCommit: false }, ...rest });
  await consumer.connect();
  return { consumer, close: () => consumer.disconnect() };
}

async function committedNow(admin: KafkaJS.Admin, groupId: string, topic: string, partitions: number[]): Promise<Committed> {
  return new Map((await committedOffsets(admin, groupId, topic, partitions)).map((c) => [c.partition, BigInt(c.offset)] as const));
}

/**
 * Commits `ends` (partition → the end read at this run's start) with `consumer` (startCommitter) for the partitions that still have
 * nothing committed, then waits (SETTLE_MS at most; the client's commit resolves when queued, not
 * stored) until the group shows an offset for each. True when it does; false (logged) when the
 * commit was refused or not seen in time: the member then joins and starts its partitions as before.
 */
export async function commitGroupStart(
  consumer: KafkaJS.Consumer,
  admin: KafkaJS.Admin,
  o: { groupId: string; topic: string },
  ends: ReadonlyMap<number, bigint>,
  log: Logger,
  signal?: AbortSignal,
): Promise<boolean> {
  const partitions = [...ends.keys()];
  if (partitions.length === 0) return false;
  try {
    const before = await committedNow(admin, o.groupId, o.topic, partitions);
    const open = partitions.filter((p) => (before.get(p) ?? -1n) < 0n);
    if (open.length > 0) await consumer.commitOffsets(open.map((p) => ({ topic: o.topic, partition: p, offset: String(ends.get(p)), metadata: GROUP_START_METADATA })));
    for (let waited = 0; waited <= SETTLE_MS; waited += POLL_MS) {
      const now = await committedNow(admin, o.groupId, o.topic, partitions);
      if (partitions.every((p) => (now.get(p) ?? -1n) >= 0n)) {
        log.info({ topic: o.topic, groupId: o.groupId, committed: Object.fromEntries([...now].map(([p, c]) => [p, String(c)])) }, "brand-new group: its start committed before joining (the topic's end when the first member started)");
        return true;
      }
      if (await sleep(POLL_MS, signal)) return false; // stopping
    }
    log.warn({ topic: o.topic, groupId: o.groupId, partitions: open }, "brand-new group: its start was not stored before joining (another member joined first?); each partition with nothing committed starts at this member's end at start");
  } catch (err) {
    log.warn({ err, topic: o.topic, groupId: o.groupId }, "brand-new group: could not commit its start before joining; each partition with nothing committed starts at this member's end at start");
  }
  return false;
}

/** commitGroupStart with the client startCommitter picks, let go of once the start is stored or refused. */
export async function commitGroupStartAs(
  kafka: KafkaJS.Kafka,
  own: KafkaJS.Consumer,
  admin: KafkaJS.Admin,
  o: { groupId: string; topic: string; properties?: Properties },
  ends: ReadonlyMap<number, bigint>,
  log: Logger,
  signal?: AbortSignal,
): Promise<boolean> {
  let committer: StartCommitter;
  try {
    committer = await startCommitter(kafka, own, o);
  } catch (err) {
    log.warn({ err, topic: o.topic, groupId: o.groupId }, "brand-new group: the client that commits a static member's start could not connect; each partition with nothing committed starts at this member's end at start");
    return false;
  }
  try {
    return !signal?.aborted && (await commitGroupStart(committer.consumer, admin, o, ends, log, signal));
  } finally {
    await committer.close().catch(() => undefined);
  }
}
