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
 * committed and starts there. Only partitions with nothing committed, or with a *later* member's
 * start (offset past this member's end, marked GROUP_START_METADATA), are written: the earliest
 * start wins. Two members that both read "nothing committed" before either's start was stored
 * commit both, in either order; each looks again until it sees a start no later than its own,
 * twice RECHECK_MS apart, so the later commit, stored after the earlier member saw its own, is
 * replaced by it (it used to win: 3–12 of 20 simultaneous starts on the local broker).
 *
 * Every member commits it through a short-lived client of the same group (startCommitter), let go
 * of before the member joins: the client's commit resolves when queued (0.2 ms with the broker
 * down, measured 7 Dec 2026), and librdkafka sends a queued commit whenever the group's coordinator
 * is found again, for session.timeout.ms; made with the member's own consumer, a commit queued while
 * the coordinator was lost was sent after the step had given up, right before the member's
 * JoinGroup, and stored if the group was still empty — over an earlier member's start.
 * The client has no `group.instance.id` either: librdkafka sends a consumer's instance
 * id with every OffsetCommit, joined or not, and Kafka checks it against the group's members — the
 * classic coordinator answers UNKNOWN_MEMBER_ID even on an empty group, and FENCED_INSTANCE_ID,
 * fatal for the consumer (librdkafka rd_kafka_handle_OffsetCommit), while the group still holds
 * this instance's previous member. A commit with no member id, no instance id and generation -1 is
 * Kafka's "simple" commit: stored while the group is empty, refused (UNKNOWN_MEMBER_ID, not fatal,
 * and to the short-lived client only) once it has a member. Kafka's AdminClient sends the same
 * request for AlterConsumerGroupOffsets (KIP-396), which @confluentinc/kafka-javascript 1.10.1
 * does not expose (docs/reliability.md, finding 17).
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';
import { sleep } from '../../lifecycle/abortable.ts';
import { within } from '../../waits/bounded.ts';
import { committedOffsets } from './committed.ts';
import { isClassicProtocol } from '../../config/kafka-security.ts';
import { withoutMemberProperties } from './client.ts';

/** How long the commit may take to show in the group's offsets before the member joins without it. */
const SETTLE_MS = 3_000;
const POLL_MS = 100;
/**
 * Once the start shows, how long before it is read once more: a member that read "nothing committed"
 * before this start was stored commits its own (later) one afterwards, and this member then commits
 * its earlier start again. Its commit is stored within a request's round trip of its read.
 */
const RECHECK_MS = 500;
/**
 * The whole step at most (commitGroupStartAs: the short-lived client's connect, each read, each
 * commit, the sleeps): SETTLE_MS counts only the sleeps, while a read may take 10 s. It normally
 * takes 0.66 s (docs/reliability.md, finding 17). Past it, the step waits COMMIT_WAIT_MS more at
 * most for the short-lived client's close.
 */
export const START_BOUND_MS = 5_000;
/**
 * The short-lived client's session.timeout.ms (it never joins, so it sets nothing else): how long
 * librdkafka keeps a commit queued while the group's coordinator is unknown
 * (rd_kafka_cgrp_defer_offset_commit), and so how long its close waits for that commit (measured on
 * the local broker: 6 039 ms with 6 000; the member's own consumer would hold it kafka.sessionTimeoutMs,
 * 30 s by default, re-sent with its JoinGroup). Once the close ends, no commit of the step is left to be stored later.
 */
export const COMMIT_WAIT_MS = 2_000;

/**
 * The commit metadata that marks a committed offset as a brand-new group's start: nothing before it
 * was ever the group's, so a member assigned the partition replays no history as warm-up there
 * (./restore.ts planRestore), as a brand-new group's partitions always started. The first chunk's
 * commit replaces it.
 */
export const GROUP_START_METADATA = 'tickcast:group-start';

/** Partition → committed offset (-1: none), and whether it is a start committed here (GROUP_START_METADATA). */
type Committed = Map<number, { offset: bigint; start: boolean }>;
type Properties = Readonly<Record<string, string | number | boolean>>;

/** What the start step reads of the source's options (boundMs, commitWaitMs: START_BOUND_MS, COMMIT_WAIT_MS when absent). */
export type StartStepOptions = { groupId: string; topic: string; properties?: Properties; boundMs?: number; commitWaitMs?: number };

/** The client that commits a group's start, and how to let it go once the start is stored or refused. */
export interface StartCommitter { readonly consumer: KafkaJS.Consumer; close(): Promise<void> }

/**
 * A connected short-lived consumer of the group with the member's properties less
 * `group.instance.id`, its session.timeout.ms `commitWaitMs` (COMMIT_WAIT_MS); it never subscribes,
 * so never joins. `group.protocol=consumer` (KIP-848) has no client-side session timeout: left as is.
 */
export async function startCommitter(kafka: KafkaJS.Kafka, o: { groupId: string; properties?: Properties; commitWaitMs?: number }): Promise<StartCommitter> {
  const rest = withoutMemberProperties(o.properties ?? {}); // nor from the Kafka object's common configuration (createKafka)
  const classic = isClassicProtocol(rest);
  const consumer = kafka.consumer({ kafkaJS: { groupId: o.groupId, autoCommit: false, ...(classic ? { sessionTimeout: o.commitWaitMs ?? COMMIT_WAIT_MS } : {}) }, ...rest });
  await consumer.connect();
  let closing: Promise<void> | undefined;
  return { consumer, close: () => (closing ??= consumer.disconnect().catch(() => undefined)) }; // once: at a stop or give-up, and again once the step ends
}

async function committedNow(admin: KafkaJS.Admin, groupId: string, topic: string, partitions: number[]): Promise<Committed> {
  return new Map((await committedOffsets(admin, groupId, topic, partitions)).map((c) => [c.partition, { offset: BigInt(c.offset), start: c.metadata === GROUP_START_METADATA }] as const));
}

/** The partitions where this member's start is to be committed: nothing committed, or a later member's start (the group's is the earliest). */
function toCommit(now: Committed, ends: ReadonlyMap<number, bigint>): number[] {
  return [...ends].filter(([p, end]) => {
    const c = now.get(p);
    return c === undefined || c.offset < 0n || (c.start && c.offset > end);
  }).map(([p]) => p);
}

/**
 * Commits `ends` (partition → the end read at this run's start) with `consumer` (startCommitter)
 * for the partitions that have nothing committed or a later member's start (toCommit), then waits
 * (SETTLE_MS at most; the client's commit resolves when queued, not stored: 0.2 ms with the broker
 * down, 1.2 ms up, measured 7 Dec 2026 with @confluentinc/kafka-javascript 1.10.1) until the group shows
 * a start no later than this member's for each, twice RECHECK_MS apart. True when it does; false
 * (logged) when the commit was refused or not seen in time: the member then joins and starts its
 * partitions as before.
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
  let open: number[] = [];
  try {
    let committing: number[] = []; // committed, not seen yet
    let committedAt = ''; // the offsets seen when it last committed
    for (let waited = 0, seen = false; waited <= SETTLE_MS;) {
      const now = await committedNow(admin, o.groupId, o.topic, partitions);
      if (signal?.aborted) return false; // stopping, or given up on (commitGroupStartAs): commit nothing more
      open = toCommit(now, ends);
      if (open.length === 0 && seen) {
        log.info({ topic: o.topic, groupId: o.groupId, committed: Object.fromEntries([...now].map(([p, c]) => [p, String(c.offset)])) }, "brand-new group: its start committed before joining (the topic's end when the first member started)");
        return true;
      }
      seen = open.length === 0;
      // Again where a later member's start shows since (stored after this member's, or this one still on its way).
      const view = [...now].map(([p, c]) => `${p}:${c.offset}`).join();
      const later = open.some((p) => (now.get(p)?.offset ?? -1n) >= 0n) && view !== committedAt;
      if (later || open.some((p) => !committing.includes(p))) {
        await consumer.commitOffsets(open.map((p) => ({ topic: o.topic, partition: p, offset: String(ends.get(p)), metadata: GROUP_START_METADATA })));
        committedAt = view;
      }
      committing = open;
      const pause = seen ? RECHECK_MS : POLL_MS;
      if (await sleep(pause, signal)) return false; // stopping
      waited += pause;
    }
    log.warn({ topic: o.topic, groupId: o.groupId, partitions: open }, "brand-new group: its start was not stored before joining (another member joined first?); each partition with nothing committed starts at this member's end at start");
  } catch (err) {
    if (!signal?.aborted) log.warn({ err, topic: o.topic, groupId: o.groupId }, "brand-new group: could not commit its start before joining; each partition with nothing committed starts at this member's end at start");
  }
  return false;
}

/**
 * commitGroupStart with a short-lived client (startCommitter), let go of once the start is stored
 * or refused, all of it within `o.boundMs` (START_BOUND_MS). When the bound passes it is logged and
 * given up on like a refused commit: false, the member joins and starts as before — but only once
 * the client's close has ended (`o.commitWaitMs`, COMMIT_WAIT_MS, at most: librdkafka drops a commit
 * still queued for the group's coordinator then), so no commit of this step can be stored after the
 * member went on, over an earlier member's start while the group is still empty. A close that does
 * not end in time (a commit sent, its answer not back) is logged. At a stop it settles once the
 * client's close has ended (the same wait at most), so the source's stop can wait for it.
 * `onClient` gets, at once, what a later stop waits for (closeWaitMs at most): the client's close,
 * or, while it still connects, its connect and close — given up on with the client still
 * connecting, this settles before that client is closed (until later on 7 Dec 2026 nothing waited
 * for it then: the source's stop resolved with it still connecting).
 */
export async function commitGroupStartAs(
  kafka: KafkaJS.Kafka,
  admin: KafkaJS.Admin,
  o: StartStepOptions,
  ends: ReadonlyMap<number, bigint>,
  log: Logger,
  signal?: AbortSignal,
  onClient?: (closed: () => Promise<void>) => void,
): Promise<boolean> {
  const giveUp = new AbortController();
  const stop = signal ? AbortSignal.any([signal, giveUp.signal]) : giveUp.signal;
  let stored = false;
  let committer: StartCommitter | undefined;
  const step = commitWith(kafka, admin, o, ends, log, stop, (c) => (committer = c)).then((s) => void (stored = s));
  onClient?.(() => (committer ? committer.close() : step)); // not connected yet: the step closes it once connected (given up on or stopping by then)
  const stopped = new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  const boundMs = o.boundMs ?? START_BOUND_MS;
  const inTime = await within(Promise.race([step, stopped]), boundMs);
  if (!inTime) {
    giveUp.abort(); // ends its sleeps, commits nothing more and disconnects the short-lived client
    log.warn({ topic: o.topic, groupId: o.groupId, boundMs }, "brand-new group: committing its start took longer than its bound (the group's coordinator lost?); each partition with nothing committed starts at this member's end at start");
  }
  const waitMs = closeWaitMs(o);
  // Stopping: the client was told to close at the abort (or is once its connect ends: the step then
  // ends with it); this promise settles once it has, so the source's stop waits for it (waitMs at most).
  if (signal?.aborted) {
    if (!(await within(committer ? committer.close() : step, waitMs))) log.warn({ topic: o.topic, groupId: o.groupId, waitMs }, "brand-new group: the client that commits its start had not connected and closed within its wait at the stop; the stop goes on without it (it is closed once its connect ends)");
    return false;
  }
  // Stored, refused or given up on: its close ends with no commit left to be sent (one still queued is dropped).
  if (committer && !(await within(committer.close(), waitMs))) {
    log.warn({ topic: o.topic, groupId: o.groupId, waitMs }, "brand-new group: the client that committed its start did not close in time (a commit sent, not answered); that commit may still be stored while the group is empty");
  }
  return inTime && stored;
}

/** librdkafka scans for expired queued commits once a second (rd_kafka_cgrp_timeout_scan). */
const CLOSE_MARGIN_MS = 1_500;

/** How long the short-lived client's close is waited for (its queued commit dropped by then). */
export function closeWaitMs(o: StartStepOptions): number {
  return (o.commitWaitMs ?? COMMIT_WAIT_MS) + CLOSE_MARGIN_MS;
}

async function commitWith(
  kafka: KafkaJS.Kafka,
  admin: KafkaJS.Admin,
  o: { groupId: string; topic: string; properties?: Properties; commitWaitMs?: number },
  ends: ReadonlyMap<number, bigint>,
  log: Logger,
  signal: AbortSignal,
  made: (c: StartCommitter) => void,
): Promise<boolean> {
  let committer: StartCommitter;
  try {
    committer = await startCommitter(kafka, o);
  } catch (err) {
    // Given up on (the bound passed, commitGroupStartAs logged it) or stopping: the member went on without this client, so its failure is no connection error.
    if (signal.aborted) log.info({ err, topic: o.topic, groupId: o.groupId }, "brand-new group: the client that commits its start failed to connect after its start step was given up on; nothing was committed by it");
    else log.warn({ err, topic: o.topic, groupId: o.groupId }, "brand-new group: the client that commits its start could not connect; each partition with nothing committed starts at this member's end at start");
    return false;
  }
  if (signal.aborted) {
    log.info({ topic: o.topic, groupId: o.groupId }, "brand-new group: the client that commits its start connected after its start step was given up on; let go of without committing");
    await committer.close().catch(() => undefined);
    return false;
  }
  made(committer);
  // At a stop or when given up on, let go of it at once: its close drops a commit still queued for the
  // group's coordinator (lost since the read) within commitWaitMs, and nothing else disconnects this client.
  const onStop = () => void committer.close();
  signal.addEventListener('abort', onStop, { once: true });
  try {
    return !signal.aborted && (await commitGroupStart(committer.consumer, admin, o, ends, log, signal));
  } finally {
    signal.removeEventListener('abort', onStop); // commitGroupStartAs closes it
  }
}
