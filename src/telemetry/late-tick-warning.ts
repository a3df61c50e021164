/**
 * The warning for late ticks (older than their series' last one, dropped): the metric
 * tickcast_ticks_total{result="late"} counts them but names no series (a series label would be
 * unbounded), so without this line an SRE could not tell which device's clock stepped back.
 *
 * Bounded: at most one line per series per `intervalMs` (a minute), each with the late ticks of
 * that series since its previous line; at most `maxLines` lines per `intervalMs` in all, the next
 * line after a full interval counting those left out (`suppressed`). At most `maxSeries` series are
 * remembered; past that the oldest go (such a series may be named again sooner). Late ticks after
 * a series' last line are in the series' count (GET /v1/series/{id}, `lateTicks`) and the metric.
 */
export interface LateTickWarningOptions {
  logger: { warn(obj: object, msg: string): void };
  /** Least time between two lines about one series, and the span of the global cap (default 60 s). */
  intervalMs?: number;
  /** Most lines per interval, all series together (default 20). */
  maxLines?: number;
  /** Most series remembered (default 10 000). */
  maxSeries?: number;
  now?: () => number;
}

/** A late tick: its series, its ts and its series' last ts (epoch ms). */
export interface LateTick {
  series: string;
  tsMs: number;
  lastTs: number;
}

interface Seen {
  /** When the series was last named. */
  at: number;
  /** Its late ticks since (not named in a line yet). */
  late: number;
}

export class LateTickWarning {
  readonly #logger: LateTickWarningOptions['logger'];
  readonly #now: () => number;
  readonly #interval: number;
  readonly #maxLines: number;
  readonly #maxSeries: number;
  /** Per series, oldest line first (a Map keeps insertion order; a series named again moves to the end). */
  readonly #seen = new Map<string, Seen>();
  #windowAt = -Infinity;
  #lines = 0;
  /** Lines left out by the global cap, not yet reported. */
  #suppressed = 0;

  constructor(o: LateTickWarningOptions) {
    this.#logger = o.logger;
    this.#now = o.now ?? Date.now;
    this.#interval = o.intervalMs ?? 60_000;
    this.#maxLines = o.maxLines ?? 20;
    this.#maxSeries = o.maxSeries ?? 10_000;
  }

  /** A tick was dropped as late. */
  late(t: LateTick): void {
    const now = this.#now();
    const seen = this.#seen.get(t.series);
    if (seen !== undefined && now - seen.at < this.#interval) {
      seen.late++;
      return;
    }
    if (now - this.#windowAt >= this.#interval) [this.#windowAt, this.#lines] = [now, 0];
    if (this.#lines >= this.#maxLines) {
      this.#suppressed++;
      return;
    }
    this.#lines++;
    const count = (seen?.late ?? 0) + 1;
    this.#remember(t.series, now);
    const lateByMs = t.lastTs - t.tsMs;
    const suppressed = this.#suppressed;
    this.#suppressed = 0;
    this.#logger.warn(
      { series: t.series, ts: iso(t.tsMs), lastTs: iso(t.lastTs), lateByMs, lateTicks: count, ...(suppressed > 0 ? { suppressed } : {}) },
      `late tick dropped: series ${JSON.stringify(t.series)} sent ts ${iso(t.tsMs)}, ${lateByMs} ms before its last accepted tick (${iso(t.lastTs)}); ` +
        `${count} late tick(s) of this series since the last line about it. ` +
        'Its clock stepped back, or it re-sends old readings, or a tick stamped ahead moved it forward (docs/runbook.md § Routine operations ("Late ticks"))' +
        (suppressed > 0 ? `; ${suppressed} line(s) about other series were left out (at most ${this.#maxLines} per ${this.#interval / 1000} s)` : ''),
    );
  }

  #remember(series: string, now: number): void {
    this.#seen.delete(series);
    this.#seen.set(series, { at: now, late: 0 });
    for (const oldest of this.#seen.keys()) {
      if (this.#seen.size <= this.#maxSeries) break;
      this.#seen.delete(oldest);
    }
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
