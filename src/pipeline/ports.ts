/**
 * Ports: the interfaces the streaming use case is written against. Adapters (Kafka, in-memory,
 * HTTP) and the model implement them; only app.ts plugs concrete parts in.
 */
import type { SnapshotStatus } from './snapshot/status.ts';
import type { ForecastStep, ModelSpec, RawRecord } from '../domain/types.ts';

/** A batch of model input: z-normalised windows, row-major [batch, window, features]. */
export interface PredictBatch {
  x: Float32Array;
  batch: number;
}

/** Model output in normalised space. */
export interface PredictResult {
  /** Quantile forecasts, row-major [batch, horizon, targets, quantiles]; ascending along quantiles. */
  y: Float32Array;
  /** Attention-pooling weights over the window, row-major [batch, window]; present when asked for. */
  attention?: Float32Array;
}

/**
 * The model as the pipeline sees it. Implementations: the tfjs hybrid model (src/model) and the
 * ONNX engine. `predict` must not keep references to `x` after it resolves.
 */
export interface Predictor {
  readonly spec: ModelSpec;
  /** Model version label, e.g. "v3-2026-11-21T02:40:00Z". */
  readonly version: string;
  /** Inference engine: "onnx" or "tfjs". */
  readonly engine: string;
  /** tfjs backend or ONNX execution provider actually in use, e.g. "wasm", "cpu", "cuda". */
  readonly backend: string;
  predict(batch: PredictBatch, opts?: { attention?: boolean }): Promise<PredictResult>;
  dispose(): Promise<void>;
}

/**
 * Where the serving predictor lives. The model lifecycle (src/model) is given one at construction
 * and swaps promoted or rolled-back models into it; the inference stage implements it (a batch runs
 * entirely on the predictor it started with; a replaced one is disposed after its last batch).
 */
export interface PredictorSlot {
  readonly predictor: Predictor;
  swap(next: Predictor): void;
}

/** A message for an output topic: `stream` is the logical stream, the sink maps it to a topic name. `alertState` (alert-state.ts): `value` null is a tombstone, `partition` the series' input partition (elsewhere absent: the partitioner's). */
export interface OutMessage {
  stream: 'forecasts' | 'anomalies' | 'dlq' | 'alertState';
  key: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  /** A repeated header name carries its values in order (dead letters keep the original headers). */
  headers: Record<string, string | Buffer | Buffer[]>;
}

/** Where outputs go. `send` resolves only when the transport has acknowledged every message. */
export interface OutputSink {
  send(messages: OutMessage[]): Promise<void>;
}

/** Where records come from: `handle` gets consecutive records of one partition; their offsets are committed only once it resolves. */
export type RecordHandler = (records: RawRecord[]) => Promise<void>;

export interface TickSource {
  start(handle: RecordHandler, signal?: AbortSignal): Promise<void>;
  /** Stop fetching (backpressure); records already handed over are still processed. */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
  /** After stop(): no chunk handed over is still handled. The drain gives up only those, never the rest of stop() (a consumer's leave). Absent: stop() covers both. */
  chunksDone?(): Promise<void>;
  /** Joined its consumer group once (an empty assignment counts; rebalances don't undo it), or in-process and started. /readyz. */
  hasJoined(): boolean;
  /** Partitions may be on their way to another instance (revoked, rebalance not completed; or leaving the group). Absent: never. */
  handingOver?(): boolean;
}

// ---------------------------------------------------------------------------------------------
// The serving API: what the HTTP/MCP adapters (and the dashboard) need from the running service.
// Implemented in src/pipeline/serving.ts on top of the window store, micro-batcher and detector.
// ---------------------------------------------------------------------------------------------

import type { AnomalyAlertRecord, AnomalyEvent, Expectation } from '../domain/anomaly/index.ts';
import type { FeedbackService } from './feedback-service.ts';
import type { IncidentRecord } from '../domain/incidents/incident-grouper.ts';
import type { BandQualityOverview, BandQualitySummary } from '../domain/band-quality.ts';
import type { FusionView } from '../domain/fusion/forecast-fusion.ts';

export interface ForecastRequest {
  /** Raw (not normalised) values, oldest first: number[] for one feature, number[][] as [time][feature]. */
  window?: number[] | number[][];
  /** Forecast from the server-held window of this series instead. */
  series?: string;
  /** Steps to return (≤ the model horizon); default: the model horizon. */
  horizon?: number;
  /** Include attention weights over the window. */
  explain?: boolean;
}

export interface ForecastResponse {
  series?: string; model: string;
  /** One entry per step; for multi-target models the first target (see `targets` for all). */
  horizon: ForecastStep[];
  /** Per-target forecasts when the model forecasts more than one feature. */
  targets?: Record<string, ForecastStep[]>;
  attention?: number[];
  /** Steps (1-based) whose time falls in hours the series is closed (WindowStore.closedSteps); absent when none. */
  closedSteps?: number[];
}

export interface SeriesSummary {
  id: string;
  ticks: number;
  lastTs: number | null;
  ready: boolean;
  anomalyState: 'normal' | 'firing';
  /** Features whose alert is firing now (empty when normal). */
  anomalyFeatures?: string[];
}

export interface SeriesDetail extends SeriesSummary {
  /**
   * Recent raw values per feature, oldest first; `filled`: positions of readings filled in
   * (windows.fillMissed); `closedHours`: UTC hours of the week the series is closed in (open hours
   * learned, windows.openHours; absent otherwise); `carried`: features the latest ticks lacked
   * (input.missingFeature carry), with how many ticks in a row (the window repeats the last value).
   */
  window: { ts: number[]; values: Record<string, number[]>; filled: number[]; closedHours?: number[]; carried: Record<string, number> };
  /** What was served last (the model's forecast, a fused or a cold baseline), in the forecasts topic's shape: `targets` by name, multi-target models only. */
  lastForecast: { ts: number; model: string; replaces?: string; horizon: ForecastStep[]; targets?: Record<string, ForecastStep[]>; closedSteps?: readonly number[] } | null;
  lastScore: number | null;
  /** Ticks of the series dropped as late (older than its last one) since this instance took it, through restarts (series-state snapshots; docs/runbook.md § Routine operations ("Late ticks")). */
  lateTicks: number;
  /** Feedback in effect on this series (bar, maintenance span, counts, confirmed anomalies); absent when none. */
  feedback?: SeriesFeedback;
  /** Rolling band quality of this series' forecasts (p10–p90 coverage, pinball loss); absent before any forecast was realised. */
  bandQuality?: BandQualitySummary;
  fusion?: FusionView; // what its model forecasts are served as, each candidate's recent error relative to naive's (fusion.*)
}

/**
 * The record published on the anomalies topic (built by the domain's `buildAlertRecord`), with
 * `kind: "alert"` (incident records on the same topic say `kind: "incident"`) and a stable `id`
 * that feedback refers to (src/domain/alerts/alert-id.ts).
 */
export type AnomalyRecord = AnomalyAlertRecord & { kind?: 'alert'; id?: string };

export interface ModelInfo {
  version: string; engine: string; backend: string;
  spec: { window: number; features: readonly string[]; targets: readonly string[]; horizon: number; quantiles: readonly number[] };
  training?: Record<string, unknown>;
  /** Versions that load and verify, newest first; those also in `incompatibleVersions` (another spec than the serving model's: 409 on rollback) cannot serve here. */
  versions?: string[];
  incompatibleVersions?: Array<{ version: string; reason: string; differences: string[] }>;
  /** Versions on disk that fail to load or verify, with why (not offered for rollback). */
  damagedVersions?: { version: string; reason: string }[];
  unfinishedVersions?: { version: string; parent: string; reason: string }[]; // saved by a promotion never recorded as current (found at start): served only when a rollback names one
  pinned?: boolean;
  /** When this instance began serving `version` (ms since the epoch): its load at start, else its promotion, rollback or the followed change. */
  servingSinceMs?: number;
}

/** Model management the serving API delegates to (implemented in src/model). */
export interface ModelControl {
  info(): ModelInfo;
  rollback(opts: { version?: string; pin?: boolean }): Promise<ModelInfo>;
}

/** Live events for the dashboard (SSE): one per tick processed, forecast made or alert raised. */
export type LiveEvent =
  | { type: 'tick'; series: string; ts: number; value: number; values?: Record<string, number>; merged?: true } // values: every feature's by name, multivariate series only (NaN, null in JSON: the tick lacked it, carried forward); merged: the same tick again, a reading sent late in its own record written into it
  | { type: 'forecast'; series: string; ts: number; model: string; horizon: ForecastStep[]; targets?: Record<string, ForecastStep[]>; closedSteps?: readonly number[]; replaces?: string } // targets: by name, multi-target models only (as on the forecasts topic); replaces: the model version a fused baseline stood in for
  | { type: 'anomaly'; record: AnomalyRecord };

export interface HealthState {
  live: boolean; ready: boolean;
  /** Human-readable reasons the service is not ready (empty when ready). */
  reasons: string[];
  draining: boolean;
}

export interface ServingApi {
  forecast(req: ForecastRequest, signal?: AbortSignal): Promise<ForecastResponse>;
  listSeries(opts: { offset: number; limit: number }): { total: number; items: SeriesSummary[] };
  getSeries(id: string): SeriesDetail | null;
  /** Tracked ids close to `id` (src/domain/similar-ids.ts; [] when none): the "did you mean" of every TC_SERIES_NOT_FOUND (forecast, GET /v1/series/{id}, recent_anomalies). */
  similarSeries(id: string): string[];
  recentAnomalies(opts: { series?: string; limit: number }): AnomalyRecord[];
  modelInfo(): ModelInfo;
  /** Roll back to the previous (or a named) model version; `pin` keeps it until unpinned. */
  rollback(opts: { version?: string; pin?: boolean }): Promise<ModelInfo>;
  /** Subscribe to live events; returns an unsubscribe function. */
  subscribe(listener: (e: LiveEvent) => void): () => void;
  health(): HealthState;
  /** True when new work should be refused (queue or event loop saturated, or draining). */
  overloaded(): { overloaded: boolean; retryAfterSeconds: number; reason?: string };
  /** Alert feedback (absent when anomaly detection is off). */
  readonly feedback?: FeedbackApi;
  /** Grouped incidents (absent when grouping is off). */
  readonly incidents?: IncidentsApi;
  /** Band quality across series (absent in servers built without it). */
  bandQualityOverview?(limit: number): BandQualityOverview;
  /** Series-state snapshots: what was written and restored (null when snapshots are off). */
  snapshotStatus?(): SnapshotStatus | null;
}

export type FeedbackApi = Pick<FeedbackService, 'give' | 'clear' | 'list'>;
export type SeriesFeedback = NonNullable<ReturnType<FeedbackService['seriesState']>>;
export interface IncidentsApi {
  list(opts: { state?: 'open' | 'closed'; group?: string; limit: number }): IncidentRecord[];
}

// ---------------------------------------------------------------------------------------------
// Anomaly scoring and pipeline events.
// ---------------------------------------------------------------------------------------------

/** One-step-ahead expectation for a tick, in the series' own units (the detector's own type). */
export type { Expectation };

/** Scores each tick against what was expected of it before it arrived (causal). */
export interface AnomalyScorer {
  /**
   * One call per scored feature per tick; `feature` names it (alerts and state are per feature).
   * `quiet`: a warm-up tick whose alert records are not published (the tail replayed after a
   * snapshot); the detector ignores it, the feedback gate does not release a hold on it.
   */
  observe(series: string, tsMs: number, value: number, expected: Expectation | null, feature?: string, quiet?: boolean): { score: number; event?: AnomalyEvent; gap?: number; missed?: number };
  forget(series: string): void;
  /** The series stepped back onto its true clock at `tsMs` after a tick stamped ahead (input.clockSkewMs): cooldowns run from here. */
  stepBack?(series: string, tsMs: number): void;
}

/**
 * One accepted tick as the pipeline processed it, for what learns from the stream (online
 * fine-tuning). The receiver owns the arrays.
 */
export interface TickObservation {
  series: string;
  ts: number;
  /** Values per feature in spec order, after carry-forward, in model space (series units; ln(value) for a feature in spec.logFeatures). */
  values: Float64Array;
  /**
   * Normalisation statistics per feature after this tick: a window ending at this tick is
   * z-normalised with them (the window store's, not a copy of its arithmetic).
   */
  mean: Float64Array;
  std: Float64Array;
  /** The median forecast for this tick (first target, model space like `values`) made before it arrived. */
  expected: number | null;
  /** Inside a firing alert or a confirmed anomaly: must not be learned from. */
  suppressed: boolean;
  /**
   * Readings the window store filled into the window just before this tick (`windows.fillMissed`:
   * the feed missed them; linear interpolation at the clock's times). Window rows for training
   * too, never a target or a forecast origin (default 0).
   */
  filled?: number;
}

/** Learns from the stream (the online fine-tuner); fed by the pipeline, tick by tick, in order. */
export interface TickLearner {
  observe(o: TickObservation): void;
  forget(series: string): void;
}

/** Ticks kept out of everything the service learns from (fine-tuning pairs, normalisation statistics), besides those inside a firing alert: e.g. confirmed anomalies. */
export interface LearningFilter {
  isSuppressed(series: string, tsMs: number): boolean;
}

export type TickOutcome = 'accepted' | 'late' | 'duplicate' | 'replaced' | 'merged' | 'incomplete' | 'dead_letter';

/** What the core reports; telemetry turns it into metrics, logs and spans. All optional. */
export interface PipelineObserver {
  /** `carried` (accepted): input.features indices of the features the series' previous tick lacked for good (carried forward; none came merged into it before this tick: WindowStore.push). `ahead`: accepted, stamped more than input.clockSkewMs ahead of when it was sent (WindowStore.push). `late` (outcome 'late'): the tick's series, ts and its series' last ts, for a rate-limited warning naming it (telemetry/late-tick-warning.ts). */
  tick?(outcome: TickOutcome, ahead?: boolean, late?: { series: string; tsMs: number; lastTs: number }, carried?: readonly number[]): void;
  deadLetter?(code: string, source: RawRecord['source']): void;
  /** Readings of a SenML pack taken as no tick (senml-codec.ts), by reason; the pack's other readings went on. */
  skipped?(counts: Readonly<Record<'not_numeric' | 'other_name' | 'name_case' | 'repeated', number>>): void;
  batch?(size: number, seconds: number, queueWaitSeconds: number): void;
  forecast?(series: string, tickToForecastSeconds: number): void;
  score?(series: string, score: number): void;
  anomaly?(record: AnomalyRecord): void;
  /** A scored feature's tick ended a gap in the series' event time (`intervals` typical intervals since the previous tick). */
  gap?(series: string, feature: string, intervals: number): void;
  /** `count` readings of a scored feature were missed just before this tick (a series read on a clock; docs/anomaly.md, step 0). */
  missedReadings?(series: string, feature: string, count: number): void;
  /** `evicted`: a series left (counted; `carried`: input.features indices its last tick lacked for good, WindowStore.carriedAtEviction); `forget`: drop telemetry's state for a series no longer held (also after a chunk in flight brought it back; counts nothing). */
  evicted?(series: string, reason: import('../domain/series-registry.ts').EvictionReason, carried?: readonly number[]): void;
  forget?(series: string): void;
  live?(event: LiveEvent): void;
  /** Live events have a subscriber now (absent: assume so). The per-tick ones are not built without one. */
  readonly subscribers?: number;
  backpressure?(paused: boolean, queued: number): void;
}

/** Tracing hooks: src/pipeline/tracer-port.ts (kept apart for this file's size). */
export type { PipelineTracer } from './tracer-port.ts';
