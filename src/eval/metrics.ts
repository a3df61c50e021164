/**
 * Point and interval forecast metrics. Plain functions over arrays (for tests and one-off use)
 * plus `ErrorAccumulator`, which sums errors over many batches of windows without keeping them.
 *
 * Conventions: errors are averaged over every window, horizon step and target equally (the ETT
 * benchmark convention); MASE divides each target's MAE by that target's in-sample seasonal-naive
 * MAE (Hyndman & Koehler 2006) and averages over targets.
 */

export function mae(actual: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkSameLength(actual, pred);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - pred[i]);
  return s / actual.length;
}

export function mse(actual: ArrayLike<number>, pred: ArrayLike<number>): number {
  checkSameLength(actual, pred);
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += (actual[i] - pred[i]) ** 2;
  return s / actual.length;
}

export function rmse(actual: ArrayLike<number>, pred: ArrayLike<number>): number {
  return Math.sqrt(mse(actual, pred));
}

/**
 * In-sample seasonal-naive MAE: mean |y[t] − y[t−m]| for t in [m, end). This is the MASE scale;
 * m = 1 gives the plain naive (random-walk) scale. NaN when end ≤ m.
 */
export function seasonalNaiveScale(series: ArrayLike<number>, season: number, end = series.length): number {
  if (end <= season) return Number.NaN;
  let s = 0;
  for (let t = season; t < end; t++) s += Math.abs(series[t] - series[t - season]);
  return s / (end - season);
}

/** Mean absolute scaled error: MAE of the forecast divided by the in-sample seasonal-naive MAE. */
export function mase(actual: ArrayLike<number>, pred: ArrayLike<number>, scale: number): number {
  return mae(actual, pred) / scale;
}

/** Share of actual values inside [lower, upper] (bounds inclusive). */
export function intervalCoverage(actual: ArrayLike<number>, lower: ArrayLike<number>, upper: ArrayLike<number>): number {
  checkSameLength(actual, lower);
  checkSameLength(actual, upper);
  let inside = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] >= lower[i] && actual[i] <= upper[i]) inside++;
  return inside / actual.length;
}

/** Pinball (quantile) loss of one quantile level q ∈ (0,1), averaged. */
export function pinballLoss(actual: ArrayLike<number>, pred: ArrayLike<number>, q: number): number {
  checkSameLength(actual, pred);
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = actual[i] - pred[i];
    s += d >= 0 ? q * d : (q - 1) * d;
  }
  return s / actual.length;
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new RangeError(`metric inputs differ in length: ${a.length} vs ${b.length}`);
  if (a.length === 0) throw new RangeError('metric inputs are empty');
}

export interface PointMetrics {
  mse: number;
  mae: number;
  rmse: number;
  /** NaN-free: null when no MASE scale was given. */
  mase: number | null;
}

export interface TargetMetrics extends PointMetrics {
  target: string;
  /** Share of actuals inside the [lower, upper] quantile band (null for point forecasts). */
  coverage: number | null;
}

/**
 * Sums squared and absolute errors, per target and per horizon step, over batches laid out as
 * actual [n, horizon, targets] and forecast [n, horizon, targets, quantiles] (row-major; the
 * layouts of WindowSet.y and PredictResult.y).
 */
export class ErrorAccumulator {
  private readonly abs: Float64Array;
  private readonly sq: Float64Array;
  private readonly absByStep: Float64Array;
  private readonly inside: Float64Array;
  private readonly median: number;
  private n = 0;

  /**
   * @param quantiles forecast quantile levels (length Q; [0.5] for point forecasts)
   * @param band indices of the lower/upper band quantiles, or null for no coverage
   */
  constructor(
    readonly targets: readonly string[],
    readonly horizon: number,
    readonly quantiles: readonly number[],
    private readonly band: { lower: number; upper: number } | null,
  ) {
    const t = targets.length;
    this.abs = new Float64Array(t);
    this.sq = new Float64Array(t);
    this.inside = new Float64Array(t);
    this.absByStep = new Float64Array(horizon);
    this.median = quantiles.indexOf(0.5);
    if (this.median < 0) throw new RangeError('forecast quantiles must include 0.5 (the point forecast)');
  }

  /** Add `n` windows. */
  add(actual: ArrayLike<number>, forecast: ArrayLike<number>, n: number): void {
    const h = this.horizon;
    const t = this.targets.length;
    const q = this.quantiles.length;
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < h; k++) {
        for (let j = 0; j < t; j++) {
          const a = actual[(i * h + k) * t + j];
          const base = ((i * h + k) * t + j) * q;
          const e = a - forecast[base + this.median];
          const ae = Math.abs(e);
          this.abs[j] += ae;
          this.sq[j] += e * e;
          this.absByStep[k] += ae;
          if (this.band && a >= forecast[base + this.band.lower] && a <= forecast[base + this.band.upper]) this.inside[j]++;
        }
      }
    }
    this.n += n;
  }

  get windows(): number {
    return this.n;
  }

  /** Metrics over everything added; `scales[j]` is target j's MASE scale (omit for no MASE). */
  result(scales?: readonly number[]): { overall: PointMetrics & { coverage: number | null }; perTarget: TargetMetrics[]; maeByStep: number[] } {
    const t = this.targets.length;
    const cells = this.n * this.horizon;
    const perTarget: TargetMetrics[] = this.targets.map((target, j) => {
      const m = this.sq[j] / cells;
      const a = this.abs[j] / cells;
      const s = scales?.[j];
      return {
        target,
        mse: m,
        mae: a,
        rmse: Math.sqrt(m),
        mase: s !== undefined && Number.isFinite(s) && s > 0 ? a / s : null,
        coverage: this.band ? this.inside[j] / cells : null,
      };
    });
    const mean = (f: (m: TargetMetrics) => number): number => perTarget.reduce((acc, m) => acc + f(m), 0) / t;
    const mseAll = mean((m) => m.mse);
    const mases = perTarget.map((m) => m.mase);
    return {
      overall: {
        mse: mseAll,
        mae: mean((m) => m.mae),
        rmse: Math.sqrt(mseAll),
        mase: mases.every((m) => m !== null) ? mean((m) => m.mase as number) : null,
        coverage: this.band ? mean((m) => m.coverage as number) : null,
      },
      perTarget,
      maeByStep: Array.from(this.absByStep, (s) => s / (this.n * t)),
    };
  }
}

/** Indices of the p10/p90 band in a quantile list (falls back to lowest/highest); null if only one level. */
export function bandIndices(quantiles: readonly number[]): { lower: number; upper: number } | null {
  if (quantiles.length < 2) return null;
  const lo = quantiles.findIndex((q) => Math.abs(q - 0.1) < 1e-9);
  const hi = quantiles.findIndex((q) => Math.abs(q - 0.9) < 1e-9);
  return { lower: lo >= 0 ? lo : 0, upper: hi >= 0 ? hi : quantiles.length - 1 };
}
