/**
 * Optional topic creation at start (kafka.createTopics). Brokers that refuse CreateTopics
 * (managed clusters with ACLs, some test brokers) are tolerated: the topics must then exist.
 */
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { Logger } from '../../telemetry/logger.ts';

/** `compacted`: of `topics`, those created with cleanup.policy=compact (the alert-state topic). */
export async function ensureTopics(kafka: KafkaJS.Kafka, topics: string[], partitions: number, logger: Logger, compacted: readonly string[] = []): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics({ timeout: 10_000 }));
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    const created = await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: partitions, ...(compacted.includes(topic) ? { configEntries: [{ name: 'cleanup.policy', value: 'compact' }] } : {}) })), timeout: 10_000 });
    logger.info({ topics: missing, created }, 'topics ensured');
  } catch (err) {
    logger.warn({ err }, 'could not create topics (the broker may not allow it); continuing with existing topics');
  } finally {
    await admin.disconnect();
  }
}
