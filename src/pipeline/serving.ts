/**
 * The serving API behind HTTP, MCP and the dashboard, built on the same parts as the stream: the
 * window store (server-held windows), the inference stage (so concurrent requests share batches
 * with the stream), the series outlook (last forecasts, scores) and the recent anomalies.
 */
import type { SnapshotStatus } from './snapshot/status.ts';
import { ErrorCodes, TickcastError, seriesNotFound } from '../errors/index.ts';
import { decodeForecast } from '../domain/forecast.ts';
import { similarIds } from '../domain/similar-ids.ts';
import { logMask } from '../domain/model-spec.ts';
import type { WindowStore } from '../domain/window-store.ts';
import { SortedSeriesIds } from '../domain/sorted-series.ts';
import type { OutlookEntry, SeriesOutlook } from './series-outlook.ts';
import { namedTargets } from './out-messages.ts';
import { alignedAttention, normalise, toModelSpace, toRows } from './request-window.ts';
import type { ForecastFusion } from '../domain/fusion/forecast-fusion.ts';
import type { ForecastFloor } from '../domain/forecast-floor.ts';
import type { RecentAnomalies } from './recent-anomalies.ts';
import type { InferenceStage } from './inference.ts';
import { resetSeries, type SeriesResetResult } from './series-reset.ts';
import type { FeedbackService } from './feedback-service.ts';
import type { BandQualityOverview, BandQualityTracker } from '../domain/band-quality.ts';
import type {
  AnomalyRecord,
  ForecastRequest,
  ForecastResponse,
  HealthState,
  IncidentsApi,
  LiveEvent,
  ModelControl,
  ModelInfo,
  SeriesDetail,
  SeriesSummary,
  ServingApi,
} from './ports.ts';

export interface ServingDeps {
  store: WindowStore;
  outlook: SeriesOutlook;
  recentAnomalies: RecentAnomalies;
  inference: InferenceStage;
  model: ModelControl;
  subscribe: (listener: (e: LiveEvent) => void) => () => void;
  health: () => HealthState;
  /** Windows queued for inference above which HTTP requests are shed. */
  maxQueued: number;
  feedback?: FeedbackService;
  incidents?: IncidentsApi;
  bandQuality?: BandQualityTracker;
  /** Series with fewer realised ticks are left out of the overview. */
  bandQualityMinTicks?: number;
  /** The snapshotter's status (absent when snapshots are off). */
  snapshots?: { status(): SnapshotStatus; requestSnapshot?(): Promise<unknown> };
  /** Fusion with fast baselines (absent or null: off): the series view says what is served and why. */
  fusion?: ForecastFusion | null;
  /** Forecasts of non-negative targets raised to 0 (input.nonNegative; absent or null: none). */
  floor?: ForecastFloor | null;
  /** Send the resolves of a reset series now (StreamPipeline.flushDeparted); absent: with the next chunk. */
  flushDeparted?: () => Promise<number>;
}

export class ServingService implements ServingApi {
  readonly #d: ServingDeps;
  /** Series ids kept sorted for listing (made at the first listing). */
  #sorted: SortedSeriesIds | null = null;

  constructor(deps: ServingDeps) {
    this.#d = deps;
  }

  async forecast(req: ForecastRequest, signal?: AbortSignal): Promise<ForecastResponse> {
    const d = this.#d;
    const spec = d.inference.spec;
    const W = spec.window;
    const F = spec.features.length;
    const steps = req.horizon ?? spec.horizon;
    if (!Number.isInteger(steps) || steps < 1 || steps > spec.horizon) {
      throw new TickcastError(ErrorCodes.HTTP_BAD_REQUEST, `horizon must be an integer from 1 to ${spec.horizon} (the model's horizon); got ${req.horizon}`, { statusCode: 400 });
    }
    const targetIdx = spec.targets.map((t) => spec.features.indexOf(t));
    const x = new Float32Array(W * F);
    let mean: Float64Array;
    let std: Float64Array;
    let times: readonly number[];
    if (req.series !== undefined) {
      if (!d.store.has(req.series)) throw seriesNotFound(req.series, this.similarSeries(req.series));
      const stats = d.store.snapshot(req.series, x, 0);
      if (!stats) {
        throw new TickcastError(ErrorCodes.SERIES_NOT_READY, `series "${req.series}" has ${d.store.ticks(req.series)} of the ${W} ticks a forecast needs; wait for more ticks or send "window"`, { statusCode: 409, retriable: true });
      }
      ({ mean, std } = stats);
      times = d.store.stepTimes(req.series, d.store.lastTs(req.series)!, spec.horizon);
    } else if (req.window !== undefined) {
      const rows = toModelSpace(toRows(req.window, W, spec.features), logMask(spec), spec.features);
      ({ mean, std } = normalise(rows, x, F));
      times = [];
    } else {
      throw new TickcastError(ErrorCodes.HTTP_BAD_REQUEST, 'send either "window" (the last values, oldest first) or "series" (a series id the service holds)', { statusCode: 400 });
    }
    // A caller is refused (503) rather than queued behind a saturated batcher; if it hangs up while
    // its window is still queued, the window is dropped.
    const r = await d.inference.submit({ x, attention: req.explain === true }, { signal, whenFull: 'refuse' });
    const perTarget = decodeForecast(r.y, 0, spec, targetIdx, mean, std, times, steps);
    d.floor?.apply(perTarget);
    const res: ForecastResponse = { model: r.model, horizon: perTarget[0] };
    if (req.series !== undefined) {
      res.series = req.series;
      const closed = d.store.closedSteps(req.series, times.slice(0, steps));
      if (closed.length > 0) res.closedSteps = closed;
    } else for (const s of res.horizon) delete (s as Record<string, number>).ts; // no timeline for a bare window
    if (spec.targets.length > 1) res.targets = Object.fromEntries(spec.targets.map((t, i) => [t, perTarget[i]]));
    if (req.explain && r.attention) res.attention = alignedAttention(r.attention, req.window?.length ?? W);
    return res;
  }

  listSeries(opts: { offset: number; limit: number }): { total: number; items: SeriesSummary[] } {
    this.#sorted ??= new SortedSeriesIds(this.#d.store.registry);
    const ids = this.#sorted.ids();
    return { total: ids.length, items: ids.slice(opts.offset, opts.offset + opts.limit).map((id) => this.#summary(id)) };
  }

  resetSeries(id: string): Promise<SeriesResetResult | null> {
    const snaps = this.#d.snapshots;
    const persist = snaps?.requestSnapshot ? () => snaps.requestSnapshot!() : undefined;
    return resetSeries({ store: this.#d.store, openAlerts: this.#d.outlook, flush: this.#d.flushDeparted, persist }, id);
  }

  similarSeries(id: string): string[] {
    return similarIds(id, this.#d.store.ids());
  }

  hasSeries(id: string): boolean {
    return this.#d.store.has(id);
  }

  getSeries(id: string): SeriesDetail | null {
    const d = this.#d;
    const recent = d.store.recent(id);
    if (!recent) return null;
    const features = d.inference.spec.features;
    const values: Record<string, number[]> = {};
    const carried: Record<string, number> = {};
    features.forEach((f, i) => {
      values[f] = recent.values.map((row) => row[i]);
      if (recent.carried[i] > 0) carried[f] = recent.carried[i];
    });
    const e = d.outlook.peek(id);
    const summary = this.#summary(id);
    // A cold series' baseline only while it is cold: a window filled by a warm-up replay (no model run) made none since.
    const last = e?.served ?? e?.forecast ?? (summary.ready ? null : e?.baseline) ?? null;
    const detail: SeriesDetail = { ...summary, window: { ts: recent.ts, values, filled: recent.filled, ...(recent.closedHours ? { closedHours: recent.closedHours } : {}), carried }, lastForecast: shownForecast(last, d.inference.spec.targets), lastScore: e?.lastScore ?? null, lateTicks: recent.late };
    const fb = d.feedback?.seriesState(id, d.store.lastTs(id) ?? 0);
    if (fb) detail.feedback = fb;
    const bq = d.bandQuality?.get(id);
    if (bq) detail.bandQuality = bq;
    const fusion = e?.forecast ? d.fusion?.view(id, e.forecast.model) : undefined;
    if (fusion) detail.fusion = fusion;
    return detail;
  }

  get feedback(): FeedbackService | undefined {
    return this.#d.feedback;
  }

  get incidents(): IncidentsApi | undefined {
    return this.#d.incidents;
  }

  bandQualityOverview(limit: number): BandQualityOverview {
    const d = this.#d;
    if (!d.bandQuality) return { nominal: 0, windowTicks: 0, series: 0, meanCoverage: null, worst: [] };
    return d.bandQuality.overview(limit, d.bandQualityMinTicks ?? 1);
  }

  snapshotStatus(): SnapshotStatus | null {
    return this.#d.snapshots?.status() ?? null;
  }

  recentAnomalies(opts: { series?: string; limit: number }): AnomalyRecord[] {
    return this.#d.recentAnomalies.list(opts.series, opts.limit);
  }

  modelInfo(): ModelInfo {
    return this.#d.model.info();
  }

  rollback(opts: { version?: string; pin?: boolean }): Promise<ModelInfo> {
    return this.#d.model.rollback(opts);
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    return this.#d.subscribe(listener);
  }

  health(): HealthState {
    return this.#d.health();
  }

  overloaded(): { overloaded: boolean; retryAfterSeconds: number; reason?: string } {
    const h = this.#d.health();
    if (h.draining) return { overloaded: true, retryAfterSeconds: 5, reason: 'the service is shutting down' };
    const q = this.#d.inference.queued;
    if (q > this.#d.maxQueued) return { overloaded: true, retryAfterSeconds: 1, reason: `inference queue is full (${q} windows waiting)` };
    return { overloaded: false, retryAfterSeconds: 0 };
  }

  #summary(id: string): SeriesSummary {
    const d = this.#d;
    const e = d.outlook.peek(id);
    return { id, ticks: d.store.ticks(id), lastTs: d.store.lastTs(id), ready: d.store.isReady(id), anomalyState: e?.firing ? 'firing' : 'normal', anomalyFeatures: e ? [...e.firingFeatures].sort() : [] };
  }
}

/** A forecast the outlook keeps, as the series view shows it: `targets` by name, as on the forecasts topic (docs/schemas.md). */
function shownForecast(f: NonNullable<OutlookEntry['baseline']> & { replaces?: string } | null, names: readonly string[]): SeriesDetail['lastForecast'] {
  if (f === null) return null;
  const { targets, ...rest } = f;
  return targets ? { ...rest, ...namedTargets({ targets: names }, targets) } : rest;
}
