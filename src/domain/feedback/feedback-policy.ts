/**
 * What feedback does to alerting, per series, in event time (tick timestamps, like the detector's
 * cooldowns), bounded and reversible. Pure bookkeeping: no clock, no I/O.
 *
 * - Each `false_positive` at alert time tᵢ with score sᵢ raises the series' bar to
 *   min(sᵢ + margin, ceiling) from tᵢ on, decaying back to the base with half-life H:
 *     bar(t) = base + maxᵢ (min(sᵢ + margin, ceiling) − base) · 2^(−(t − tᵢ)/H)   for tᵢ ≤ t.
 *   A new alert is let through only when its score reaches bar(t). The bar never exceeds
 *   `ceiling` (the critical threshold), so critical alerts always get through (the feedback gate
 *   also passes an alert of critical severity whose own tick scored lower: debounce).
 *   A false positive that names the view of surprise that set its score raises the bar for alerts
 *   from that view only: a wild first tick after learning (`never-seen-residual`) marked as noise
 *   does not mute the seasonal view's later alert on a missing daily bump. Likewise per feature of
 *   a multivariate series: a false positive on its `mem` alert does not raise the bar for `cpu`.
 * - Each `expected` suppresses the series' alerts with tᵢ ≤ t ≤ untilᵢ (a maintenance span).
 * - `confirmed` changes no alerting; it is remembered and listed.
 * Removing an entry (verdict `clear`, DELETE) removes its effect at once: the bar is recomputed
 * from the entries left. At most `maxPerSeries` entries per series and `maxEntries` in all are
 * kept; the oldest feedback goes first.
 */
import type { FeedbackEntry, Verdict } from './feedback.ts';

export interface FeedbackPolicySettings {
  /** Bar with no feedback: the detector's warning threshold. */
  baseBar: number;
  /** Highest the bar goes: the detector's critical threshold (app-alerting.ts; no setting of its own). */
  ceilingBar: number;
  /** A false positive at score s raises the bar to s + margin. */
  marginScore: number;
  /** Half-life of that raise, event time. */
  falsePositiveHalfLifeMs: number;
  maxPerSeries: number;
  maxEntries: number;
}

export type GateDecision = 'pass' | 'false_positive' | 'expected';

export interface SeriesFeedbackState {
  /** The bar an alert at `atTs` must reach. */
  bar: number;
  /** End of the maintenance span covering `atTs`, or null. */
  suppressedUntil: number | null;
  counts: Record<Verdict, number>;
}

export class FeedbackPolicy {
  readonly settings: Readonly<FeedbackPolicySettings>;
  /** Insertion order = recording order (re-inserted on update): the first key is the oldest. */
  readonly #byId = new Map<string, FeedbackEntry>();
  readonly #bySeries = new Map<string, FeedbackEntry[]>();

  constructor(settings: FeedbackPolicySettings) {
    if (!(settings.ceilingBar >= settings.baseBar)) throw new RangeError(`ceilingBar (${settings.ceilingBar}) must be ≥ baseBar (${settings.baseBar})`);
    this.settings = Object.freeze({ ...settings });
  }

  get size(): number {
    return this.#byId.size;
  }

  get(alertId: string): FeedbackEntry | undefined {
    return this.#byId.get(alertId);
  }

  /** Every entry in effect, in recording order (oldest first). */
  entries(): FeedbackEntry[] {
    return [...this.#byId.values()];
  }

  /** Record (or replace) the feedback on one alert; idempotent for an identical entry. */
  apply(e: FeedbackEntry): void {
    this.remove(e.alertId);
    this.#byId.set(e.alertId, e);
    const list = this.#bySeries.get(e.series) ?? [];
    list.push(e);
    this.#bySeries.set(e.series, list);
    if (list.length > this.settings.maxPerSeries) {
      const oldest = list.reduce((a, b) => (b.at < a.at ? b : a));
      this.remove(oldest.alertId);
    }
    while (this.#byId.size > this.settings.maxEntries) this.remove(this.#byId.keys().next().value as string);
  }

  /** Withdraw the feedback on one alert; returns what was removed. */
  remove(alertId: string): FeedbackEntry | undefined {
    const e = this.#byId.get(alertId);
    if (e === undefined) return undefined;
    this.#byId.delete(alertId);
    const list = this.#bySeries.get(e.series)!;
    const i = list.indexOf(e);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#bySeries.delete(e.series);
    return e;
  }

  /**
   * The bar an alert of `series` at event time `tsMs` must reach; `view`: the view of surprise that
   * set its score, `feature`: the feature that fired (undefined: any, so every false positive counts).
   */
  bar(series: string, tsMs: number, view?: string, feature?: string): number {
    const { baseBar, ceilingBar, marginScore, falsePositiveHalfLifeMs: h } = this.settings;
    let raise = 0;
    for (const e of this.#bySeries.get(series) ?? []) {
      if (e.verdict !== 'false_positive' || e.alertTs > tsMs) continue;
      if (view !== undefined && e.view !== undefined && e.view !== view) continue;
      if (feature !== undefined && e.feature !== undefined && e.feature !== feature) continue;
      const top = Math.min(e.score + marginScore, ceilingBar) - baseBar;
      const r = top * 2 ** (-(tsMs - e.alertTs) / h);
      if (r > raise) raise = r;
    }
    return Math.min(ceilingBar, baseBar + raise);
  }

  /**
   * Whether a tick is kept out of learning (fine-tuning pairs, normalisation statistics): it falls
   * in a maintenance span (`expected`) or is the tick of a confirmed anomaly. (The rest of a
   * confirmed anomaly is already kept out while its alert fires: docs/finetuning.md.)
   */
  learningExcluded(series: string, tsMs: number): boolean {
    for (const e of this.#bySeries.get(series) ?? []) {
      if (e.verdict === 'confirmed' && e.alertTs === tsMs) return true;
    }
    return this.suppressedUntil(series, tsMs) !== null;
  }

  /** End of the maintenance span covering `tsMs`, or null. */
  suppressedUntil(series: string, tsMs: number): number | null {
    let until: number | null = null;
    for (const e of this.#bySeries.get(series) ?? []) {
      if (e.verdict === 'expected' && e.alertTs <= tsMs && tsMs <= (e.untilTs ?? e.alertTs)) until = Math.max(until ?? -Infinity, e.untilTs ?? e.alertTs);
    }
    return until;
  }

  /** Whether an alert of `feature` of `series` firing at `tsMs` with `score`, set by `view`, goes out. A maintenance span holds every feature. */
  decide(series: string, tsMs: number, score: number, view?: string, feature?: string): GateDecision {
    if (!this.#bySeries.has(series)) return 'pass';
    if (this.suppressedUntil(series, tsMs) !== null) return 'expected';
    return score >= this.bar(series, tsMs, view, feature) ? 'pass' : 'false_positive';
  }

  state(series: string, atTs: number): SeriesFeedbackState {
    const counts: Record<Verdict, number> = { false_positive: 0, confirmed: 0, expected: 0 };
    for (const e of this.#bySeries.get(series) ?? []) counts[e.verdict]++;
    return { bar: this.bar(series, atTs), suppressedUntil: this.suppressedUntil(series, atTs), counts };
  }

  /** Entries, most recently recorded first, optionally filtered. */
  list(opts: { series?: string; verdict?: Verdict; limit: number }): FeedbackEntry[] {
    const src = opts.series !== undefined ? [...(this.#bySeries.get(opts.series) ?? [])].sort((a, b) => a.at - b.at) : [...this.#byId.values()];
    const out: FeedbackEntry[] = [];
    for (let i = src.length - 1; i >= 0 && out.length < opts.limit; i--) {
      if (opts.verdict === undefined || src[i].verdict === opts.verdict) out.push(src[i]);
    }
    return out;
  }

  /** Every entry, oldest recorded first (for compaction). */
  all(): FeedbackEntry[] {
    return [...this.#byId.values()];
  }
}
