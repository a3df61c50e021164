/**
 * Which series get a `tickcast_anomaly_score{series}` gauge: the opt-in list always, plus the
 * `k` highest-scoring other series. Without such a guard one label value per series would grow
 * Prometheus' series count without bound. Pure bookkeeping: the telemetry layer calls `observe`
 * per scored tick and, on each scrape, `select()`, then sets the gauge for `set` and removes the
 * label values in `remove` (series that dropped out of the selection since the last scrape).
 */
export interface TopKGaugeOptions {
  /** Highest-scoring series exported besides the opt-in list. 0: only the opt-in list. */
  k: number;
  /** Series always exported while they have a score. */
  optIn?: readonly string[];
  /** Latest scores kept at most (least recently observed dropped first). */
  maxTracked?: number;
}

export interface GaugeSelection {
  set: Array<{ series: string; score: number }>;
  remove: string[];
}

export class TopKSeriesGauge {
  private readonly k: number;
  private readonly optIn: ReadonlySet<string>;
  private readonly maxTracked: number;
  private readonly latest = new Map<string, number>();
  private exported = new Set<string>();

  constructor(opts: TopKGaugeOptions) {
    if (!Number.isInteger(opts.k) || opts.k < 0) throw new RangeError(`k must be an integer ≥ 0; got ${opts.k}`);
    this.k = opts.k;
    this.optIn = new Set(opts.optIn ?? []);
    this.maxTracked = opts.maxTracked ?? 100_000;
  }

  observe(series: string, score: number): void {
    this.latest.delete(series);
    this.latest.set(series, score);
    if (this.latest.size > this.maxTracked) this.latest.delete(this.latest.keys().next().value as string);
  }

  forget(series: string): void {
    this.latest.delete(series);
  }

  /** The series to export now (opt-in first, then by score, ties by name) and those to remove. */
  select(): GaugeSelection {
    const set: GaugeSelection['set'] = [];
    const top: Array<{ series: string; score: number }> = [];
    for (const [series, score] of this.latest) {
      if (this.optIn.has(series)) {
        set.push({ series, score });
        continue;
      }
      if (this.k === 0) continue;
      if (top.length < this.k) {
        top.push({ series, score });
        if (top.length === this.k) top.sort(byScore);
      } else if (byScore({ series, score }, top[top.length - 1]) < 0) {
        top[top.length - 1] = { series, score };
        top.sort(byScore);
      }
    }
    top.sort(byScore);
    set.push(...top);
    const now = new Set(set.map((x) => x.series));
    const remove = [...this.exported].filter((s) => !now.has(s));
    this.exported = now;
    return { set, remove };
  }
}

function byScore(a: { series: string; score: number }, b: { series: string; score: number }): number {
  return b.score - a.score || (a.series < b.series ? -1 : a.series > b.series ? 1 : 0);
}
