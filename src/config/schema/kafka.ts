// Kafka connection, security, consumer and producer settings; topic names.
// Part of the one configuration schema (src/config/schema.ts assembles it; docs/configuration.md
// is generated from the doc comments here by scripts/gen-config-doc.ts).
import { z } from 'zod';
import { MAX_INT32, positiveInt, timerMs, topicName } from './primitives.ts';

export const kafkaSection = z
  .object({
    /** Broker list. Empty → embedded mode: in-process replay source and log sink, no Kafka. */
    brokers: z.array(z.string().min(1)).default([]),
    /** Kafka client id of the consumer and producer (broker logs, quotas). */
    clientId: z.string().min(1).default('tickcast'),
    /** Consumer group of the input topic: replicas of one service share it (partitions are split among them). */
    groupId: z.string().min(1).default('tickcast'),
    /** Shorthand kept for older configs: true → SSL (or SASL_SSL with sasl) when securityProtocol is "auto". */
    ssl: z.boolean().default(false),
    /** security.protocol: plaintext, ssl, sasl_plaintext, sasl_ssl; "auto" derives it from kafka.ssl and kafka.sasl. */
    securityProtocol: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['auto', 'plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'])).default('auto'),
    /** CA bundle file (PEM), or a directory of CA certificates, to verify the brokers; empty → the system trust store. Checked at start in Kafka mode: must exist and be readable. */
    tlsCaLocation: z.string().default(''),
    /** CA bundle as PEM text (e.g. TICKCAST_KAFKA_TLS_CA_PEM_FILE from a secret); instead of tlsCaLocation. */
    tlsCaPem: z.string().default(''),
    /** Client certificate file (PEM) for mutual TLS. Checked at start in Kafka mode: must be a readable file. */
    tlsCertLocation: z.string().default(''),
    /** Client certificate as PEM text; instead of tlsCertLocation. */
    tlsCertPem: z.string().default(''),
    /** Client private key file (PEM) for mutual TLS. Checked at start in Kafka mode: must be a readable file. */
    tlsKeyLocation: z.string().default(''),
    /** Client private key as PEM text (use TICKCAST_KAFKA_TLS_KEY_PEM_FILE); instead of tlsKeyLocation. */
    tlsKeyPem: z.string().default(''),
    /** Password of an encrypted client key (use TICKCAST_KAFKA_TLS_KEY_PASSWORD_FILE). */
    tlsKeyPassword: z.string().default(''),
    /** Check that the broker certificate matches its host name (ssl.endpoint.identification.algorithm=https). */
    tlsVerifyHostname: z.boolean().default(true),
    /** SASL authentication to the brokers; unset → none. Setting it makes securityProtocol "auto" choose sasl_plaintext, or sasl_ssl with kafka.ssl. */
    sasl: z
      .object({
        /** SASL mechanism; setting it turns SASL on (securityProtocol "auto" → sasl_plaintext, or sasl_ssl with kafka.ssl): plain, scram-sha-256 or scram-sha-512 (these need username and password), or oauthbearer (OIDC client credentials: oidcTokenEndpointUrl, oidcClientId, oidcClientSecret). */
        mechanism: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'])),
        /** User name for plain and scram-*. */
        username: z.string().min(1).optional(),
        /** Password for plain and scram-*; give it as TICKCAST_KAFKA_SASL_PASSWORD_FILE from a secret. Never logged. */
        password: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    /** OAUTHBEARER with OIDC client credentials: the token endpoint (sasl.oauthbearer.token.endpoint.url). */
    oidcTokenEndpointUrl: z.string().default(''),
    /** OAUTHBEARER: the OIDC client id (sasl.oauthbearer.client.id); required with sasl.mechanism oauthbearer. */
    oidcClientId: z.string().default(''),
    /** Use TICKCAST_KAFKA_OIDC_CLIENT_SECRET_FILE. */
    oidcClientSecret: z.string().default(''),
    /** OAUTHBEARER: the scope asked for with the token (sasl.oauthbearer.scope); empty → none sent, the identity provider's default. */
    oidcScope: z.string().default(''),
    /** Comma-separated key=value pairs sent as SASL extensions (sasl.oauthbearer.extensions). */
    oidcExtensions: z.string().default(''),
    /**
     * librdkafka properties passed through as-is (YAML map, or TICKCAST_KAFKA_PROPERTIES="k=v,k=v"); they
     * override values derived from the settings above. Refused: what tickcast owns (commits, isolation, transactions, group).
     */
    properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    /** How often tickcast_consumer_lag is read from the brokers (high watermark − committed offset). */
    lagIntervalMs: timerMs(1).default(15_000),
    /** Group session timeout (session.timeout.ms, 1 … 3,600,000; the broker's group.min/max.session.timeout.ms narrow it). Classic group protocol only: under group.protocol=consumer (KIP-848) the broker's group.consumer.session.timeout.ms applies and setting this is refused (TC_CONFIG_INVALID). */
    sessionTimeoutMs: positiveInt.max(3_600_000, 'must be at most 3600000 (librdkafka session.timeout.ms)').default(30_000),
    /**
     * Longest time a fetch waits for data (Kafka's fetch.max.wait.ms).
     * Brokers that do not answer early when data arrives add up to this much latency.
     */
    fetchMaxWaitMs: positiveInt.max(300_000, 'must be at most 300000 (librdkafka fetch.wait.max.ms)').default(500),
    /**
     * How often the client refreshes topic metadata (librdkafka topic.metadata.refresh.interval.ms,
     * 1,000 … 3,600,000; librdkafka's default is 300,000). An input topic created after start is
     * found at the next refresh, so this bounds how long the service waits for it (docs/kafka-client.md).
     */
    metadataRefreshMs: positiveInt.min(1_000, 'must be at least 1000 (a refresh per second at most)').max(3_600_000, 'must be at most 3600000 (librdkafka topic.metadata.refresh.interval.ms)').default(30_000),
    /** Group heartbeat interval (heartbeat.interval.ms): below sessionTimeoutMs, usually a third of it at most. Classic group protocol only: under group.protocol=consumer (KIP-848) the broker's group.consumer.heartbeat.interval.ms applies and setting this is refused (TC_CONFIG_INVALID). */
    heartbeatIntervalMs: positiveInt.max(3_600_000, 'must be at most 3600000 (librdkafka heartbeat.interval.ms)').default(3_000),
    /** Partitions processed concurrently by this instance (their windows share one micro-batcher). */
    partitionsConsumedConcurrently: positiveInt.default(4),
    /**
     * Where a brand-new group (nothing committed for the topic) starts: false → each partition's end as of
     * the assignment (only ticks written from then on), true → its beginning; that start is committed at once. A partition
     * with nothing committed is read from its beginning, either way, once the group has committed offsets
     * (it was added since) or when the input topic was missing at start (docs/kafka-client.md).
     */
    fromBeginning: z.boolean().default(false),
    /** 'at-least-once' (default, idempotent producer) or 'exactly-once' (transactional consume-transform-produce). */
    delivery: z.enum(['at-least-once', 'exactly-once']).default('at-least-once'),
    /** With delivery exactly-once (required there; ignored otherwise): the producer's transactional.id. Stable across restarts and unique per instance (e.g. the pod name): two instances with one id fence each other off. */
    transactionalId: z.string().min(1).optional(),
    /** Create missing topics at start (tolerates brokers that refuse CreateTopics). */
    createTopics: z.boolean().default(false),
    /** With createTopics: partitions of each topic it creates (ticks, forecasts, anomalies, the DLQ, the feedback topic); topics that exist are left as they are. The input's partition count caps how many replicas share the work. */
    topicPartitions: positiveInt.max(MAX_INT32, `must be at most ${MAX_INT32} (a Kafka int32)`).default(6),
    /** Codec for output topics: none, gzip, snappy, lz4, zstd (inputs in every codec are always read). */
    compression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'),
  })
  .strict()
  .default({});

export const topicsSection = z
  .object({
    /** Input topic: one tick per record, keyed by series id (docs/schemas.md § Input). */
    ticks: topicName.default('ticks'),
    /** Output topic of the forecast records (docs/schemas.md § Output: forecasts). */
    forecasts: topicName.default('forecasts'),
    /** Output topic of the alert and incident records (docs/schemas.md § Output: anomalies). */
    anomalies: topicName.default('anomalies'),
    /** Dead-letter topic: input records that cannot be used, unchanged, with the error code in a header (docs/schemas.md § Output: ticks.dlq). */
    dlq: topicName.default('ticks.dlq'),
    /**
     * Compacted topic of the open alerts, one record per series and feature on the partition numbered as the series'
     * input partition, so the instance a partition moves to resolves the alerts the other one left open
     * (docs/schemas.md § Output: alert state). Needs at least as many partitions as the input topic. Empty: off.
     */
    alertState: topicName.or(z.literal('')).default(''),
  })
  .strict()
  .default({});
