/**
 * Composition root: the one place that decides which components exist and connects them. Build
 * order: model (backend, checkpoint or bootstrap training, engine; the inference stage is its
 * slot) → window store, series outlook, transport, detector and alerting extras, snapshotter,
 * pipeline → source → serving API → HTTP server. Each component is made by a factory
 * (app-parts.ts, app-alerting.ts, the adapters' own); start/stop order and the service state
 * are app-lifecycle.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load.ts';
import { envName } from './config/env-name.ts';
import type { WindowStore } from './domain/window-store.ts';
import type { ServiceState } from './domain/types.ts';
import { createScorer } from './pipeline/scorer.ts';
import { SeriesOutlook } from './pipeline/series-outlook.ts';
import { RecentAnomalies } from './pipeline/recent-anomalies.ts';
import { InferenceStage } from './pipeline/inference.ts';
import type { StreamPipeline } from './pipeline/stream-pipeline.ts';
import { ServingService } from './pipeline/serving.ts';
import type { SeriesSnapshotter } from './pipeline/snapshot/snapshotter.ts';
import { createSnapshotter } from './pipeline/snapshot/create.ts';
import { partitionRelease } from './pipeline/partition-release.ts';
import type { LearningFilter, OutputSink, TickSource } from './pipeline/ports.ts';
import { createModelService, type ModelService } from './model/model-service.ts';
import { createKafkaTransport, type KafkaTransport } from './adapters/kafka/transport.ts';
import { LogSink } from './adapters/embedded/log-sink.ts';
import { buildHttpServer } from './adapters/http/server.ts';
import { httpConfigFromSchema } from './adapters/http/config.ts';
import { createLogger, type Logger } from './telemetry/logger.ts';
import { createMetrics, type Metrics } from './telemetry/metrics.ts';
import { TelemetryObserver } from './telemetry/pipeline-observer.ts';
import { buildAlerting } from './app-alerting.ts';
import { outputTopics, createForecastShaping, createPipeline, warnSpecMismatch, createSource, createWindowStore, inferenceOptions, openHoursFor, serviceHealth, seriesHolders } from './app-parts.ts';
import { AppLifecycle, type StopOutcome } from './app-lifecycle.ts';
import { stateSizes } from './app-state-sizes.ts';

export interface AppOptions {
  logger?: Logger;
  /** Replace the output sink (tests). */
  sink?: OutputSink;
  /** Replace the source (tests). */
  source?: TickSource;
  /** Record pipeline spans (default: when an OTLP endpoint is configured). */
  tracing?: boolean;
  /** Ticks to keep out of learning besides firing alerts (e.g. confirmed anomalies from alert feedback). */
  learningFilter?: LearningFilter;
}

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly pipeline: StreamPipeline;
  readonly serving: ServingService;
  readonly model: ModelService;
  readonly inference: InferenceStage;
  readonly store: WindowStore;
  readonly http: FastifyInstance | null;
  readonly source: TickSource;
  /** Series-state snapshots (null in embedded mode, with a test source, or when disabled). */
  readonly snapshots: SeriesSnapshotter | null;
  state(): ServiceState;
  /** Entries of the per-series maps by holder (app-state-sizes.ts; the soak harness samples them). */
  stateSizes(): Record<string, number>;
  /** Address the HTTP server listens on (after start), e.g. "http://127.0.0.1:8080". */
  address(): string | null;
  start(): Promise<void>;
  /** Drain and stop; `complete` false when chunks in flight were given up (app-lifecycle.ts). */
  stop(): Promise<StopOutcome>;
}

export async function buildApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel, name: config.serviceName });
  const log = logger.child({ module: 'app' });
  const metrics = createMetrics({ defaultMetrics: config.telemetry.defaultMetrics });
  const observer = new TelemetryObserver(metrics, { scoreGaugeSeries: config.anomaly.scoreGaugeSeries, scoreGaugeTopK: config.anomaly.scoreGaugeTopK, capWarning: { logger: logger.child({ module: 'series' }), maxSeries: config.windows.maxSeries, envVar: envName('windows.maxSeries') }, lateWarning: { logger: logger.child({ module: 'event-time' }) } });
  const life = new AppLifecycle();

  // The inference stage is the model's PredictorSlot: built around the first predictor, given to
  // the model lifecycle at construction (promotions and rollbacks swap into it).
  let inference!: InferenceStage;
  const model = await createModelService(config, logger.child({ module: 'model' }), metrics, {
    slot: (first) => (inference = new InferenceStage(first, inferenceOptions(config, observer))),
  });
  const spec = model.predictor.spec;
  warnSpecMismatch(config, spec, log);

  const training = model.info().training ?? {};
  const openHours = openHoursFor(config, training);
  if (openHours && config.windows.openHours === 'auto') log.info({ closures: (training.data as { closures?: unknown } | undefined)?.closures }, 'windows.openHours auto: on, the model was trained on rows with closures (nights, weekends) as they came');
  const store = createWindowStore(config, spec, { openHours });
  const outlook = new SeriesOutlook();
  const { floor, fusion } = createForecastShaping(config, spec, metrics);
  const recentAnomalies = new RecentAnomalies();

  const embedded = config.kafka.brokers.length === 0;
  const { topics, inherited, inheritAlerts, alertStatePartitions } = outputTopics(config, !embedded && !opts.source, (n) => observer.alertsInherited(n));
  // The snapshotter is built below (it needs the pipeline's parts); the source asks it at assignment.
  let snapshots: SeriesSnapshotter | null = null;
  const { homes, units } = seriesHolders(config, store, spec);
  // Partitions a rebalance handed to another instance: their series and snapshot offsets go (docs/reliability.md); at a
  // revocation (after the build: the pipeline exists then) what is still queued, evicted resolves a failed send kept, goes first.
  const onReleased = partitionRelease({ store, homes, snapshots: () => snapshots, inherited, openAlerts: outlook, logger: logger.child({ module: 'partitions' }) });
  const kafka: KafkaTransport | null = embedded ? null : createKafkaTransport(config, topics, observer, logger, { restoreFrom: (candidates) => snapshots?.restoreFrom(candidates) ?? new Map(), onReleased, onRevoking: () => pipeline.flushDeparted(looseSink), inheritAlerts, alertStatePartitions, extraTopics: config.feedback.topic ? [config.feedback.topic] : [] });
  const sink: OutputSink = opts.sink ?? kafka?.sink ?? new LogSink(logger, { logEveryNthForecast: 500 });
  // Outputs no committed input carries (resolves sent between chunks, warm-up chunks' outputs): in exactly-once mode, transactions of their own.
  const looseSink: OutputSink = opts.sink ?? kafka?.looseSink ?? sink;

  const alerting = buildAlerting(config, { metrics, logger, quantiles: spec.quantiles, openAlert: (id) => outlook.openAlert(id), published: outlook });
  const scorer = config.anomaly.enabled ? createScorer({ ...config.anomaly, maxSeries: config.windows.maxSeries, staleFeatureMs: config.anomaly.staleFeatureMs ?? config.windows.idleEvictMs }) : null;
  observer.expectFeatures(spec.features, !scorer ? [] : config.anomaly.features === 'all' ? spec.features : spec.targets);
  // Series-state snapshots beside the checkpoints (docs/reliability.md); Kafka mode only.
  const snapSettings = { ...config.snapshots, modelDir: config.model.dir, topic: config.topics.ticks, groupId: config.kafka.groupId, maxTailRecords: config.windows.restoreRecordsPerPartition, anomalyFeatures: scorer ? config.anomaly.features : undefined, senmlBaseName: config.input.format === 'senml' && config.input.senmlSeries === 'baseName' };
  snapshots = embedded || opts.source ? null : createSnapshotter(snapSettings, { store, outlook, detector: scorer, homes, units, fusion, incidents: alerting.incidents, alertIndex: alerting.alertIndex, gate: alerting.gateState, feedback: alerting.feedbackState }, spec, logger.child({ module: 'snapshot' }));
  const pipeline = createPipeline(config, { store, outlook, recentAnomalies, inference, sink, looseSink, homes, units, scorer, alerting, observer, model, embedded, fusion, floor, inherited }, opts);
  const source = createSource(config, kafka, opts.source, logger, spec.features);

  const serving = new ServingService({
    store,
    outlook,
    recentAnomalies,
    inference,
    model,
    flushDeparted: () => pipeline.flushDeparted(looseSink), // the resolves of a reset series go now
    ...{ fusion, floor },
    subscribe: (l) => observer.subscribe(l),
    health: () => serviceHealth(life.state, source, kafka ? () => kafka.missingOutputTopics() : undefined),
    maxQueued: config.batching.highWaterMark,
    ...alerting.serving,
    ...(snapshots ? { snapshots } : {}),
  });
  if (snapshots) metrics.watchSnapshots(() => snapshots!.status());
  const http = config.http.enabled ? await buildHttpServer({ serving, registry: metrics.registry, logger, config: httpConfigFromSchema(config.http) }) : null;

  life.attach({ config, log, metrics, observer, model, inference, store, kafka, sink, looseSink, alerting, source, pipeline, snapshots, http });
  return {
    config, logger, metrics, pipeline, serving, model, inference, store, http, source, snapshots,
    state: () => life.state,
    stateSizes: () => stateSizes({ store, outlook, scorer, fusion, alerting, recentAnomalies, units, homes }),
    address: () => life.address,
    start: () => life.start(),
    stop: life.stop,
  };
}
