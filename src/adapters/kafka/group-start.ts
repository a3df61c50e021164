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
 * Not for a static member (`group.instance.id` in kafka.properties): librdkafka sends its instance
 * id with every OffsetCommit, joined or not, and Kafka checks it against the group's members — the
 * classic (pre-4.0) coordinator answers UNKNOWN_MEMBER_ID even on an empty group (refused), and a group that still holds
 * this instance's previous member (a static member sends no LeaveGroup: the old pod of a rolling
 * restart stays until session.timeout.ms) answers FENCED_INSTANCE_ID, a fatal error for the
 * consumer (librdkafka rd_kafka_handle_OffsetCommit). Such a member starts as before (finding 17
 * stays open for static membership; 7 Dec 2026, found in review).
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

async function committedNow(admin: KafkaJS.Admin, groupId: string, topic: string, partitions: number[]): Promise<Committed> {
  return new Map((await committedOffsets(admin, groupId, topic, partitions)).map((c) => [c.partition, BigInt(c.offset)] as const));
}

/**
 * Commits `ends` (partition → the end read at this run's start) for the partitions that still have
 * nothing committed, then waits (SETTLE_MS at most; the client's commit resolves when queued, not
 * stored) until the group shows an offset for each. True when it does; false (logged) when the
 * commit was refused or not seen in time: the member then joins and starts its partitions as before.
 */
export async function commitGroupStart(
  consumer: KafkaJS.Consumer,
  admin: KafkaJS.Admin,
  o: { groupId: string; topic: string; properties?: Readonly<Record<string, string | number | boolean>> },
  ends: ReadonlyMap<number, bigint>,
  log: Logger,
  signal?: AbortSignal,
): Promise<boolean> {
  const partitions = [...ends.keys()];
  if (partitions.length === 0) return false;
  const instance = o.properties?.['group.instance.id'];
  if (instance !== undefined && String(instance) !== '') {
    log.info({ topic: o.topic, groupId: o.groupId, groupInstanceId: String(instance) }, "brand-new group: its start is not committed before joining by a static member (group.instance.id: Kafka refuses its commit outside a generation, fatally while its previous instance is in the group); each partition with nothing committed starts at this member's end at start");
    return false;
  }
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
