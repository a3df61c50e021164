/**
 * The one configuration schema. Every default lives here; units are in the names (Ms, Bytes).
 * Sources, lowest precedence first: these defaults → YAML file (TICKCAST_CONFIG_FILE) → env TICKCAST_*.
 * docs/configuration.md is the reference for every key (a test keeps the two in sync).
 */
import { z } from 'zod';
import { kafkaSecurityProblems } from './kafka-security.ts';

const positiveInt = z.number().int().positive();
const nonNegInt = z.number().int().nonnegative();
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_", "-" (1–249 chars)');

export const configSchema = z
  .object({
    /** Service name for logs, traces and the Kafka client id. */
    serviceName: z.string().min(1).default('tickcast'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

    kafka: z
      .object({
        /** Broker list. Empty → embedded mode: in-process replay source and log sink, no Kafka. */
        brokers: z.array(z.string().min(1)).default([]),
        clientId: z.string().min(1).default('tickcast'),
        groupId: z.string().min(1).default('tickcast'),
        /** Shorthand kept for older configs: true → SSL (or SASL_SSL with sasl) when securityProtocol is "auto". */
        ssl: z.boolean().default(false),
        /** security.protocol: plaintext, ssl, sasl_plaintext, sasl_ssl; "auto" derives it from kafka.ssl and kafka.sasl. */
        securityProtocol: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['auto', 'plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'])).default('auto'),
        /** CA bundle file (PEM) to verify the brokers; empty → the system trust store. */
        tlsCaLocation: z.string().default(''),
        /** CA bundle as PEM text (e.g. TICKCAST_KAFKA_TLS_CA_PEM_FILE from a secret); instead of tlsCaLocation. */
        tlsCaPem: z.string().default(''),
        /** Client certificate file (PEM) for mutual TLS. */
        tlsCertLocation: z.string().default(''),
        /** Client certificate as PEM text; instead of tlsCertLocation. */
        tlsCertPem: z.string().default(''),
        /** Client private key file (PEM) for mutual TLS. */
        tlsKeyLocation: z.string().default(''),
        /** Client private key as PEM text (use TICKCAST_KAFKA_TLS_KEY_PEM_FILE); instead of tlsKeyLocation. */
        tlsKeyPem: z.string().default(''),
        /** Password of an encrypted client key (use TICKCAST_KAFKA_TLS_KEY_PASSWORD_FILE). */
        tlsKeyPassword: z.string().default(''),
        /** Check that the broker certificate matches its host name (ssl.endpoint.identification.algorithm=https). */
        tlsVerifyHostname: z.boolean().default(true),
        sasl: z
          .object({
            mechanism: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer'])),
            username: z.string().min(1).optional(),
            password: z.string().min(1).optional(),
          })
          .optional(),
        /** OAUTHBEARER with OIDC client credentials: the token endpoint (sasl.oauthbearer.token.endpoint.url). */
        oidcTokenEndpointUrl: z.string().default(''),
        oidcClientId: z.string().default(''),
        /** Use TICKCAST_KAFKA_OIDC_CLIENT_SECRET_FILE. */
        oidcClientSecret: z.string().default(''),
        oidcScope: z.string().default(''),
        /** Comma-separated key=value pairs sent as SASL extensions (sasl.oauthbearer.extensions). */
        oidcExtensions: z.string().default(''),
        /**
         * librdkafka properties passed through as-is (YAML map, or TICKCAST_KAFKA_PROPERTIES="k=v,k=v"); they
         * override values derived from the settings above. Refused: what tickcast owns (commits, isolation, transactions, group).
         */
        properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
        /** How often tickcast_consumer_lag is read from the brokers (high watermark − committed offset). */
        lagIntervalMs: positiveInt.default(15_000),
        sessionTimeoutMs: positiveInt.default(30_000),
        /**
         * Longest time a fetch waits for data (Kafka's fetch.max.wait.ms).
         * Brokers that do not answer early when data arrives add up to this much latency.
         */
        fetchMaxWaitMs: positiveInt.default(500),
        heartbeatIntervalMs: positiveInt.default(3_000),
        /** Partitions processed concurrently by this instance (their windows share one micro-batcher). */
        partitionsConsumedConcurrently: positiveInt.default(4),
        fromBeginning: z.boolean().default(false),
        /** 'at-least-once' (default, idempotent producer) or 'exactly-once' (transactional consume-transform-produce). */
        delivery: z.enum(['at-least-once', 'exactly-once']).default('at-least-once'),
        transactionalId: z.string().min(1).optional(),
        /** Create missing topics at start (tolerates brokers that refuse CreateTopics). */
        createTopics: z.boolean().default(false),
        topicPartitions: positiveInt.default(6),
        /** Codec for output topics: none, gzip, snappy, lz4, zstd (inputs in every codec are always read). */
        compression: z.enum(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'),
      })
      .default({}),

    topics: z
      .object({
        ticks: topicName.default('ticks'),
        forecasts: topicName.default('forecasts'),
        anomalies: topicName.default('anomalies'),
        dlq: topicName.default('ticks.dlq'),
      })
      .default({}),

    input: z
      .object({
        /** Input feature names, in model order. A univariate record `{"value": x}` maps to the first. */
        features: z.array(z.string().min(1)).min(1).default(['value']),
        /** Forecast feature(s); default: the first feature. */
        targets: z.array(z.string().min(1)).min(1).optional(),
        /** Records larger than this go to the DLQ (TC_RECORD_TOO_LARGE). */
        maxRecordBytes: positiveInt.default(64 * 1024),
        /** Allowed series id pattern; others go to the DLQ (TC_RECORD_BAD_SERIES). */
        seriesPattern: z.string().default('^[A-Za-z0-9._:/@-]{1,128}$'),
        /** Missing feature values: 'reject' (DLQ) or 'carry' (carry the last value forward). */
        missingFeature: z.enum(['reject', 'carry']).default('reject'),
      })
      .default({}),

    windows: z
      .object({
        /** Look-back length; must equal the model's window. */
        length: positiveInt.default(64),
        /** Forecast every `stride` accepted ticks once the window is full. */
        stride: positiveInt.default(1),
        maxSeries: positiveInt.default(10_000),
        /** Series with no tick for this long are evicted. */
        idleEvictMs: positiveInt.default(6 * 60 * 60 * 1000),
        /** Ticks older than the series' last ts: 'drop' (counted) — see docs/architecture.md. */
        latePolicy: z.enum(['drop']).default('drop'),
        /** Equal timestamps: 'drop' the newcomer or 'replace' the last value. */
        duplicatePolicy: z.enum(['drop', 'replace']).default('drop'),
        /** Half-life, in ticks, of the running per-series mean/variance used for normalisation. */
        normHalfLifeTicks: positiveInt.default(2_000),
        /**
         * Ticks inside a firing alert (or confirmed anomalies) enter their window but not the
         * normalisation statistics, for at most this many consecutive ticks per series; past it a
         * lasting level shift is learned. 0 = every tick updates the statistics.
         */
        holdStatsMaxTicks: nonNegInt.default(120),
        /**
         * On partition assignment, re-read up to this many records before the committed offset to
         * rebuild windows (no outputs), so forecasting resumes at once after a restart or
         * rebalance. 0 disables. Size it ≥ window × series per partition.
         */
        restoreRecordsPerPartition: nonNegInt.default(20_000),
      })
      .default({}),

    coldStart: z
      .object({
        /** Forecast series whose window is not full yet with a fast baseline (output `"model": "baseline:…"`); they switch to the model when the window fills. */
        enabled: z.boolean().default(true),
        /** Season length in ticks for the seasonal-naive baseline; 1 = plain naive (repeat the last value). Used once more ticks than a season are known. */
        seasonTicks: positiveInt.default(1),
        /** Ticks a series needs before its first baseline forecast (≥ 2: one error sizes the band). */
        minTicks: z.number().int().min(2).default(2),
      })
      .default({}),

    snapshots: z
      .object({
        /** Snapshot per-series state (windows, statistics, detector, last forecasts) with the input offsets it reflects; at start only the tail after them is replayed. Kafka mode only. Off by default: measured slower than the plain window replay and a 10,000-series snapshot holds intake for seconds (docs/benchmarks.md § Restart). */
        enabled: z.boolean().default(false),
        /** Directory of this instance's snapshot file. Empty → `<model.dir>/series-state` (no snapshots when model.dir is empty too). One directory per instance. */
        dir: z.string().default(''),
        /** Time between periodic snapshots (one is also written at shutdown). 0: only at shutdown. */
        intervalMs: nonNegInt.default(60_000),
      })
      .default({}),

    batching: z
      .object({
        maxBatchSize: positiveInt.default(64),
        maxWaitMs: nonNegInt.default(2),
        /** Model calls in flight at once. */
        maxInFlightBatches: positiveInt.default(2),
        /**
         * Queued windows above which the consumer pauses (and HTTP work is shed)… Intake per
         * round is at most partitionsConsumedConcurrently × 512 windows, so keep this below that
         * for pausing to ever engage. The queue holds at most 2 × this; stream hand-offs beyond it wait.
         */
        highWaterMark: positiveInt.default(1_024),
        /** …and below which it resumes. */
        lowWaterMark: nonNegInt.default(256),
      })
      .default({}),

    model: z
      .object({
        /** Checkpoint directory (versioned artifacts). Empty → a model is trained at start on the bundled sample. */
        dir: z.string().default(''),
        engine: z.enum(['auto', 'onnx', 'tfjs']).default('auto'),
        backend: z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).default('auto'),
        /** onnxruntime threads per model call (0 = its default, all cores). 1 is best with maxInFlightBatches ≥ cores: batches run in parallel instead of contending. */
        onnxIntraOpThreads: nonNegInt.default(1),
        horizon: positiveInt.default(8),
        quantiles: z.array(z.number().gt(0).lt(1)).min(1).default([0.1, 0.5, 0.9]),
        dModel: positiveInt.default(32),
        /** Epochs for the bootstrap model trained at start when no checkpoint exists (0 = seeded initial weights, untrained). */
        bootstrapEpochs: nonNegInt.default(3),
        /** Wall-clock budget of that bootstrap training (start-up time). */
        bootstrapBudgetMs: positiveInt.default(35_000),
        /** With no checkpoint, serve the shipped pretrained model (models/pretrained) when it fits the spec and architecture, instead of training a bootstrap model. */
        pretrained: z.boolean().default(true),
        /** Patch tokens: time steps per token (1 = one token per step, the pre-patch model). 0 → the model default (docs/model.md). */
        patchLength: nonNegInt.default(0),
        /** Steps between patch starts (≤ patchLength). 0 → patchLength when that is set, else the model default. */
        patchStride: nonNegInt.default(0),
        keepVersions: positiveInt.default(5),
      })
      .default({}),

    anomaly: z
      .object({
        enabled: z.boolean().default(true),
        /** Alert thresholds on the score in [0,1]; unset → the detector's tuned defaults (docs/anomaly.md). */
        warningThreshold: z.number().min(0).max(1).optional(),
        criticalThreshold: z.number().min(0).max(1).optional(),
        /** Fire only when N of the last M ticks are above the warning threshold. */
        debounceN: positiveInt.optional(),
        debounceM: positiveInt.optional(),
        /** Minimum time between two alerts of one series. */
        cooldownMs: nonNegInt.optional(),
        /** Series exported individually on the score gauge (empty → top-k by score). */
        scoreGaugeSeries: z.array(z.string()).default([]),
        scoreGaugeTopK: positiveInt.default(20),
        /** Features scored for anomalies, each with its own alert: the model's targets, or every input feature. */
        features: z.enum(['targets', 'all']).default('targets'),
      })
      .default({}),

    feedback: z
      .object({
        /** Accept alert feedback (REST, MCP, topic); needs anomaly.enabled. */
        enabled: z.boolean().default(true),
        /** JSON-lines feedback log (fsync'd). Empty → <model.dir>/feedback.jsonl when model.dir is set, else in memory only. */
        file: z.string().default(''),
        /** Topic consumed for feedback from other systems (e.g. "anomalies.feedback"); empty → not consumed. Bad records go to the DLQ. */
        topic: z.string().regex(/^([A-Za-z0-9._-]{1,249})?$/, 'a Kafka topic name or empty').default(''),
        /** Half-life (event time) of the bar raise a false positive causes. */
        falsePositiveHalfLifeMs: positiveInt.default(72 * 3_600_000),
        /** A false positive at score s raises its series' bar to s + this (never above the critical threshold). */
        marginScore: z.number().min(0).max(1).default(0.05),
        /** Default maintenance span of an "expected" verdict, from the alert's ts. */
        expectedSpanMs: positiveInt.default(2 * 3_600_000),
        maxPerSeries: positiveInt.default(50),
        maxEntries: positiveInt.default(100_000),
        /** Recent firing alerts kept by id for feedback lookups. */
        alertIndexSize: positiveInt.default(10_000),
      })
      .default({}),

    incidents: z
      .object({
        /** Group alerts into incidents by a tick label, by a series-id prefix, or not at all. */
        groupBy: z.enum(['off', 'label', 'prefix']).default('prefix'),
        /** groupBy "label": the tick label holding the key (ticks send "labels":{"host":"web-1"}). */
        label: z.string().min(1).default('host'),
        /** groupBy "prefix": regular expression on the series id; its first capture group is the key. Series that do not match are not grouped. */
        prefixPattern: z.string().default('^([^:]+):'),
        /** Alerts of one key at most this far apart (event time) belong to one incident. */
        spanMs: positiveInt.default(5 * 60_000),
        /** Distinct series an incident needs before it is published. */
        minSeries: positiveInt.default(2),
        maxOpen: positiveInt.default(1_000),
        maxMembers: positiveInt.default(100),
        /** Closed incidents kept for GET /v1/incidents. */
        keepClosed: positiveInt.default(200),
      })
      .default({}),

    bandQuality: z
      .object({
        /** Realised ticks per series over which coverage and pinball loss roll. */
        windowTicks: positiveInt.default(500),
        /** Series with fewer realised ticks are left out of the histograms and top-k. */
        minTicks: positiveInt.default(50),
        /** Worst-calibrated series exported individually (bounded label set). */
        topK: nonNegInt.default(10),
      })
      .default({}),

    finetune: z
      .object({
        enabled: z.boolean().default(false),
        intervalMs: positiveInt.default(60_000),
        steps: positiveInt.default(50),
        learningRate: z.number().positive().max(0.01).default(5e-4),
        replayCapacity: positiveInt.default(20_000),
        minImprovement: z.number().min(0).max(1).default(0.02),
        minSamples: positiveInt.default(200),
        rollbackRegression: z.number().min(0).default(0.1),
        /** Fraction of wall time the training worker computes (the rest it sleeps), so serving keeps the CPU. */
        dutyCycle: z.number().gt(0).max(1).default(0.15),
        /** Where the trainer runs: a child process (own V8 and GC threads, all at workerNice) or a worker thread (only that thread niced). */
        isolation: z.enum(['process', 'thread']).default('process'),
        /** Linux niceness of the trainer (0–19): every thread of the process, or the worker thread. */
        workerNice: z.number().int().min(0).max(19).default(10),
      })
      .default({}),

    http: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().default('0.0.0.0'),
        port: nonNegInt.max(65535).default(8080),
        apiKeys: z.array(z.string().min(16, 'API keys must be at least 16 characters')).default([]),
        requireAuthForReads: z.boolean().default(false),
        /** With no API keys configured, allow POST /v1/model/rollback anyway (local development only). */
        allowUnauthenticatedMutations: z.boolean().default(false),
        bodyLimitBytes: positiveInt.default(1024 * 1024),
        rateLimitPerSecond: positiveInt.default(200),
        rateLimitBurst: positiveInt.default(400),
        /** Shed work requests (503 + Retry-After) when event-loop delay p99 exceeds this. */
        eventLoopDelayP99Ms: positiveInt.default(200),
        trustProxy: z.boolean().default(false),
        dashboard: z.boolean().default(true),
        mcp: z.boolean().default(true),
      })
      .default({}),

    embedded: z
      .object({
        /** CSV replayed in embedded mode (timestamp,value). Default: the bundled NAB sample. */
        dataFile: z.string().default(''),
        /** Replay speed in ticks per second per series (0 = as fast as possible). */
        ticksPerSecond: z.number().nonnegative().default(50),
        /** Series replayed: the sample is shifted and scaled into this many series. */
        series: positiveInt.default(4),
        /** Stop after this many ticks in total (0 = loop forever). */
        maxTicks: nonNegInt.default(0),
      })
      .default({}),

    shutdown: z
      .object({
        /** Time given to drain in-flight work on SIGTERM before forcing exit. */
        graceMs: positiveInt.default(25_000),
      })
      .default({}),

    telemetry: z
      .object({
        /**
         * OTLP/HTTP traces URL, used as is (e.g. http://collector:4318/v1/traces); empty → tracing off.
         * Also set by OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, or OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces.
         */
        otlpEndpoint: z.string().default(''),
        /** Extra OTel resource attributes, `k=v,k2=v2` (percent-encoded values); also OTEL_RESOURCE_ATTRIBUTES. */
        resourceAttributes: z.string().default(''),
        defaultMetrics: z.boolean().default(true),
      })
      .default({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.batching.lowWaterMark >= c.batching.highWaterMark) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['batching', 'lowWaterMark'], message: 'must be below batching.highWaterMark' });
    }
    if (c.anomaly.warningThreshold !== undefined && c.anomaly.criticalThreshold !== undefined && c.anomaly.warningThreshold > c.anomaly.criticalThreshold) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['anomaly', 'warningThreshold'], message: 'must not exceed anomaly.criticalThreshold' });
    }
    for (const t of c.input.targets ?? []) {
      if (!c.input.features.includes(t)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['input', 'targets'], message: `target "${t}" is not one of input.features (${c.input.features.join(', ')})` });
      }
    }
    if (!c.model.quantiles.includes(0.5)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['model', 'quantiles'], message: 'must contain 0.5 (the median is the point forecast)' });
    }
    if (c.kafka.delivery === 'exactly-once' && !c.kafka.transactionalId) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['kafka', 'transactionalId'], message: 'is required when kafka.delivery is "exactly-once"' });
    }
    for (const p of kafkaSecurityProblems(c.kafka)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['kafka', ...p.path], message: p.message });
    try {
      new RegExp(c.incidents.prefixPattern);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['incidents', 'prefixPattern'], message: 'is not a valid regular expression' });
    }
    try {
      new RegExp(c.input.seriesPattern);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['input', 'seriesPattern'], message: 'is not a valid regular expression' });
    }
  });

export type ConfigInput = z.input<typeof configSchema>;
export type Config = Readonly<z.output<typeof configSchema>>;
