/**
 * What the service remembers per series for serving, besides its window: the last forecast (the
 * expectation for the next ticks), the last anomaly score, the alert state and the cold-start
 * baseline. Entries go when the series registry evicts the series (StreamPipeline follows it).
 * The recent anomaly records for the API are another kind of state: recent-anomalies.ts.
 */
import type { ForecastStep } from '../domain/types.ts';
import type { AnomalyRecord } from './ports.ts';

export interface OutlookEntry {
  /** `horizon`: the first target's steps; `targets`: every target's (multi-target models); `closedSteps`: those in hours the series is closed (only when any). */
  forecast: { ts: number; model: string; horizon: ForecastStep[]; targets?: ForecastStep[][]; closedSteps?: readonly number[] } | null;
  /** Accepted ticks since that forecast was made (1 → its step 1 is the expectation). */
  ticksSince: number;
  lastScore: number | null;
  /** Series-level alert state: firing while any of its features fires. */
  firing: boolean;
  /**
   * The last baseline forecast while the series was cold (window not full). Shown by the series
   * view until a model forecast exists; never used as the detector's expectation.
   */
  baseline?: { ts: number; model: string; horizon: ForecastStep[]; closedSteps?: readonly number[] } | null;
  /**
   * The forecast served at the last model forecast when it was not the model's: a baseline that
   * has done better on the series (src/domain/fusion). Shown by the series view; null when the
   * model's was served.
   */
  served?: (NonNullable<OutlookEntry['baseline']> & { replaces: string }) | null;
  /** Features whose alert is firing now. */
  firingFeatures: Set<string>;
  /**
   * Per firing feature, its last published firing record and the feature's latest tick: what the
   * `resolved` record published when the series is evicted while firing is made of (tick-alerts.ts).
   */
  open?: Record<string, OpenAlert>;
}

/** A published alert still firing: its last firing record (escalation included) and the feature's latest tick. */
export interface OpenAlert {
  /** The last firing record (JSON-able). */
  record: AnomalyRecord;
  /** Latest tick of the feature: event time and value. */
  ts: number;
  value: number;
}

export class SeriesOutlook {
  readonly #entries = new Map<string, OutlookEntry>();

  entry(series: string): OutlookEntry {
    let e = this.#entries.get(series);
    if (!e) {
      e = { forecast: null, ticksSince: 0, lastScore: null, firing: false, firingFeatures: new Set() };
      this.#entries.set(series, e);
    }
    return e;
  }

  peek(series: string): OutlookEntry | undefined {
    return this.#entries.get(series);
  }

  /**
   * Per-target steps that apply to the next accepted tick (index = target order), or null.
   * Advances the step: call it once per tick.
   */
  nextExpectations(series: string): Array<ForecastStep | null> | null {
    const e = this.#entries.get(series);
    if (!e || !e.forecast) return null;
    e.ticksSince++;
    const k = e.ticksSince - 1;
    return (e.forecast.targets ?? [e.forecast.horizon]).map((steps) => steps[k] ?? null);
  }

  /** Install the model's forecast (the expectation) and, when a baseline was served instead, that one. */
  setForecast(series: string, f: NonNullable<OutlookEntry['forecast']>, served: OutlookEntry['served'] = null): void {
    const e = this.entry(series);
    e.forecast = f;
    e.served = served;
    e.ticksSince = 0;
  }

  forget(series: string): void {
    this.#entries.delete(series);
  }

  /**
   * The series' detector starts afresh (a snapshot's detector state was not installed): nothing
   * fires now. Its open alerts stay in `open`, so TickAlerts resolves them (reason "reset").
   */
  detectorReset(series: string): void {
    const e = this.#entries.get(series);
    if (!e) return;
    e.firing = false;
    e.firingFeatures.clear();
  }

  /** The firing record of an alert still open on some series, by id (a scan: for a person's feedback, not per tick). */
  openAlert(id: string): AnomalyRecord | undefined {
    for (const e of this.#entries.values()) {
      if (e.open === undefined) continue;
      for (const o of Object.values(e.open)) if (o.record.id === id) return o.record;
    }
    return undefined;
  }

  /** Install an entry from a snapshot (replaces what is there). */
  restore(series: string, e: OutlookEntry): void {
    // (A snapshot stores firingFeatures as an array.)
    this.#entries.set(series, { ...e, firingFeatures: new Set(e.firingFeatures ?? []) });
  }
}
