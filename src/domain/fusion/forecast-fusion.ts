/**
 * Fusion with fast baselines, per series: every model forecast competes with naive, seasonal naive
 * and drift (baselines.ts) on the errors each has made on the series' own recent ticks, and the one
 * with the lowest is served. A series the model forecasts well keeps the model; a random walk gets
 * the last value, a ramp the drift line, a series with a plain daily cycle the value a day ago,
 * each marked `"model": "baseline:…"` — the service is never much worse than the best of the
 * simple forecasts on a series, and says when it serves one.
 *
 * Scoring: each forecast's median path (every candidate's, whichever was served) is kept until its
 * horizon has passed; each tick scores the paths that reached it, step by step, into an
 * exponentially weighted mean absolute error per candidate, target and step (half-life
 * `halfLifeTicks` ticks). The choice: the candidate with the lowest error summed over steps (over
 * targets: each relative to naive's, so the units do not matter), once `minScoredTicks` ticks
 * scored; it replaces the current one only when lower by more than `margin`. A baseline's band is
 * its own error at each step (normal quantiles with σ = √(π/2) × mean absolute error).
 *
 * Ticks are counted by position (`realised(…, advance)`): a tick after n filled-in readings
 * advances n + 1, so a forecast's step k meets the k-th reading after it. Per series: one
 * Float64Array of (H slots × T × C × H) paths + 2 × (T × C × H) error sums (≈ 2.6 kB for one
 * target and horizon 8), all of it in series-state snapshots: a restart from one scores and
 * chooses exactly as an uninterrupted run would (test/integration/snapshot-restart.test.ts).
 */
import { probit } from '../cold-start.ts';
import { quantileKey, type ForecastStep } from '../types.ts';
import { baselinePaths, CANDIDATES, MODEL, NAIVE, seasonTicks } from './baselines.ts';

export interface FusionOptions {
  horizon: number;
  targets: number;
  quantiles: readonly number[];
  halfLifeTicks: number;
  minScoredTicks: number;
  margin: number;
  /** Season of the seasonal-naive baseline in ticks; 0: one day at the series' spacing. */
  seasonTicks: number;
  /** Per target: its forecasts never go below 0 (input.nonNegative), so neither do its baselines' paths. */
  floored?: readonly boolean[];
}

/** What a series is served now and how each candidate has done (mean absolute error relative to naive's). */
export interface FusionView {
  served: string;
  scoredTicks: number;
  relativeError: Record<string, number | null>;
}

const C = CANDIDATES.length;
const SIGMA_PER_MAE = Math.sqrt(Math.PI / 2);

class FusionSeries {
  readonly paths: Float64Array; // [slot][target][candidate][step]
  readonly issued: Float64Array; // ordinal of the forecast in each slot (NaN: empty)
  readonly errNum: Float64Array; // [target][candidate][step]: EW sum of |error|
  readonly errDen: Float64Array; // [target][candidate][step]: EW sum of weights
  ordinal = 0;
  scored = 0;
  choice = MODEL;

  constructor(H: number, T: number) {
    const per = T * C * H;
    const buf = new Float64Array(H * per + H + 2 * per);
    this.paths = buf.subarray(0, H * per);
    this.issued = buf.subarray(H * per, H * per + H).fill(Number.NaN);
    this.errNum = buf.subarray(H * per + H, H * per + H + per);
    this.errDen = buf.subarray(H * per + H + per);
  }
}

export class ForecastFusion {
  readonly #o: FusionOptions;
  readonly #decay: number;
  readonly #series = new Map<string, FusionSeries>();
  readonly #z: number[];
  readonly #keys: string[];
  readonly #served = new Array<number>(C).fill(0);

  /** Series tracked (diagnostics: app.stateSizes). */
  get size(): number {
    return this.#series.size;
  }

  constructor(o: FusionOptions) {
    this.#o = o;
    this.#decay = Math.pow(0.5, 1 / o.halfLifeTicks);
    this.#z = o.quantiles.map(probit);
    this.#keys = o.quantiles.map(quantileKey);
  }

  /** Series served by each candidate now (by label: 'model', 'baseline:naive', …). */
  servedCounts(): Record<string, number> {
    return Object.fromEntries(CANDIDATES.map((c, i) => [label(i, 'model'), this.#served[i]]));
  }

  /**
   * A tick of `series` arrived: score the kept paths that reached it. Target t's value is
   * `values[targetIdx[t]]` (non-finite: not scored); `advance`: 1 + readings filled in just before it.
   */
  realised(series: string, values: ArrayLike<number>, targetIdx: readonly number[], advance: number): void {
    const s = this.#series.get(series);
    if (!s) return;
    const { horizon: H, targets: T } = this.#o;
    s.ordinal += advance;
    let any = false;
    for (let slot = 0; slot < H; slot++) {
      const k = s.ordinal - s.issued[slot];
      if (!(k >= 1 && k <= H)) continue;
      any = true;
      for (let t = 0; t < T; t++) {
        const v = values[targetIdx[t]];
        if (!Number.isFinite(v)) continue;
        for (let c = 0; c < C; c++) {
          const p = s.paths[((slot * T + t) * C + c) * H + k - 1];
          if (Number.isNaN(p)) continue;
          const e = (t * C + c) * H + k - 1;
          s.errNum[e] = this.#decay * s.errNum[e] + Math.abs(v - p);
          s.errDen[e] = this.#decay * s.errDen[e] + 1;
        }
      }
    }
    if (any) s.scored++;
  }

  /**
   * The baselines' paths at a tick, taken when its window is (the model's forecast comes later):
   * `recent(t, out)` writes target t's last values, oldest first, into `out` (`scratch`) and
   * returns how many; `intervalMs`: the series' typical spacing. For `serve`.
   */
  baselines(recent: (t: number, out: Float64Array) => number, intervalMs: number, scratch: Float64Array): number[] {
    const { horizon: H, targets: T } = this.#o;
    // A plain array: small, short-lived, on the JS heap (a typed array would allocate a backing store per forecast).
    const paths = new Array<number>(T * C * H).fill(0);
    const m = seasonTicks(this.#o.seasonTicks, intervalMs);
    for (let t = 0; t < T; t++) {
      baselinePaths(scratch, recent(t, scratch), m, H, paths, t * C * H);
      if (this.#o.floored?.[t]) for (let i = t * C * H; i < (t + 1) * C * H; i++) if (paths[i] < 0) paths[i] = 0;
    }
    return paths;
  }

  /**
   * The forecast to serve for `series` at this tick: the model's `steps` (one array per target) or
   * a baseline's, with its label. `baselines`: from `baselines()` at the same tick. Keeps every
   * candidate's path for scoring.
   */
  serve(series: string, modelLabel: string, steps: ForecastStep[][], baselines: readonly number[]): { model: string; steps: ForecastStep[][] } {
    const { horizon: H, targets: T } = this.#o;
    let s = this.#series.get(series);
    if (!s) {
      s = new FusionSeries(H, T);
      this.#series.set(series, s);
      this.#served[MODEL]++;
    }
    this.#choose(s);
    const slot = s.ordinal % H;
    s.issued[slot] = s.ordinal;
    s.paths.set(baselines, slot * T * C * H);
    for (let t = 0; t < T; t++) for (let h = 0; h < H; h++) s.paths[(slot * T + t) * C * H + h] = steps[t][h]?.p50 ?? Number.NaN;
    // A baseline with no path now (too few values for its season) leaves this forecast to the model.
    if (s.choice === MODEL || !this.#hasPath(s, slot)) return { model: modelLabel, steps };
    return { model: label(s.choice, modelLabel), steps: steps.map((modelSteps, t) => this.#baselineSteps(s, slot, t, modelSteps)) };
  }

  /** The series' state for the API; undefined when it has had no model forecast. */
  view(series: string, modelLabel: string): FusionView | undefined {
    const s = this.#series.get(series);
    if (!s) return undefined;
    const scores = this.#scores(s);
    const naive = scores[NAIVE];
    const relativeError = Object.fromEntries(CANDIDATES.map((c, i) => [c, Number.isFinite(scores[i]) && naive > 0 ? scores[i] / naive : null]));
    return { served: label(s.choice, modelLabel), scoredTicks: s.scored, relativeError };
  }

  /** Snapshot hooks (src/pipeline/snapshot): the series' live state — kept paths, errors, counters — or undefined. */
  exportSeries(series: string): object | undefined {
    return this.#series.get(series);
  }

  /**
   * Install a series' saved state: `fill` copies the saved fields into a fresh state. Throws (and
   * installs nothing) when the saved arrays are not this shape (another horizon or target count).
   */
  importSeries(series: string, fill: (fresh: object) => void): void {
    const s = new FusionSeries(this.#o.horizon, this.#o.targets);
    fill(s);
    if (!(Number.isInteger(s.choice) && s.choice >= 0 && s.choice < C)) throw new RangeError(`saved choice ${s.choice} is not a candidate`);
    this.forget(series);
    this.#series.set(series, s);
    this.#served[s.choice]++;
  }

  forget(series: string): void {
    const s = this.#series.get(series);
    if (!s) return;
    this.#served[s.choice]--;
    this.#series.delete(series);
  }

  #choose(s: FusionSeries): void {
    if (s.scored < this.#o.minScoredTicks) return;
    const scores = this.#scores(s);
    let best = -1;
    for (let c = 0; c < C; c++) if (Number.isFinite(scores[c]) && (best < 0 || scores[c] < scores[best])) best = c;
    if (best < 0 || best === s.choice) return;
    if (Number.isFinite(scores[s.choice]) && scores[best] >= (1 - this.#o.margin) * scores[s.choice]) return;
    this.#served[s.choice]--;
    this.#served[best]++;
    s.choice = best;
  }

  /** Per candidate: its mean absolute error over the steps scored, per target relative to naive's (∞ when none was scored). */
  #scores(s: FusionSeries): number[] {
    const { horizon: H, targets: T } = this.#o;
    const out = new Array<number>(C).fill(0);
    for (let t = 0; t < T; t++) {
      const sums = new Array<number>(C).fill(0);
      for (let c = 0; c < C; c++) {
        let n = 0;
        for (let h = 0; h < H; h++) {
          const e = (t * C + c) * H + h;
          if (!(s.errDen[e] > 0)) continue;
          sums[c] += s.errNum[e] / s.errDen[e];
          n++;
        }
        sums[c] = n > 0 ? sums[c] / n : Number.POSITIVE_INFINITY;
      }
      const scale = T > 1 && sums[NAIVE] > 0 && Number.isFinite(sums[NAIVE]) ? sums[NAIVE] : 1;
      for (let c = 0; c < C; c++) out[c] += sums[c] / scale;
    }
    return out;
  }

  #hasPath(s: FusionSeries, slot: number): boolean {
    const { horizon: H, targets: T } = this.#o;
    for (let t = 0; t < T; t++) if (Number.isNaN(s.paths[((slot * T + t) * C + s.choice) * H])) return false;
    return true;
  }

  /** A baseline's steps for target t: its median path from `slot`, the band from its own errors (raised to 0 for a floored target); times from the model's steps. */
  #baselineSteps(s: FusionSeries, slot: number, t: number, modelSteps: ForecastStep[]): ForecastStep[] {
    const { horizon: H, targets: T } = this.#o;
    const c = s.choice;
    const floor = this.#o.floored?.[t] ? 0 : Number.NEGATIVE_INFINITY;
    return modelSteps.map((ms, h) => {
      const p50 = s.paths[((slot * T + t) * C + c) * H + h];
      const e = (t * C + c) * H + h;
      const sd = SIGMA_PER_MAE * (s.errNum[e] / s.errDen[e]);
      const step = { step: ms.step, ts: ms.ts } as ForecastStep;
      for (let q = 0; q < this.#keys.length; q++) (step as Record<string, number>)[this.#keys[q]] = Math.max(floor, p50 + this.#z[q] * sd);
      return step;
    });
  }
}

function label(c: number, modelLabel: string): string {
  return c === MODEL ? modelLabel : `baseline:${CANDIDATES[c]}`;
}
