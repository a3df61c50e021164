/**
 * What the input topic looks like when the source starts: how many partitions it has (0: it does
 * not exist yet). A partition numbered at or above that count was created later (the topic itself,
 * or partitions added to a live topic), so everything in it was written after start; the source
 * reads such a partition from its beginning when nothing is committed for it (source.ts), where
 * kafka.fromBeginning=false would start at its end and skip what was written before the group saw
 * it (KAFKA-12261; librdkafka finds new partitions at a metadata refresh, kafka.metadataRefreshMs).
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';
import { hasCommitted } from './restore.ts';
import { committedOffsets } from './committed.ts';

/**
 * The topic's partition count now: 0 when it does not exist (logged: the source waits for it),
 * Infinity when a look-up fails (every partition then counts as present at start, as before).
 */
export async function partitionsAtStart(admin: KafkaJS.Admin, topic: string, metadataRefreshMs: number | undefined, log: Logger): Promise<number> {
  try {
    if (!(await admin.listTopics({ timeout: 10_000 })).includes(topic)) {
      log.warn(
        { topic, metadataRefreshMs },
        `topic "${topic}" does not exist yet: waiting for it (found within kafka.metadataRefreshMs of its creation); it will be consumed from its start when it appears`,
      );
      return 0;
    }
    return (await admin.fetchTopicOffsets(topic, { timeout: 10_000, isolationLevel: 1 })).length;
  } catch (err) {
    log.warn({ err, topic }, 'could not look the topic up at start; assuming it exists, and that partitions added later start as kafka.fromBeginning says');
    return Number.POSITIVE_INFINITY;
  }
}

/**
 * Whether the group had committed offsets for the topic when this run started (`partitions`: its
 * count then); undefined when unknown (no topic count, or the look-up failed: each assignment then
 * asks the group itself, as before). Read once, before this member joins: asked at each assignment,
 * the start offsets another member of the same rebalance commits for its own partitions (source.ts,
 * pinStarts) made a brand-new group look old, and a partition with nothing committed was taken for
 * one added later and read from its beginning — its whole history under kafka.fromBeginning=false
 * (two replicas of a first deploy: one of them read it, test/integration/first-deploy-replicas.test.ts).
 */
export async function groupOffsetsAtStart(admin: KafkaJS.Admin, groupId: string, topic: string, partitions: number, log: Logger): Promise<boolean | undefined> {
  if (!Number.isFinite(partitions) || partitions === 0) return partitions === 0 ? false : undefined;
  try {
    const all = Array.from({ length: partitions }, (_, i) => i);
    return hasCommitted(await committedOffsets(admin, groupId, topic, all));
  } catch (err) {
    log.warn({ err, topic, groupId }, "could not read the group's committed offsets at start; each assignment reads them instead");
    return undefined;
  }
}

/**
 * The topic's end (high watermark, read_committed) per partition, read at start before this member
 * joins: where a brand-new group starts under kafka.fromBeginning=false (./restore.ts brandNewEnd).
 * Empty when the read fails (logged): each partition then starts at its end at its assignment. So
 * does a partition whose own look-up failed: the client does not throw for it but returns a
 * negative offset (librdkafka's per-partition error), which, clamped up to the log start, started
 * it at its beginning (its whole history read; 7 Dec 2026, found in review).
 */
export async function endsAtStart(admin: KafkaJS.Admin, topic: string, log: Logger): Promise<Map<number, bigint>> {
  try {
    const ends = (await admin.fetchTopicOffsets(topic, { timeout: 10_000, isolationLevel: 1 })).map((m) => [m.partition, BigInt(m.high)] as const);
    const unread = ends.filter(([, high]) => high < 0n).map(([p]) => p);
    if (unread.length > 0) log.warn({ topic, partitions: unread }, "could not read these partitions' end at start; a brand-new group starts them at their end at the assignment");
    return new Map(ends.filter(([, high]) => high >= 0n));
  } catch (err) {
    log.warn({ err, topic }, "could not read the topic's end at start; a brand-new group starts each partition at its end at the assignment");
    return new Map();
  }
}

/** What this run knows of the topic and the group from before it joins (the three reads above, in turn). */
export interface AtStart {
  partitions: number;
  groupHasOffsets: boolean | undefined;
  /** Only for a brand-new group under kafka.fromBeginning=false (endsAtStart). */
  ends: Map<number, bigint> | undefined;
}

export async function atStart(admin: KafkaJS.Admin, o: { topic: string; groupId: string; metadataRefreshMs?: number; fromBeginning: boolean }, log: Logger): Promise<AtStart> {
  const partitions = await partitionsAtStart(admin, o.topic, o.metadataRefreshMs, log);
  const groupHasOffsets = await groupOffsetsAtStart(admin, o.groupId, o.topic, partitions, log);
  const brandNew = groupHasOffsets === false && !o.fromBeginning && partitions > 0;
  return { partitions, groupHasOffsets, ends: brandNew ? await endsAtStart(admin, o.topic, log) : undefined };
}
