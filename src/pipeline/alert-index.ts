/**
 * A bounded index of recent firing alerts by id, so feedback can name an alert by the id on its
 * record. Least recently indexed go first beyond `capacity`. Kept across a restart in the
 * series-state snapshot (`exportState`/`importState`, docs/reliability.md): an alert that fired
 * before the restart and resolved since, or the warning of an alert since escalated, is still found
 * (alerts fired in the tail replayed after the snapshot are indexed as they are replayed). Only
 * what feedback needs is kept per alert: series, ts, score, view and feature. Resolved records that
 * name their firing record (`firingId`) are kept too, as their id → that id (`firingIdOf`): feedback
 * given on a resolve's id applies to its alert (since 6 Dec 2026; before, a 404).
 */
import type { AnomalyAlertRecord } from '../domain/anomaly/index.ts';

/** An alert record with its id (the same shape as ports.ts's AnomalyRecord; kept here so the index does not import the ports). */
type AnomalyRecord = AnomalyAlertRecord & { kind?: 'alert'; id?: string };

/** What the index keeps of an alert. */
export interface IndexedAlert {
  series: string;
  ts: number;
  score: number;
  /** The view of surprise that set the alert's score, when known. */
  view?: string;
  /** The feature whose alert it is (multivariate series), when the record names one. */
  feature?: string;
}

/** Layout version of the saved state (absent or another: not installed). */
export const ALERT_INDEX_LAYOUT = 1;

/**
 * The saved state: alerts oldest first, each [id, series, ts, score, view?, feature?] (view null
 * when only the feature is known). The feature was added on 6 Dec 2026 without a new layout: a
 * release before reads the first five and ignores it.
 */
export interface AlertIndexState {
  v: number;
  alerts: Array<[string, string, number, number, (string | null)?, string?]>;
  /** Resolved records' ids and the firing ids they name, oldest first (since 6 Dec 2026; absent when none: a release before ignores it). */
  resolved?: Array<[string, string]>;
}

export class AlertIndex {
  readonly #byId = new Map<string, IndexedAlert>();
  /** Resolved record id → the id of the firing record it closes (as bounded as `#byId`). */
  readonly #firingOf = new Map<string, string>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer; got ${capacity}`);
  }

  get size(): number {
    return this.#byId.size;
  }

  add(rec: AnomalyRecord): void {
    if (rec.id === undefined) return;
    if (rec.state === 'firing') this.#put(rec.id, indexed(rec.series, rec.ts, rec.score, rec.view, rec.feature));
    else if (rec.firingId !== undefined) this.#alias(rec.id, rec.firingId);
  }

  get(id: string): IndexedAlert | undefined {
    return this.#byId.get(id);
  }

  /** The firing id a resolved record's `id` names (its `firingId`), when that record was indexed. */
  firingIdOf(resolvedId: string): string | undefined {
    return this.#firingOf.get(resolvedId);
  }

  /** The indexed alerts, oldest first, for the series-state snapshot (plain JSON). */
  exportState(): AlertIndexState {
    const alerts: AlertIndexState['alerts'] = [];
    for (const [id, a] of this.#byId) {
      if (a.feature !== undefined) alerts.push([id, a.series, a.ts, a.score, a.view ?? null, a.feature]);
      else alerts.push(a.view === undefined ? [id, a.series, a.ts, a.score] : [id, a.series, a.ts, a.score, a.view]);
    }
    return { v: ALERT_INDEX_LAYOUT, alerts, ...(this.#firingOf.size > 0 ? { resolved: [...this.#firingOf] } : {}) };
  }

  /**
   * Install alerts saved by `exportState` (at load, before the tail is replayed), the most recent
   * `capacity` of them; malformed entries are skipped, a state of another layout is ignored.
   * Returns how many are indexed from it.
   */
  importState(state: unknown): number {
    const s = state as Partial<AlertIndexState> | null | undefined;
    if (!s || s.v !== ALERT_INDEX_LAYOUT || !Array.isArray(s.alerts)) return 0;
    let n = 0;
    for (const e of s.alerts.slice(-this.capacity)) {
      if (!Array.isArray(e)) continue;
      const [id, series, ts, score, view, feature] = e as unknown[];
      if (typeof id !== 'string' || typeof series !== 'string' || !Number.isFinite(ts) || !Number.isFinite(score)) continue;
      this.#put(id, indexed(series, ts as number, score as number, typeof view === 'string' ? view : undefined, typeof feature === 'string' ? feature : undefined));
      n++;
    }
    for (const e of Array.isArray(s.resolved) ? s.resolved.slice(-this.capacity) : []) {
      if (Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'string') this.#alias(e[0], e[1]);
    }
    return n;
  }

  #alias(resolvedId: string, firingId: string): void {
    this.#firingOf.delete(resolvedId);
    this.#firingOf.set(resolvedId, firingId);
    if (this.#firingOf.size > this.capacity) this.#firingOf.delete(this.#firingOf.keys().next().value as string);
  }

  #put(id: string, a: IndexedAlert): void {
    this.#byId.delete(id);
    this.#byId.set(id, a);
    if (this.#byId.size > this.capacity) this.#byId.delete(this.#byId.keys().next().value as string);
  }
}

function indexed(series: string, ts: number, score: number, view: string | undefined, feature: string | undefined): IndexedAlert {
  const a: IndexedAlert = { series, ts, score };
  if (view !== undefined) a.view = view;
  if (feature !== undefined) a.feature = feature;
  return a;
}
