/**
 * Factories for the parts app.ts wires together, one per component: each maps the configuration
 * (and the parts it needs) to one constructed component. They construct; app.ts decides what
 * exists and connects them; app-lifecycle.ts starts and stops them.
 */
import type { Config } from './config/load.ts';
import { WindowStore, type WindowStoreOptions } from './domain/window-store.ts';
import { trainedAcrossClosures, type Closures } from './domain/closures.ts';
import { logMask } from './domain/model-spec.ts';
import type { CodecOptions } from './domain/tick-codec.ts';
import { ForecastFusion } from './domain/fusion/forecast-fusion.ts';
import { ForecastFloor } from './domain/forecast-floor.ts';
import type { ModelSpec, ServiceState } from './domain/types.ts';
import type { InferenceOptions, InferenceStage } from './pipeline/inference.ts';
import { StreamPipeline, type StreamPipelineDeps } from './pipeline/stream-pipeline.ts';
import type { HealthState, LearningFilter, OutputSink, TickSource } from './pipeline/ports.ts';
import { SeriesHomes } from './pipeline/snapshot/series-state.ts';
import { SeriesUnits } from './pipeline/series-units.ts';
import type { SeriesOutlook } from './pipeline/series-outlook.ts';
import type { RecentAnomalies } from './pipeline/recent-anomalies.ts';
import type { ModelService } from './model/model-service.ts';
import type { KafkaTransport } from './adapters/kafka/transport.ts';
import type { TopicMap } from './adapters/kafka/sink.ts';
import { ReplaySource } from './adapters/embedded/replay-source.ts';
import { SAMPLE_FILE, replayPrefix } from './adapters/embedded/sample-series.ts';
import type { Logger } from './telemetry/logger.ts';
import type { Metrics } from './telemetry/metrics.ts';
import type { TelemetryObserver } from './telemetry/pipeline-observer.ts';
import { traceHeadersFor } from './telemetry/trace-headers.ts';
import { OtelPipelineTracer } from './telemetry/pipeline-tracer.ts';
import type { Alerting } from './app-alerting.ts';
import { InheritedAlerts, openAlerts, type AlertStateEntry } from './pipeline/alert-state.ts';

/** The micro-batcher's settings (batching.*), reporting to the observer. */
export function inferenceOptions(config: Config, observer: TelemetryObserver): InferenceOptions {
  const b = config.batching;
  return { maxBatchSize: b.maxBatchSize, maxWaitMs: b.maxWaitMs, maxInFlightBatches: b.maxInFlightBatches, highWaterMark: b.highWaterMark, lowWaterMark: b.lowWaterMark, observer };
}

/**
 * The window store (windows.*) for the model's window and features. `overrides`: for a store
 * that is not the service's (`tickcast detect` scores one file at stride 1 and never evicts).
 */
export function createWindowStore(config: Config, spec: ModelSpec, overrides: Partial<WindowStoreOptions> = {}): WindowStore {
  const w = config.windows;
  return new WindowStore({
    window: spec.window,
    features: spec.features.length,
    stride: w.stride,
    maxSeries: w.maxSeries,
    idleEvictMs: w.idleEvictMs,
    duplicatePolicy: w.duplicatePolicy,
    normHalfLifeTicks: w.normHalfLifeTicks,
    holdStatsMaxTicks: w.holdStatsMaxTicks,
    fillMissed: w.fillMissed,
    openHours: w.openHours === 'on',
    logFeatures: logMask(spec),
    clockSkewMs: config.input.clockSkewMs,
    ...overrides,
  });
}

/**
 * Whether the service's window store learns open hours (windows.openHours): 'on' / 'off' as set;
 * 'auto' on when the model served at start was trained on rows with closures (its training
 * metadata's `data.closures`, recorded by `tickcast train`; ../domain/closures.ts).
 */
export function openHoursFor(config: Config, training: Readonly<Record<string, unknown>>): boolean {
  const setting = config.windows.openHours;
  if (setting !== 'auto') return setting === 'on';
  const data = training.data;
  return trainedAcrossClosures(typeof data === 'object' && data !== null ? (data as { closures?: Closures }).closures : undefined);
}

/** The model served decides the window and the horizon: say so when the configuration asked for others. */
export function warnSpecMismatch(config: Config, spec: ModelSpec, log: Logger): void {
  if (spec.window !== config.windows.length) {
    log.warn({ model: spec.window, configured: config.windows.length }, 'windows.length differs from the model window; using the model window');
  }
  if (spec.horizon !== config.model.horizon) log.warn({ model: spec.horizon, configured: config.model.horizon }, 'model.horizon differs from the model horizon; using the model horizon');
}

/**
 * What shapes a forecast after the model for the model's spec: the floor of non-negative targets
 * (input.nonNegative; null when none) and fusion with fast baselines (fusion.*; null when off),
 * whose baseline paths respect the same floor.
 */
export function createForecastShaping(config: Config, spec: ModelSpec, metrics: Metrics): { floor: ForecastFloor | null; fusion: ForecastFusion | null } {
  const floor = ForecastFloor.of(spec.targets, spec.quantiles, config.input.nonNegative);
  const f = config.fusion;
  if (!f.enabled) return { floor, fusion: null };
  const fusion = new ForecastFusion({ horizon: spec.horizon, targets: spec.targets.length, quantiles: spec.quantiles, halfLifeTicks: f.halfLifeTicks, minScoredTicks: f.minScoredTicks, margin: f.margin, seasonTicks: f.seasonTicks, floored: floor?.floored });
  metrics.watchForecastSources(() => fusion.servedCounts());
  return { floor, fusion };
}

/** How the tick codec decodes records (input.*) for the model's features. */
export function codecOptions(config: Config, spec: ModelSpec): CodecOptions {
  return {
    features: spec.features,
    maxRecordBytes: config.input.maxRecordBytes,
    seriesPattern: new RegExp(config.input.seriesPattern),
    missingFeature: config.input.missingFeature,
    logFeatures: logMask(spec),
  };
}

/**
 * Where ticks come from: the given source (tests), else the Kafka consumer, else (embedded mode) the
 * sample replay, which sends the served model's `features` (or says once why the file cannot).
 */
export function createSource(config: Config, kafka: KafkaTransport | null, given: TickSource | undefined, logger: Logger, features: readonly string[]): TickSource {
  if (given) return given;
  if (kafka) return kafka.source;
  const e = config.embedded;
  const file = e.dataFile || SAMPLE_FILE;
  return new ReplaySource({ file, series: e.series, ticksPerSecond: e.ticksPerSecond, maxTicks: e.maxTicks, prefix: replayPrefix(file), features }, logger);
}

export interface PipelineParts {
  store: WindowStore;
  outlook: SeriesOutlook;
  recentAnomalies: RecentAnomalies;
  inference: InferenceStage;
  sink: OutputSink;
  /** Outputs no committed input carries (warm-up chunks, flushed resolves): transport.ts `looseSink`. */
  looseSink: OutputSink;
  homes: SeriesHomes;
  /** Each series' first unit per feature (null: input.format json, whose ticks carry none). */
  units: SeriesUnits | null;
  /** Fusion with fast baselines (null: fusion.enabled false). */
  fusion: ForecastFusion | null;
  /** Forecasts of non-negative targets raised to 0 (null: input.nonNegative names none of them). */
  floor: ForecastFloor | null;
  /** The bare detector (null: anomaly detection off). */
  scorer: Parameters<Alerting['gate']>[0] | null;
  alerting: Alerting;
  observer: TelemetryObserver;
  model: ModelService;
  embedded: boolean;
  /** topics.alertState set (Kafka mode): alerts inherited from partitions taken over (pipeline/alert-state.ts). */
  inherited?: InheritedAlerts | null;
}

/** The per-series holders the snapshot keeps beside the window store: each series' partition, and its first units (SenML under input.senmlUnits 'first' only: JSON ticks carry none). */
export function seriesHolders(config: Config, store: WindowStore, spec: ModelSpec): { homes: SeriesHomes; units: SeriesUnits | null } {
  return { homes: new SeriesHomes(store.registry), units: config.input.format === 'senml' && config.input.senmlUnits === 'first' ? new SeriesUnits(store.registry, spec.features) : null };
}

/** The stream pipeline over the shared parts (input.*, coldStart.*, anomaly.features, tracing). */
export function createPipeline(config: Config, p: PipelineParts, opts: { tracing?: boolean; learningFilter?: LearningFilter; source?: TickSource }): StreamPipeline {
  const spec = p.inference.spec;
  // The embedded sample replay laps its data forward in time, past the host's clock, by design.
  const replay = p.embedded && !opts.source;
  const deps: StreamPipelineDeps = {
    seriesHome: (series, partition) => p.homes.note(series, partition),
    units: p.units,
    coldStart: config.coldStart.enabled ? config.coldStart : null,
    store: p.store,
    outlook: p.outlook,
    recentAnomalies: p.recentAnomalies,
    inference: p.inference,
    sink: p.sink,
    looseSink: p.looseSink,
    // input.fields and input.tsUnit describe the topic's records; the replay (and the CLI's files) write the documented shape.
    codec: { ...codecOptions(config, spec), ...(replay ? { maxFutureMs: 0 } : { maxFutureMs: config.input.maxFutureMs, fields: config.input.fields, tsUnit: config.input.tsUnit, missingTs: config.input.missingTs, format: config.input.format, senmlSeries: config.input.senmlSeries, senmlNames: config.input.senmlNames }) },
    deadLetterMaxBytes: config.input.deadLetterMaxBytes,
    // The detector's own cap equals the registry's, so only the registry ever evicts; feedback
    // gates its alert events (the snapshot keeps the bare detector's state).
    scorer: p.scorer ? p.alerting.gate(p.scorer) : null,
    followers: p.alerting.followers,
    anomalyFeatures: config.anomaly.features,
    alertState: p.inherited ?? null,
    observer: p.observer,
    traceHeaders: traceHeadersFor,
    tracer: (opts.tracing ?? config.telemetry.otlpEndpoint !== '') ? new OtelPipelineTracer({ consumerGroup: p.embedded ? undefined : config.kafka.groupId }) : undefined,
    // Online fine-tuning learns from what the pipeline saw: every feature, the window store's
    // statistics, ticks inside firing alerts marked suppressed.
    learner: p.model.learner ?? undefined,
    learningFilter: opts.learningFilter ?? p.alerting.learningFilter,
    fusion: p.fusion,
    floor: p.floor,
  };
  return new StreamPipeline(deps);
}

/**
 * Liveness and readiness: ready when running and the source has joined its consumer group once;
 * draining once stopping. Owning no partition does not make an instance unready: with more
 * instances than partitions the extra ones still serve the HTTP API (and a rolling update with
 * maxUnavailable 0 needs its surge pod ready), and every member owns none during a rebalance.
 * A source that knows why it has not joined yet says so: KafkaSource.missingTopic(), the input
 * topic missing at start (librdkafka joins no group without a subscribed topic). Output topics
 * the cluster lacks (`missingOutputs`, KafkaTransport.missingOutputTopics) keep it unready too:
 * nothing can be delivered to them, so the partitions feeding them do not advance.
 */
export function serviceHealth(state: ServiceState, source: TickSource & { missingTopic?(): string | null }, missingOutputs?: () => string[]): HealthState {
  const reasons: string[] = [];
  if (state !== 'running') reasons.push(`service is ${state}`);
  for (const t of missingOutputs?.() ?? []) reasons.push(`output topic "${t}" does not exist (TC_KAFKA_TOPIC_MISSING): create it`);
  if (!source.hasJoined()) {
    const topic = source.missingTopic?.();
    reasons.push(topic ? `waiting to join the consumer group: input topic "${topic}" does not exist yet (it is read from its start once it appears)` : 'waiting to join the consumer group');
  }
  return { live: state !== 'failed', ready: reasons.length === 0, reasons, draining: state === 'draining' || state === 'stopped' };
}

/**
 * The output topics by stream. With topics.alertState, in Kafka mode, open alerts follow their
 * input partition (docs/reliability.md § Open alerts that follow their partition): the alerts
 * inherited from partitions taken over, and the hook through which the transport hands over each
 * such partition's alert-state records (and the alert-state topic's partition count).
 */
export function outputTopics(config: Config, kafkaMode: boolean, onInherited?: (count: number) => void): { topics: TopicMap; inherited: InheritedAlerts | null; inheritAlerts?: (partition: number, records: AlertStateEntry[]) => void; alertStatePartitions?: (partitions: number) => void } {
  const topics: TopicMap = { forecasts: config.topics.forecasts, anomalies: config.topics.anomalies, dlq: config.topics.dlq };
  if (config.topics.alertState === '' || !kafkaMode) return { topics, inherited: null };
  const inherited = new InheritedAlerts();
  return { topics: { ...topics, alertState: config.topics.alertState }, inherited, inheritAlerts: (partition, records) => {
    const open = openAlerts(records);
    inherited.add(partition, open);
    onInherited?.(open.length);
  }, alertStatePartitions: (n) => inherited.statePartitions(n) };
}
