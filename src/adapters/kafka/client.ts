/** One kafkajs client per process, built from config; kafkajs logs go to pino. */
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from '../../telemetry/logger.ts';

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  ssl: boolean;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafka(opts: KafkaClientOptions, logger: Logger): Kafka {
  const log = logger.child({ module: 'kafkajs' });
  const cfg: KafkaConfig = {
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    ssl: opts.ssl,
    sasl: opts.sasl as SASLOptions | undefined,
    retry: { initialRetryTime: 200, retries: 12, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      log[LEVELS[entry.level] ?? 'info']({ ns: entry.namespace, ...extra }, message);
    },
  };
  return new Kafka(cfg);
}
