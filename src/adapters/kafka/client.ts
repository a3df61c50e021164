/**
 * The Kafka client: @confluentinc/kafka-javascript (librdkafka) through its KafkaJS-compatible
 * API. Loaded on first use, so embedded mode runs without the native addon (an optional
 * dependency built at install time, see docs/kafka-client.md). Client logs go to pino.
 */
import { createRequire } from 'node:module';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { connectionProperties, type KafkaConnectionSettings } from './security.ts';

export type KafkaClientModule = typeof import('@confluentinc/kafka-javascript');
export type { KafkaJS };

export interface KafkaClientOptions extends KafkaConnectionSettings {
  brokers: readonly string[];
  clientId: string;
}

let loaded: KafkaClientModule | undefined;

/** The client module, or TC_KAFKA_CLIENT_UNAVAILABLE saying how to build it. */
export function kafkaClientModule(): KafkaClientModule {
  if (loaded) return loaded;
  try {
    const mod: KafkaClientModule = createRequire(import.meta.url)('@confluentinc/kafka-javascript');
    loaded = mod;
    return mod;
  } catch (err) {
    throw new TickcastError(
      ErrorCodes.KAFKA_CLIENT_UNAVAILABLE,
      'the Kafka client (@confluentinc/kafka-javascript, native) is not installed or not built for this Node version; run `npm run kafka:client` (docs/kafka-client.md)',
      { cause: err },
    );
  }
}

/** librdkafka version and built-in features, e.g. { version: '2.15.1', features: ['gzip', ...] }. */
export function kafkaClientInfo(): { version: string; features: string[] } {
  const m = kafkaClientModule();
  return { version: m.librdkafkaVersion, features: m.features };
}

/** Reports client errors that mean "a fetched batch was skipped" (see consume-errors.ts). */
export type ClientErrorListener = (message: string) => void;

export function clientLogger(logger: Logger, onError?: ClientErrorListener): KafkaJS.Logger {
  const log = logger.child({ module: 'kafka-client' });
  const make = (ns: string | undefined): KafkaJS.Logger => ({
    info: (message, extra) => log.info({ ns, ...extra }, message),
    warn: (message, extra) => log.warn({ ns, ...extra }, message),
    debug: (message, extra) => log.debug({ ns, ...extra }, message),
    error: (message, extra) => {
      log.error({ ns, ...extra }, message);
      onError?.(message);
    },
    namespace: (n) => make(n),
    setLogLevel: () => undefined,
  });
  return make(undefined);
}

export function createKafka(opts: KafkaClientOptions, logger: Logger, onError?: ClientErrorListener): KafkaJS.Kafka {
  const { KafkaJS: K } = kafkaClientModule();
  return new K.Kafka({
    kafkaJS: { brokers: [...opts.brokers], clientId: opts.clientId, logger: clientLogger(logger, onError), logLevel: K.logLevel.WARN },
    ...connectionProperties(opts),
  });
}
