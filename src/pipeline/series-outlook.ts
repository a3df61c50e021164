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
  baseline?: { ts: number; model: string; horizon: ForecastStep[]; targets?: ForecastStep[][]; closedSteps?: readonly number[] } | null;
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
   * Changed only through SeriesOutlook (setOpen, closeOpen, closeAllOpen), which indexes it by id.
   */
  readonly open?: Readonly<Record<string, OpenAlert>>;
}

/** A published alert still firing: its last firing record (escalation included) and the feature's latest tick. */
export interface OpenAlert {
  /** The last firing record (JSON-able). */
  record: AnomalyRecord;
  /** Latest tick of the feature: event time and value. */
  ts: number;
  value: number;
}

const NONE: readonly string[] = Object.freeze([]);

/** Where an open alert lives: its series and feature. */
type OpenAt = { series: string; feature: string };

export class SeriesOutlook {
  readonly #entries = new Map<string, OutlookEntry>();
  /** Open alerts by record id: `openAlert` in O(1). Kept here, the only place `open` changes. */
  readonly #openById = new Map<string, OpenAt>();

  /** Series with an entry (diagnostics: app.stateSizes). */
  get size(): number {
    return this.#entries.size;
  }

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

  /**
   * The expectations the tick at `ts`, the series' last, was scored against (nextExpectations
   * then), read again for a reading merged into it: null when the forecast was made at or after
   * `ts` (the one before it is replaced; the detector falls back on its own expectation).
   */
  expectationsAt(series: string, ts: number): Array<ForecastStep | null> | null {
    const e = this.#entries.get(series);
    if (!e?.forecast || e.forecast.ts >= ts || e.ticksSince < 1) return null;
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

  /** A forecast's `targets` for the outlook: every target's steps, only for a multi-target model. */
  static targetsOf(steps: ForecastStep[][]): { targets?: ForecastStep[][] } {
    return steps.length > 1 ? { targets: steps } : {};
  }

  forget(series: string): void {
    this.closeAllOpen(series);
    this.#entries.delete(series);
  }

  /** The alert of `feature` fires: `o` is its last firing record (replacing an earlier one, e.g. before an escalation). */
  setOpen(series: string, feature: string, o: OpenAlert): void {
    const e = this.entry(series);
    this.#unindex(e, feature);
    const open = (e.open ?? {}) as Record<string, OpenAlert>;
    open[feature] = o;
    (e as { open?: Record<string, OpenAlert> }).open = open;
    if (o.record.id !== undefined) this.#openById.set(o.record.id, { series, feature });
  }

  /** The alert of `feature` is no longer open (resolved). */
  closeOpen(series: string, feature: string): void {
    const e = this.#entries.get(series);
    if (e?.open?.[feature] === undefined) return;
    this.#unindex(e, feature);
    const open = e.open as Record<string, OpenAlert>;
    delete open[feature];
    if (Object.keys(open).length === 0) (e as { open?: unknown }).open = undefined;
  }

  /** No alert of the series is open any more. */
  closeAllOpen(series: string): void {
    const e = this.#entries.get(series);
    if (e?.open === undefined) return;
    for (const feature of Object.keys(e.open)) this.#unindex(e, feature);
    (e as { open?: unknown }).open = undefined;
  }

  #unindex(e: OutlookEntry, feature: string): void {
    const id = e.open?.[feature]?.record.id;
    if (id !== undefined) this.#openById.delete(id);
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

  /** Whether the alert of `feature` is open (its firing published, its resolve not yet): the feedback gate reads "sent" here. */
  isOpen(series: string, feature: string): boolean {
    return this.#entries.get(series)?.open?.[feature] !== undefined;
  }

  /** Features of the series with an open alert. */
  openFeatures(series: string): readonly string[] {
    const open = this.#entries.get(series)?.open;
    return open === undefined ? NONE : Object.keys(open);
  }

  /** The firing record of an alert still open on some series, by id (an index lookup). */
  openAlert(id: string): AnomalyRecord | undefined {
    const at = this.#openById.get(id);
    if (at === undefined) return undefined;
    const rec = this.#entries.get(at.series)?.open?.[at.feature]?.record;
    return rec?.id === id ? rec : undefined;
  }

  /** Open alerts indexed (tests, and a check that the index follows `open`). */
  get openAlerts(): number {
    return this.#openById.size;
  }

  /** Install an entry from a snapshot (replaces what is there). */
  restore(series: string, e: OutlookEntry): void {
    this.closeAllOpen(series);
    // (A snapshot stores firingFeatures as an array.)
    const { open, ...rest } = e;
    this.#entries.set(series, { ...rest, firingFeatures: new Set(e.firingFeatures ?? []) });
    for (const [feature, o] of Object.entries(open ?? {})) this.setOpen(series, feature, o);
  }
}
