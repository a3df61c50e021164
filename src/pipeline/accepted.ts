/**
 * One accepted tick between the pipeline's phases (stream-pipeline.ts): what phase 1 (decode and
 * window) hands to phase 3 (score and emit) besides the model's result.
 */
import type { RawRecord, Tick } from '../domain/types.ts';
import type { ColdForecast } from './cold-forecast.ts';
import type { InferenceResult } from './inference.ts';
import type { LearnerView } from './learning-tap.ts';

export interface Accepted {
  tick: Tick;
  rec: RawRecord;
  job: Promise<InferenceResult> | null;
  /** Statistics used to normalise the window (for de-normalising its forecast). */
  stats: { mean: Float64Array; std: Float64Array } | null;
  /** The forecast steps' times (WindowStore.stepTimes, taken at push: the store moves on meanwhile). */
  times: readonly number[];
  /** Those of the steps (1-based) in hours the series is closed (WindowStore.closedSteps). */
  closed: readonly number[];
  /** Kept out of the statistics when pushed (alert firing before this chunk, or filtered). */
  suppressed: boolean;
  /** Values and statistics after this tick, for the learner (only when there is one). */
  view: LearnerView | null;
  /** A full warm-up record: update state, emit and report nothing. */
  quiet: boolean;
  /** A cold series' baseline forecast made at this tick (one step array per target). */
  cold?: ColdForecast | null;
  /** Fast baselines' paths at this tick, when a model forecast is due and fusion is on (ForecastFusion.baselines). */
  baselines: number[] | null;
  /** Readings filled in just before this tick (missed on the feed's clock). */
  filled: number;
  /** How far the tick moves event time (its incident key's clock: incidents close on it): its ts, or for one stamped ahead of when it was sent, that + input.clockSkewMs (WindowStore.push). */
  eventMs: number;
  /** The series stepped back onto its true clock at this tick (WindowStore.push): its ts is older than the fast tick before it. */
  stepBack?: boolean;
  /** A reading merged into the series' last tick, scored in an earlier chunk (StreamPipeline#merged): only scored, `tick.values` NaN but for the features it brought. */
  merged?: true;
}

const NONE: readonly number[] = [];

/**
 * A reading sent late in its own record, merged into its series' last tick (tick-again.ts), is
 * scored as a reading of that tick (`merged`: the features it brought, WindowStore.push). That tick accepted in this chunk (`accepted`) and not scored
 * yet gets it in its values: phase 3 scores it, and its live event carries it (returns false).
 * One scored in an earlier chunk: an entry that phase 3 only scores (`merged`), for the features
 * this record brought — the detector leaves the others' state as it was at the same ts (returns
 * true: the dashboard is told now). Per feature the detector still sees readings in tick order:
 * nothing of the series came after that tick, or the record would have been late.
 */
export function mergeReading(accepted: Accepted[], tick: Tick, rec: RawRecord, quiet: boolean, merged: readonly number[]): boolean {
  let i = accepted.length - 1;
  while (i >= 0 && accepted[i].tick.series !== tick.series) i--;
  const own = i >= 0 && accepted[i].tick.tsMs === tick.tsMs ? accepted[i] : null;
  if (own) {
    own.tick = { ...own.tick, values: Float64Array.from(own.tick.values, (v, f) => (merged.includes(f) ? tick.values[f] : v)) };
    return false;
  }
  const values = Float64Array.from(tick.values, (v, f) => (merged.includes(f) ? v : Number.NaN)); // under duplicatePolicy replace it may repeat features the tick had: scored once
  accepted.push({ tick: { ...tick, values }, rec, job: null, stats: null, times: NONE, closed: NONE, suppressed: false, view: null, quiet, cold: null, baselines: null, filled: 0, eventMs: tick.tsMs, merged: true });
  return true;
}
