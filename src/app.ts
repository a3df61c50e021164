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
import { ForecastBook } from './pipeline/forecast-book.ts';
import { InferenceStage } from './pipeline/inference.ts';
import { StreamPipeline } from './pipeline/stream-pipeline.ts';
import { ServingService } from './pipeline/serving.ts';
import type { HealthState, OutputSink, TickSource } from './pipeline/ports.ts';
import { createModelService, type ModelService } from './model/model-service.ts';
import { createKafkaTransport, type KafkaTransport } from './adapters/kafka/transport.ts';
import { ReplaySource } from './adapters/embedded/replay-source.ts';
import { LogSink } from './adapters/embedded/log-sink.ts';
import { SAMPLE_FILE } from './adapters/embedded/sample-series.ts';
import { buildHttpServer } from './adapters/http/server.ts';
import type { HttpConfigInput } from './adapters/http/config.ts';
import { createLogger, type Logger } from './telemetry/logger.ts';
import { createMetrics, type Metrics } from './telemetry/metrics.ts';
import { TelemetryObserver } from './telemetry/pipeline-observer.ts';
import { traceHeadersFor } from './telemetry/trace-headers.ts';
import { OtelPipelineTracer } from './telemetry/pipeline-tracer.ts';
import { loop } from './lifecycle/abortable.ts';
import { once } from './lifecycle/service.ts';
import type { ServiceState } from './domain/types.ts';

export interface AppOptions {
  logger?: Logger;
  /** Replace the output sink (tests). */
  sink?: OutputSink;
  /** Replace the source (tests). */
  source?: TickSource;
  /** Record pipeline spans (default: when an OTLP endpoint is configured). */
  tracing?: boolean;
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

  const model = await createModelService(config, logger.child({ module: 'model' }), metrics);
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
  });
  const book = new ForecastBook();
  const inference = new InferenceStage(predictor, {
    maxBatchSize: config.batching.maxBatchSize,
    maxWaitMs: config.batching.maxWaitMs,
    maxInFlightBatches: config.batching.maxInFlightBatches,
    observer,
  });
  model.attach(inference);
  observer.subscribe((e) => model.observe(e));

  let source: TickSource;
  const topics = { forecasts: config.topics.forecasts, anomalies: config.topics.anomalies, dlq: config.topics.dlq };
  const embedded = config.kafka.brokers.length === 0;
  const kafka: KafkaTransport | null = embedded ? null : createKafkaTransport(config, topics, observer, logger);
  const sink: OutputSink = opts.sink ?? kafka?.sink ?? new LogSink(logger, { logEveryNthForecast: 500 });

  const pipeline = new StreamPipeline({
    store,
    book,
    inference,
    sink,
    codec: {
      features: spec.features,
      maxRecordBytes: config.input.maxRecordBytes,
      seriesPattern: new RegExp(config.input.seriesPattern),
      missingFeature: config.input.missingFeature,
    },
    scorer: config.anomaly.enabled ? createScorer(config.anomaly) : null,
    observer,
    traceHeaders: traceHeadersFor,
    tracer: (opts.tracing ?? config.telemetry.otlpEndpoint !== '') ? new OtelPipelineTracer() : undefined,
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
    book,
    inference,
    model,
    subscribe: (l) => observer.subscribe(l),
    health,
    maxQueued: config.batching.highWaterMark,
  });

  const http = config.http.enabled ? await buildHttpServer({ serving, registry: metrics.registry, logger: logger.child({ module: 'http' }), config: httpConfigFrom(config) }) : null;
  const loops = new AbortController();
  const background: Promise<void>[] = [];
  let address: string | null = null;

  const start = async () => {
    state = 'starting';
    try {
      if (kafka) await kafka.connect();
      if (http) {
        address = await http.listen({ host: config.http.host, port: config.http.port });
        log.info({ address }, 'HTTP listening');
      }
      await source.start((records) => pipeline.handle(records));
      await model.start();
      const onErr = (err: unknown) => log.error({ err: describeError(err) }, 'background loop error');
      // Backpressure: pause intake while the inference queue is above the high-water mark.
      let paused = false;
      background.push(
        loop(25, loops.signal, () => {
          const q = inference.queued;
          if (!paused && q > config.batching.highWaterMark) {
            paused = true;
            source.pause();
          } else if (paused && q <= config.batching.lowWaterMark) {
            paused = false;
            source.resume();
          }
          observer.backpressure(paused, q);
        }, onErr),
      );
      background.push(
        loop(10_000, loops.signal, () => {
          for (const id of store.evictIdle(Date.now())) {
            book.forget(id);
            observer.evicted(id);
          }
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
    state: () => state,
    address: () => address,
    start,
    stop,
  };
}

/** Map the service config onto the HTTP adapter's options. */
function httpConfigFrom(c: Config): HttpConfigInput {
  const h = c.http;
  return {
    host: h.host,
    port: h.port,
    apiKeys: h.apiKeys,
    requireAuthForReads: h.requireAuthForReads,
    allowUnauthenticatedMutations: h.allowUnauthenticatedMutations,
    bodyLimitBytes: h.bodyLimitBytes,
    rateLimit: { enabled: true, perKeyPerSecond: h.rateLimitPerSecond, burst: h.rateLimitBurst },
    loadShedding: { enabled: true, eventLoopDelayP99Ms: h.eventLoopDelayP99Ms },
    dashboard: { enabled: h.dashboard },
    mcp: { enabled: h.mcp },
    trustProxy: h.trustProxy,
  };
}
