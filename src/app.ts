/**
 * Composition root: the one place that constructs components and owns start/stop order.
 *
 * Start: model (backend, checkpoint or bootstrap training, engine) → window store, inference
 * stage, detector, pipeline → sink (producer connected) → HTTP listening → source (consumer
 * joins the group) → background loops.
 * Stop (reverse): HTTP refuses new work (503 while draining) → source stops fetching and lets
 * in-flight chunks finish (each commits only after its outputs are acknowledged) → inference drains
 * → producer flushes and disconnects → loops stop → model disposed → HTTP closes.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/load.ts';
import { describeError } from './errors/index.ts';
import { WindowStore } from './domain/window-store.ts';
import { createScorer } from './pipeline/scorer.ts';
import { SeriesOutlook } from './pipeline/series-outlook.ts';
import { RecentAnomalies } from './pipeline/recent-anomalies.ts';
import { InferenceStage } from './pipeline/inference.ts';
import { StreamPipeline } from './pipeline/stream-pipeline.ts';
import { ServingService } from './pipeline/serving.ts';
import type { SeriesSnapshotter } from './pipeline/snapshot/snapshotter.ts';
import { SeriesHomes } from './pipeline/snapshot/series-state.ts';
import { createSnapshotter } from './pipeline/snapshot/create.ts';
import type { HealthState, LearningFilter, OutputSink, TickSource } from './pipeline/ports.ts';
import { createModelService, type ModelService } from './model/model-service.ts';
import { createKafkaTransport, type KafkaTransport, type KafkaTransportHooks } from './adapters/kafka/transport.ts';
import { ReplaySource } from './adapters/embedded/replay-source.ts';
import { LogSink } from './adapters/embedded/log-sink.ts';
import { SAMPLE_FILE } from './adapters/embedded/sample-series.ts';
import { buildHttpServer } from './adapters/http/server.ts';
import { httpConfigFromSchema } from './adapters/http/config.ts';
import { createLogger, type Logger } from './telemetry/logger.ts';
import { createMetrics, type Metrics } from './telemetry/metrics.ts';
import { TelemetryObserver } from './telemetry/pipeline-observer.ts';
import { traceHeadersFor } from './telemetry/trace-headers.ts';
import { OtelPipelineTracer } from './telemetry/pipeline-tracer.ts';
import { loop } from './lifecycle/abortable.ts';
import { once } from './lifecycle/service.ts';
import type { RawRecord, ServiceState } from './domain/types.ts';
import { buildAlerting } from './app-alerting.ts';

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
  /** Address the HTTP server listens on (after start), e.g. "http://127.0.0.1:8080". */
  address(): string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export async function buildApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel, name: config.serviceName });
  const log = logger.child({ module: 'app' });
  const metrics = createMetrics({ defaultMetrics: config.telemetry.defaultMetrics });
  const observer = new TelemetryObserver(metrics, { scoreGaugeSeries: config.anomaly.scoreGaugeSeries, scoreGaugeTopK: config.anomaly.scoreGaugeTopK });
  let state: ServiceState = 'idle';

  // The inference stage is the model's PredictorSlot: built around the first predictor, given to
  // the model lifecycle at construction (promotions and rollbacks swap into it).
  let inference!: InferenceStage;
  const model = await createModelService(config, logger.child({ module: 'model' }), metrics, {
    slot: (first) =>
      (inference = new InferenceStage(first, {
        maxBatchSize: config.batching.maxBatchSize,
        maxWaitMs: config.batching.maxWaitMs,
        maxInFlightBatches: config.batching.maxInFlightBatches,
        highWaterMark: config.batching.highWaterMark,
        lowWaterMark: config.batching.lowWaterMark,
        observer,
      })),
  });
  const predictor = model.predictor;
  const spec = predictor.spec;
  if (spec.window !== config.windows.length) {
    log.warn({ model: spec.window, configured: config.windows.length }, 'windows.length differs from the model window; using the model window');
  }

  const store = new WindowStore({
    window: spec.window,
    features: spec.features.length,
    stride: config.windows.stride,
    maxSeries: config.windows.maxSeries,
    idleEvictMs: config.windows.idleEvictMs,
    duplicatePolicy: config.windows.duplicatePolicy,
    normHalfLifeTicks: config.windows.normHalfLifeTicks,
    holdStatsMaxTicks: config.windows.holdStatsMaxTicks,
  });
  const outlook = new SeriesOutlook();
  const recentAnomalies = new RecentAnomalies();

  let source: TickSource;
  const topics = { forecasts: config.topics.forecasts, anomalies: config.topics.anomalies, dlq: config.topics.dlq };
  const embedded = config.kafka.brokers.length === 0;
  // The snapshotter is built below (it needs the pipeline's parts); the source asks it at assignment.
  let snapshots: SeriesSnapshotter | null = null;
  const restoreFrom: NonNullable<KafkaTransportHooks['restoreFrom']> = (candidates) => snapshots?.restoreFrom(candidates) ?? new Map();
  const kafka: KafkaTransport | null = embedded ? null : createKafkaTransport(config, topics, observer, logger, { restoreFrom, extraTopics: config.feedback.topic ? [config.feedback.topic] : [] });
  const sink: OutputSink = opts.sink ?? kafka?.sink ?? new LogSink(logger, { logEveryNthForecast: 500 });

  const alerting = buildAlerting(config, { metrics, logger, quantiles: spec.quantiles });
  const homes = new SeriesHomes(store.registry);
  const scorer = config.anomaly.enabled ? createScorer({ ...config.anomaly, maxSeries: config.windows.maxSeries }) : null;
  // Series-state snapshots beside the checkpoints (docs/reliability.md); Kafka mode only.
  const snapSettings = { ...config.snapshots, modelDir: config.model.dir, topic: config.topics.ticks, groupId: config.kafka.groupId };
  snapshots = embedded || opts.source ? null : createSnapshotter(snapSettings, { store, book: outlook, detector: scorer, homes }, spec.features, logger.child({ module: 'snapshot' }));
  const pipeline = new StreamPipeline({
    seriesHome: (series, partition) => homes.note(series, partition),
    coldStart: config.coldStart.enabled ? config.coldStart : null,
    store,
    outlook,
    recentAnomalies,
    inference,
    sink,
    codec: {
      features: spec.features,
      maxRecordBytes: config.input.maxRecordBytes,
      seriesPattern: new RegExp(config.input.seriesPattern),
      missingFeature: config.input.missingFeature,
    },
    // The detector's own cap equals the registry's, so only the registry ever evicts; feedback
    // gates its alert events (the snapshot keeps the bare detector's state).
    scorer: scorer ? alerting.gate(scorer) : null,
    followers: alerting.followers,
    anomalyFeatures: config.anomaly.features,
    observer,
    traceHeaders: traceHeadersFor,
    tracer: (opts.tracing ?? config.telemetry.otlpEndpoint !== '') ? new OtelPipelineTracer({ consumerGroup: embedded ? undefined : config.kafka.groupId }) : undefined,
    // Online fine-tuning learns from what the pipeline saw: every feature, the window store's
    // statistics, ticks inside firing alerts marked suppressed.
    learner: model.learner ?? undefined,
    learningFilter: opts.learningFilter ?? alerting.learningFilter,
  });

  if (opts.source) source = opts.source;
  else if (kafka) {
    source = kafka.source;
  } else {
    source = new ReplaySource(
      { file: config.embedded.dataFile || SAMPLE_FILE, series: config.embedded.series, ticksPerSecond: config.embedded.ticksPerSecond, maxTicks: config.embedded.maxTicks, prefix: 'nyc_taxi' },
      logger,
    );
  }

  const health = (): HealthState => {
    const reasons: string[] = [];
    if (state !== 'running') reasons.push(`service is ${state}`);
    if (!source.isAssigned()) reasons.push('no input partitions assigned yet');
    return { live: state !== 'failed', ready: reasons.length === 0, reasons, draining: state === 'draining' || state === 'stopped' };
  };
  const serving = new ServingService({
    store,
    outlook,
    recentAnomalies,
    inference,
    model,
    subscribe: (l) => observer.subscribe(l),
    health,
    maxQueued: config.batching.highWaterMark,
    ...alerting.serving,
  });

  const http = config.http.enabled ? await buildHttpServer({ serving, registry: metrics.registry, logger: logger.child({ module: 'http' }), config: httpConfigFromSchema(config.http) }) : null;
  const loops = new AbortController();
  const background: Promise<void>[] = [];
  let address: string | null = null;

  const start = async () => {
    state = 'starting';
    try {
      if (kafka) await kafka.connect();
      await alerting.start(kafka, sink);
      if (http) {
        address = await http.listen({ host: config.http.host, port: config.http.port });
        log.info({ address }, 'HTTP listening');
      }
      const handle = (records: RawRecord[]) => pipeline.handle(records);
      if (snapshots) await snapshots.load();
      await source.start(snapshots ? snapshots.wrap(handle) : handle);
      snapshots?.start();
      // Backpressure: the batcher announces saturation (queue above the high-water mark) and drain
      // (back at the low-water mark); intake follows. Stream hand-offs beyond its capacity wait.
      const onPressure = ({ saturated, queued }: { saturated: boolean; queued: number }) => {
        if (saturated) source.pause();
        else source.resume();
        observer.backpressure(saturated, queued);
      };
      loops.signal.addEventListener('abort', inference.onPressure(onPressure), { once: true });
      if (inference.saturated) onPressure({ saturated: true, queued: inference.queued });
      observer.watchQueue(() => inference.queued);
      await model.start();
      const onErr = (err: unknown) => log.error({ err: describeError(err) }, 'background loop error');
      background.push(
        loop(10_000, loops.signal, () => {
          store.evictIdle(Date.now()); // announced by the registry: every holder forgets the series
          metrics.seriesActive.set(store.size);
        }, onErr),
      );
      state = 'running';
      log.info({ mode: embedded ? 'embedded' : 'kafka', model: predictor.version, engine: predictor.engine, backend: predictor.backend }, 'tickcast running');
    } catch (err) {
      state = 'failed';
      throw err;
    }
  };

  const stop = once(async () => {
    if (state === 'stopped') return;
    state = 'draining';
    log.info('draining');
    await source.stop().catch((err) => log.error({ err }, 'source stop failed'));
    await inference.close().catch((err) => log.error({ err }, 'inference drain failed'));
    await snapshots?.stop(); // after the source: every handled chunk is committed
    await alerting.stop();
    if (kafka) await kafka.disconnect().catch((err) => log.error({ err }, 'producer disconnect failed'));
    loops.abort();
    await Promise.all(background);
    await model.stop().catch((err) => log.error({ err }, 'model stop failed'));
    if (http) await http.close().catch((err) => log.error({ err }, 'http close failed'));
    state = 'stopped';
    log.info('stopped');
  });

  return {
    config,
    logger,
    metrics,
    pipeline,
    serving,
    model,
    inference,
    store,
    http,
    source,
    snapshots,
    state: () => state,
    address: () => address,
    start,
    stop,
  };
}
