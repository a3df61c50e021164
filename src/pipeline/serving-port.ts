/**
 * The serving API: what the HTTP/MCP adapters (and the dashboard) need from the running service.
 * Implemented in src/pipeline/serving.ts on top of the window store, micro-batcher and detector.
 * Re-exported by ports.ts, which is what adapters import.
 */
import type { ForecastStep } from '../domain/types.ts';
import type { SnapshotStatus } from './snapshot/status.ts';
import type { AnomalyAlertRecord } from '../domain/anomaly/index.ts';
import type { FeedbackService } from './feedback-service.ts';
import type { IncidentRecord } from '../domain/incidents/incident-grouper.ts';
import type { BandQualityOverview, BandQualitySummary } from '../domain/band-quality.ts';
import type { FusionView } from '../domain/fusion/forecast-fusion.ts';
import type { SeriesResetResult } from './series-reset.ts';
export type { SeriesResetResult };

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
  /** Versions an automatic rollback saved again: the version copied (`restoredFrom`) and the one whose weights it holds (`origin`); a copy stands for its origin in the lineage. */
  restoredVersions?: { version: string; restoredFrom: string; origin: string }[];
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
  /** Whether this instance tracks `id`: getSeries without building (copying) its window, for the routes that only ask (GET /v1/anomalies?series=, recent_anomalies). */
  hasSeries(id: string): boolean;
  /** Tracked ids close to `id` (src/domain/similar-ids.ts; [] when none): the "did you mean" of every TC_SERIES_NOT_FOUND (forecast, GET /v1/series/{id}, recent_anomalies). */
  similarSeries(id: string): string[];
  recentAnomalies(opts: { series?: string; limit: number }): AnomalyRecord[];
  modelInfo(): ModelInfo;
  /** Roll back to the previous (or a named) model version; `pin` keeps it until unpinned. */
  rollback(opts: { version?: string; pin?: boolean }): Promise<ModelInfo>;
  /** Forget a series everywhere (its units too), resolving its open alerts with reason "reset"; null when not held (src/pipeline/series-reset.ts). */
  resetSeries?(id: string): Promise<SeriesResetResult | null>;
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
