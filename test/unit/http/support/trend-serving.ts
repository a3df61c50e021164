/**
 * A small but real ServingApi for HTTP tests: forecasts come from a least-squares linear trend
 * fitted to the window, with quantile bands from the residual spread (so answers depend on the
 * input and assertions can check numbers). Series are fed with `ingest()`, which emits live
 * events and raises an anomaly when a value falls outside the last one-step forecast band.
 * Saturation and draining can be switched on to test load shedding.
 */
import { TickcastError, ErrorCodes } from '../../../../src/errors/index.ts';
import { seriesNotFound } from '../../../../src/errors/index.ts';
import { similarIds } from '../../../../src/domain/similar-ids.ts';
import type {
  AnomalyRecord,
  ForecastRequest,
  ForecastResponse,
  HealthState,
  LiveEvent,
  ModelInfo,
  SeriesDetail,
  SeriesSummary,
  ServingApi,
} from '../../../../src/pipeline/ports.ts';

const Z90 = 1.2815515655446004;
const STEP_MS = 1000;

export function trendForecast(values: number[], horizon: number, startTs: number): ForecastResponse['horizon'] {
  const n = values.length;
  const mx = (n - 1) / 2;
  const my = values.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - mx) * (values[i] - my);
    sxx += (i - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - (my + slope * (i - mx))) ** 2;
  const sigma = Math.sqrt(ss / Math.max(1, n - 2)) || 1e-6;
  return Array.from({ length: horizon }, (_, k) => {
    const step = k + 1;
    const p50 = my + slope * (n - 1 + step - mx);
    const w = Z90 * sigma * Math.sqrt(step);
    return { step, ts: startTs + step * STEP_MS, p10: p50 - w, p50, p90: p50 + w };
  });
}

interface SeriesState {
  ts: number[];
  values: number[];
  lastForecast: { ts: number; model: string; horizon: ForecastResponse['horizon'] } | null;
  anomalyState: 'normal' | 'firing';
  lastScore: number | null;
}

export class TrendServing implements ServingApi {
  readonly modelHorizon = 8;
  readonly modelWindow = 16;
  version = 'trend-v2';
  versions = ['trend-v2', 'trend-v1'];
  pinned = false;
  /** GET /v1/model's servingSinceMs: when `version` began serving (a test that promotes sets it). */
  servingSinceMs = Date.UTC(2026, 11, 6, 9);
  saturated = false;
  draining = false;
  ready = true;
  forecastCalls = 0;
  /** Extra latency per forecast, ms (to hold requests in flight). */
  delayMs = 0;
  readonly #series = new Map<string, SeriesState>();
  readonly #anomalies: AnomalyRecord[] = [];
  readonly #listeners = new Set<(e: LiveEvent) => void>();

  get listenerCount(): number {
    return this.#listeners.size;
  }

  async forecast(req: ForecastRequest, signal?: AbortSignal): Promise<ForecastResponse> {
    this.forecastCalls++;
    signal?.throwIfAborted();
    await new Promise((r) => setImmediate(r)); // like a micro-batcher: answer on a later turn
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    let values: number[];
    let startTs = Date.now();
    if (req.series !== undefined) {
      const s = this.#series.get(req.series);
      if (s === undefined) throw seriesNotFound(req.series, this.similarSeries(req.series)); // the real serving's error
      if (s.values.length < 2) throw new TickcastError(ErrorCodes.SERIES_NOT_READY, `series "${req.series}" has ${s.values.length} ticks; needs 2`, { statusCode: 409, retriable: true });
      values = s.values.slice(-this.modelWindow);
      startTs = s.ts[s.ts.length - 1];
    } else {
      const w = req.window!;
      values = (Array.isArray(w[0]) ? (w as number[][]).map((row) => row[0]) : (w as number[])).slice();
      if (values.length < 2) {
        throw new TickcastError(ErrorCodes.MODEL_INPUT_SHAPE, `window has ${values.length} value(s); send at least 2`, { statusCode: 400 });
      }
    }
    const horizon = Math.min(req.horizon ?? this.modelHorizon, this.modelHorizon);
    const res: ForecastResponse = { model: this.version, horizon: trendForecast(values, horizon, startTs) };
    if (req.series !== undefined) res.series = req.series;
    if (req.explain) {
      const raw = values.map((_, i) => i + 1);
      const sum = raw.reduce((a, b) => a + b, 0);
      res.attention = raw.map((r) => r / sum);
    }
    return res;
  }

  /** Feed one tick: updates the window, emits tick/forecast (and anomaly) events; `closedSteps` goes on the forecast event as the pipeline's would. */
  ingest(series: string, ts: number, value: number, closedSteps?: number[]): void {
    let s = this.#series.get(series);
    if (s === undefined) {
      s = { ts: [], values: [], lastForecast: null, anomalyState: 'normal', lastScore: null };
      this.#series.set(series, s);
    }
    // Score only once the forecast came from a reasonably full window (like a real model's warm-up).
    const band = s.values.length >= this.modelWindow ? s.lastForecast?.horizon[0] : undefined;
    s.ts.push(ts);
    s.values.push(value);
    if (s.values.length > 256) {
      s.ts.shift();
      s.values.shift();
    }
    this.#emit({ type: 'tick', series, ts, value });
    if (band !== undefined) {
      const half = (band.p90 - band.p10) / 2 || 1e-6;
      const score = Math.abs(value - band.p50) / half;
      s.lastScore = score;
      if (score > 3) {
        const rec: AnomalyRecord = {
          series, ts, value, expected: band.p50, lower: band.p10, upper: band.p90, score,
          severity: score > 6 ? 'critical' : 'warning', state: 'firing', model: this.version,
        };
        s.anomalyState = 'firing';
        this.#anomalies.unshift(rec);
        this.#emit({ type: 'anomaly', record: rec });
      } else {
        s.anomalyState = 'normal';
      }
    }
    if (s.values.length >= 2) {
      // Forecast from the trend of the window *excluding* anomalous points would be nicer; keep simple.
      const horizon = trendForecast(s.values.slice(-this.modelWindow), this.modelHorizon, ts);
      s.lastForecast = { ts, model: this.version, horizon };
      this.#emit({ type: 'forecast', series, ts, model: this.version, horizon, ...(closedSteps ? { closedSteps } : {}) });
    }
  }

  /** Record and stream an alert record as given (a resolve, a per-feature alert), as the pipeline's alert path does. */
  raise(rec: AnomalyRecord): void {
    this.#anomalies.unshift(rec);
    this.#emit({ type: 'anomaly', record: rec });
  }

  /** Forget a series, as the registry's idle or cap eviction does. */
  evict(series: string): void {
    this.#series.delete(series);
  }

  #emit(e: LiveEvent): void {
    for (const l of this.#listeners) l(e);
  }

  listSeries(opts: { offset: number; limit: number }): { total: number; items: SeriesSummary[] } {
    const all = [...this.#series.keys()].sort().map((id) => this.#summary(id, this.#series.get(id)!));
    return { total: all.length, items: all.slice(opts.offset, opts.offset + opts.limit) };
  }

  #summary(id: string, s: SeriesState): SeriesSummary {
    return { id, ticks: s.values.length, lastTs: s.ts.at(-1) ?? null, ready: s.values.length >= 2, anomalyState: s.anomalyState };
  }

  similarSeries(id: string): string[] {
    return similarIds(id, this.#series.keys());
  }

  hasSeries(id: string): boolean {
    return this.#series.has(id);
  }

  getSeries(id: string): SeriesDetail | null {
    const s = this.#series.get(id);
    if (s === undefined) return null;
    return { ...this.#summary(id, s), window: { ts: [...s.ts], values: { price: [...s.values] }, filled: [], carried: {} }, lastForecast: s.lastForecast, lastScore: s.lastScore, lateTicks: 0 };
  }

  recentAnomalies(opts: { series?: string; limit: number }): AnomalyRecord[] {
    return this.#anomalies.filter((a) => opts.series === undefined || a.series === opts.series).slice(0, opts.limit);
  }

  modelInfo(): ModelInfo {
    return {
      version: this.version,
      engine: 'trend',
      backend: 'js',
      spec: { window: this.modelWindow, features: ['price'], targets: ['price'], horizon: this.modelHorizon, quantiles: [0.1, 0.5, 0.9] },
      versions: [...this.versions],
      pinned: this.pinned,
      servingSinceMs: this.servingSinceMs,
    };
  }

  async rollback(opts: { version?: string; pin?: boolean }): Promise<ModelInfo> {
    const target = opts.version ?? this.versions[this.versions.indexOf(this.version) + 1];
    if (target === undefined || !this.versions.includes(target)) {
      throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `no model version "${String(target)}" to roll back to`, {
        statusCode: 404,
        details: { available: this.versions, hint: 'pick one of the available versions (GET /v1/model)' },
      });
    }
    this.version = target;
    this.servingSinceMs = Date.now();
    this.pinned = opts.pin ?? false;
    return this.modelInfo();
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  health(): HealthState {
    const reasons: string[] = [];
    if (!this.ready) reasons.push('model not loaded');
    if (this.draining) reasons.push('draining');
    return { live: true, ready: this.ready && !this.draining, reasons, draining: this.draining };
  }

  overloaded(): { overloaded: boolean; retryAfterSeconds: number; reason?: string } {
    return this.saturated ? { overloaded: true, retryAfterSeconds: 2, reason: 'inference queue full' } : { overloaded: false, retryAfterSeconds: 0 };
  }
}
