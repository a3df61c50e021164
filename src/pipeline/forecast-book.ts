/**
 * What the service remembers per series besides its window: the last forecast (the expectation
 * for the next ticks), the last anomaly score and alert state; plus a bounded ring of recent
 * anomaly records for the API. Entries go when the window store evicts the series.
 */
import type { ForecastStep } from '../domain/types.ts';
import type { AnomalyRecord } from './ports.ts';

export interface BookEntry {
  /** `horizon`: the first target's steps; `targets`: every target's (multi-target models). */
  forecast: { ts: number; model: string; horizon: ForecastStep[]; targets?: ForecastStep[][] } | null;
  /** Accepted ticks since that forecast was made (1 → its step 1 is the expectation). */
  ticksSince: number;
  lastScore: number | null;
  /** Series-level alert state: firing while any of its features fires. */
  firing: boolean;
  /**
   * The last baseline forecast while the series was cold (window not full). Shown by the series
   * view until a model forecast exists; never used as the detector's expectation.
   */
  baseline?: { ts: number; model: string; horizon: ForecastStep[] } | null;
  /** Features whose alert is firing now. */
  firingFeatures: Set<string>;
}

export class ForecastBook {
  readonly #entries = new Map<string, BookEntry>();
  readonly #anomalies: AnomalyRecord[] = [];
  readonly #maxAnomalies: number;

  constructor(maxAnomalies = 1000) {
    this.#maxAnomalies = maxAnomalies;
  }

  entry(series: string): BookEntry {
    let e = this.#entries.get(series);
    if (!e) {
      e = { forecast: null, ticksSince: 0, lastScore: null, firing: false, firingFeatures: new Set() };
      this.#entries.set(series, e);
    }
    return e;
  }

  peek(series: string): BookEntry | undefined {
    return this.#entries.get(series);
  }

  /** The forecast step that applies to the next accepted tick, or null. Advances the step. */
  nextExpectation(series: string): ForecastStep | null {
    const e = this.#entries.get(series);
    if (!e || !e.forecast) return null;
    e.ticksSince++;
    return e.forecast.horizon[e.ticksSince - 1] ?? null;
  }

  /**
   * Per-target steps that apply to the next accepted tick (index = target order), or null.
   * Advances the step, like `nextExpectation`; call one of the two once per tick.
   */
  nextExpectations(series: string): Array<ForecastStep | null> | null {
    const e = this.#entries.get(series);
    if (!e || !e.forecast) return null;
    e.ticksSince++;
    const k = e.ticksSince - 1;
    return (e.forecast.targets ?? [e.forecast.horizon]).map((steps) => steps[k] ?? null);
  }

  setForecast(series: string, f: { ts: number; model: string; horizon: ForecastStep[]; targets?: ForecastStep[][] }): void {
    const e = this.entry(series);
    e.forecast = f;
    e.ticksSince = 0;
  }

  addAnomaly(rec: AnomalyRecord): void {
    this.#anomalies.push(rec);
    if (this.#anomalies.length > this.#maxAnomalies) this.#anomalies.splice(0, this.#anomalies.length - this.#maxAnomalies);
  }

  recentAnomalies(series: string | undefined, limit: number): AnomalyRecord[] {
    const out: AnomalyRecord[] = [];
    for (let i = this.#anomalies.length - 1; i >= 0 && out.length < limit; i--) {
      if (series === undefined || this.#anomalies[i].series === series) out.push(this.#anomalies[i]);
    }
    return out;
  }

  forget(series: string): void {
    this.#entries.delete(series);
  }

  /** Install an entry from a snapshot (replaces what is there). */
  restore(series: string, e: BookEntry): void {
    // (A snapshot stores firingFeatures as an array.)
    this.#entries.set(series, { ...e, firingFeatures: new Set(e.firingFeatures ?? []) });
  }
}
