/**
 * The warning for series evicted at the cap (`windows.maxSeries`): with more distinct keys than
 * the cap, the least recently seen series goes each time a new one arrives, and a series evicted
 * before its window fills is never forecast — silently, but for this line, the `reason="cap"`
 * count of tickcast_series_evicted_total and the TickcastSeriesCapEvictions alert.
 *
 * Rate-limited: the first eviction at the cap is logged at once, later ones at most once per
 * `intervalMs` (a minute), each line with the count since the previous line. Evictions after the
 * last line are in the metric (no timer flushes them).
 */
export interface SeriesCapWarningOptions {
  logger: { warn(obj: object, msg: string): void };
  /** windows.maxSeries and its environment variable (config/env-name.ts), named in the line. */
  maxSeries: number;
  envVar: string;
  /** Least time between two lines (default 60 s). */
  intervalMs?: number;
  now?: () => number;
}

const KEY = 'windows.maxSeries';

export class SeriesCapWarning {
  readonly #o: SeriesCapWarningOptions;
  readonly #now: () => number;
  /** Evictions at the cap not yet reported in a line. */
  #count = 0;
  /** When the last line was logged (null: none yet). */
  #lastAt: number | null = null;

  constructor(o: SeriesCapWarningOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  /** One series was evicted at the cap. */
  evicted(): void {
    this.#count++;
    const now = this.#now();
    const interval = this.#o.intervalMs ?? 60_000;
    if (this.#lastAt !== null && now - this.#lastAt < interval) return;
    const since = this.#lastAt === null ? 'start' : `the last warning ${Math.round((now - this.#lastAt) / 1000)} s ago`;
    this.#o.logger.warn(
      { evicted: this.#count, maxSeries: this.#o.maxSeries, setting: KEY, env: this.#o.envVar },
      `series cap reached: ${this.#count} series evicted at ${KEY} = ${this.#o.maxSeries} since ${since}; ` +
        'the least recently seen series goes for each new one, and a series evicted before its window fills is never forecast. ' +
        `Raise ${KEY} (${this.#o.envVar}) if the keys are real series (memory grows with it), or find where the extra keys come from (tickcast_series_evicted_total{reason="cap"}).`,
    );
    this.#count = 0;
    this.#lastAt = now;
  }
}
