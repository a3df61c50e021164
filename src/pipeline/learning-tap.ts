/**
 * Learning in the stream: which ticks the window store's statistics and the learner (online
 * fine-tuning) may learn from, and feeding the learner. A tick is kept out of the statistics when
 * its series' alert was firing after the previous chunk or the learning filter says so (confirmed
 * anomalies); it still enters its window. After scoring, a tick on which an alert fires is taken
 * back out. The learner gets every accepted tick with its values, the statistics after it, the
 * forecast made for it, whether it was suppressed and how many missed readings the window store
 * filled in before it, all in model space (ln(value) for a feature in spec.logFeatures).
 */
import type { ForecastStep, Tick } from '../domain/types.ts';
import type { WindowStore } from '../domain/window-store.ts';
import type { LearningFilter, TickLearner } from './ports.ts';
import type { SeriesOutlook } from './series-outlook.ts';

/** A tick's values and the window store's statistics right after it, and the readings it filled in before it (what the learner sees). */
export type LearnerView = { values: Float64Array; mean: Float64Array; std: Float64Array; filled: number };

export interface LearningTapDeps {
  store: WindowStore;
  outlook: SeriesOutlook;
  learner?: TickLearner;
  learningFilter?: LearningFilter;
  /** The first target is modelled as ln(value): the learner's expectation goes to model space like its values. */
  logTarget?: boolean;
}

export class LearningTap {
  readonly #d: LearningTapDeps;

  constructor(deps: LearningTapDeps) {
    this.#d = deps;
  }

  /**
   * Whether a tick is kept out of the statistics as it is windowed: its series' alert was firing
   * after the previous chunk, or the learning filter says so. (An alert that starts within a
   * chunk is known only when the chunk is scored: its first ticks in that chunk are learned.)
   */
  suppressed(series: string, tsMs: number): boolean {
    const d = this.#d;
    return d.outlook.peek(series)?.firing === true || (d.learningFilter?.isSuppressed(series, tsMs) ?? false);
  }

  /**
   * The learner's view of a tick just pushed (values, statistics after it, and `filled`: the
   * readings the store filled into the window before it); null without a learner or for a warm-up tick.
   */
  view(series: string, quiet: boolean, filled = 0): LearnerView | null {
    const c = this.#d.learner && !quiet ? this.#d.store.current(series) : null;
    return c ? { ...c, filled } : null;
  }

  /** After scoring: an alert that fired on this tick takes it back out of the statistics; feed the learner. */
  afterScoring(tick: Tick, suppressed: boolean, view: LearnerView | null, expected: ForecastStep | null): void {
    const d = this.#d;
    const series = tick.series;
    const firing = d.outlook.peek(series)?.firing === true;
    // (Only when it is still the series' last learned tick, i.e. records arrive one by one or the
    // series had no later tick in this chunk.)
    if (firing && !suppressed) d.store.unlearn(series, tick.tsMs);
    if (d.learner && view) {
      const p50 = expected ? expected['p50'] : null;
      d.learner.observe({ series, ts: tick.tsMs, ...view, expected: p50 !== null && d.logTarget ? Math.log(p50) : p50, suppressed: suppressed || firing });
    }
  }
}
