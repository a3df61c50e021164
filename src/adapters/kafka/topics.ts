/**
 * Optional topic creation at start (kafka.createTopics). Brokers that refuse CreateTopics
 * (managed clusters with ACLs, some test brokers) are tolerated: the topics must then exist.
 */
import type { Kafka } from 'kafkajs';
import type { Logger } from '../../telemetry/logger.ts';

export async function ensureTopics(kafka: Kafka, topics: string[], partitions: number, logger: Logger): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: partitions })), waitForLeaders: true });
    logger.info({ topics, created }, 'topics ensured');
  } catch (err) {
    const name = (err as { type?: string; name?: string }).type ?? (err as Error).name;
    logger.warn({ err, name }, 'could not create topics (the broker may not allow it); continuing with existing topics');
  } finally {
    await admin.disconnect();
  }
}
