/**
 * The Kafka client: @confluentinc/kafka-javascript (librdkafka) through its KafkaJS-compatible
 * API. Loaded on first use, so embedded mode runs without the native addon (an optional
 * dependency built at install time, see docs/kafka-client.md). Client logs go to pino.
 */
import { createRequire } from 'node:module';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import { connectionProperties, type KafkaConnectionSettings, type RdKafkaProperties } from './security.ts';

export type KafkaClientModule = typeof import('@confluentinc/kafka-javascript');
export type { KafkaJS };

export interface KafkaClientOptions extends KafkaConnectionSettings {
  brokers: readonly string[];
  clientId: string;
  /** kafka.metadataRefreshMs → topic.metadata.refresh.interval.ms. */
  metadataRefreshMs: number;
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

/** Reports client errors that mean "a fetched batch was skipped" (see ConsumeErrors in offset-gaps.ts). */
export type ClientErrorListener = (message: string) => void;

/** A client line repeated within this long is logged once; the next one after says how many were left out. */
const REPEAT_WINDOW_MS = 10_000;

/**
 * The client's log lines into pino. librdkafka repeats itself when brokers are away (hundreds of
 * "all broker connections are down" within milliseconds at a shutdown): the same level and
 * message within REPEAT_WINDOW_MS is logged once, and the next after the window carries
 * `suppressedRepeats`. `onError` still hears every error (it counts skipped batches).
 */
export function clientLogger(logger: Logger, onError?: ClientErrorListener, now: () => number = Date.now): KafkaJS.Logger {
  const log = logger.child({ module: 'kafka-client' });
  const seen = new Map<string, { until: number; suppressed: number }>();
  const emit = (level: 'info' | 'warn' | 'debug' | 'error', ns: string | undefined, message: string, extra: object | undefined) => {
    const key = `${level}\u0000${message}`;
    const t = now();
    const s = seen.get(key);
    if (s && t < s.until) return void s.suppressed++;
    if (seen.size > 1000) seen.clear();
    seen.set(key, { until: t + REPEAT_WINDOW_MS, suppressed: 0 });
    log[level]({ ns, ...extra, ...(s && s.suppressed > 0 ? { suppressedRepeats: s.suppressed } : {}) }, message);
  };
  const make = (ns: string | undefined): KafkaJS.Logger => ({
    info: (message, extra) => emit('info', ns, message, extra),
    warn: (message, extra) => emit('warn', ns, message, extra),
    debug: (message, extra) => emit('debug', ns, message, extra),
    error: (message, extra) => {
      emit('error', ns, message, extra);
      onError?.(message);
    },
    namespace: (n) => make(n),
    setLogLevel: () => undefined,
  });
  return make(undefined);
}

/**
 * librdkafka properties every client of the service gets (consumers, producers, admins): the
 * metadata refresh, then security and kafka.properties on top (./security.ts). The refresh is
 * also when a subscribed topic created after start is found: librdkafka's default (5 min) held a
 * new input topic back that long.
 */
export function clientProperties(opts: KafkaClientOptions): RdKafkaProperties {
  return { 'topic.metadata.refresh.interval.ms': opts.metadataRefreshMs, ...connectionProperties(opts) };
}

/**
 * What librdkafka says about these properties (an unknown name, a bad value), or null when it
 * takes them: a throwaway client handle is configured, nothing connects. Run when the service is
 * built, so a typo in kafka.properties is a configuration problem (TC_CONFIG_INVALID, exit 78)
 * instead of a bare client error at start.
 */
export function clientPropertiesProblem(props: RdKafkaProperties): string | null {
  const { Producer } = kafkaClientModule(); // TC_KAFKA_CLIENT_UNAVAILABLE is its own problem
  try {
    new Producer({ ...props, 'bootstrap.servers': 'localhost:9092' });
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * kafka.properties that make a consumer a particular member of the group: only the group consumer
 * takes them (source.ts spreads kafka.properties into its own configuration). Not in the Kafka
 * object's common configuration, which every client it creates inherits and which the client layer
 * applies over a consumer's kafkaJS block: there they reached the short-lived client that commits a
 * brand-new group's start (./group-start.ts startCommitter), whose commit Kafka then refused for the
 * instance id, or kept queued for the member's session timeout.
 */
export const MEMBER_PROPERTIES: readonly string[] = ['group.instance.id', 'session.timeout.ms'];

export function withoutMemberProperties<V>(props: Readonly<Record<string, V>>): Record<string, V> {
  return Object.fromEntries(Object.entries(props).filter(([key]) => !MEMBER_PROPERTIES.includes(key)));
}

export function createKafka(opts: KafkaClientOptions, logger: Logger, onError?: ClientErrorListener): KafkaJS.Kafka {
  const problem = clientPropertiesProblem(clientProperties(opts));
  if (problem) {
    throw new TickcastError(ErrorCodes.CONFIG_INVALID, `invalid configuration:\n  - kafka.properties (TICKCAST_KAFKA_PROPERTIES) or the kafka.* settings: ${problem}`);
  }
  const { KafkaJS: K } = kafkaClientModule();
  return new K.Kafka({
    kafkaJS: { brokers: [...opts.brokers], clientId: opts.clientId, logger: clientLogger(logger, onError), logLevel: K.logLevel.WARN },
    ...withoutMemberProperties(clientProperties(opts)),
  });
}
