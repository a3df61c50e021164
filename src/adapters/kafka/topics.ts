/**
 * Optional topic creation at start (kafka.createTopics). Brokers that refuse CreateTopics
 * (managed clusters with ACLs, some test brokers) are tolerated: the topics must then exist.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';

/** Which created topics are special: the alert-state topic is compacted, and needs at least the input topic's partitions. */
export interface TopicRoles {
  /** topics.alertState (cleanup.policy=compact). */
  compacted?: string;
  /** topics.ticks: a compacted topic created while it exists gets its partition count when that is more. */
  input?: string;
}

/** Creates the missing `topics` with `partitions` each (the compacted one with at least the input topic's, ./alert-state-partitions.ts). */
export async function ensureTopics(kafka: KafkaJS.Kafka, topics: string[], partitions: number, logger: Logger, roles: TopicRoles = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics({ timeout: 10_000 }));
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    const compacted = roles.compacted !== undefined && missing.includes(roles.compacted) ? roles.compacted : undefined;
    const stateCount = compacted && roles.input && existing.has(roles.input) ? Math.max(partitions, await partitionCount(admin, roles.input)) : partitions;
    const spec = (topic: string) => (topic === compacted ? { topic, numPartitions: stateCount, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : { topic, numPartitions: partitions });
    const created = await admin.createTopics({ topics: missing.map(spec), timeout: 10_000 });
    logger.info({ topics: missing, created }, 'topics ensured');
  } catch (err) {
    logger.warn({ err }, 'could not create topics (the broker may not allow it); continuing with existing topics');
  } finally {
    await admin.disconnect();
  }
}

async function partitionCount(admin: Pick<KafkaJS.Admin, 'fetchTopicMetadata'>, topic: string): Promise<number> {
  const meta = await admin.fetchTopicMetadata({ topics: [topic], timeout: 10_000 });
  return meta.find((m) => m.name === topic)?.partitions.length ?? 0;
}
