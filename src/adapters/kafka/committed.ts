/**
 * The group's committed offsets for some partitions of one topic: the one read that source.ts (the
 * restore plan at each assignment), topic-at-start.ts (is the group brand new) and group-start.ts
 * (commit a brand-new group's start) each made in their own copy.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';

/**
 * As the admin client returns them, with their commit metadata: offset "-1" where nothing is
 * committed, and a partition may be missing from the reply. Each caller keeps its own reading of
 * those two (restoreInputs: missing = undefined, -1 kept; hasCommitted: only >= 0 counts;
 * group-start: both "not committed yet"). requireStableOffsets: in exactly-once, waits for a
 * previous owner's open transaction instead of reading the offset from before it.
 */
export async function committedOffsets(admin: KafkaJS.Admin, groupId: string, topic: string, partitions: number[]): Promise<KafkaJS.FetchOffsetsPartition[]> {
  const [reply] = await admin.fetchOffsets({ groupId, topics: [{ topic, partitions }], timeout: 10_000, requireStableOffsets: true });
  return reply?.partitions ?? [];
}
