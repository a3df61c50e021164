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
