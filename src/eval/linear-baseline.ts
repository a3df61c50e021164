/**
 * The closed-form linear baseline: an NLinear-style direct multi-step linear forecaster
 * (Zeng et al., "Are Transformers Effective for Time Series Forecasting?", AAAI 2023) fitted by
 * ridge least squares instead of SGD. For every target channel c and window:
 *
 *   last = x[W−1, c];   ŷ[h, c] = last + b[h] + Σ_w (x[w, c] − last) · A[w, h]
 *
 * One weight matrix A [W, H] and bias b [H] are shared by all target channels (channel
 * independence, NLinear's `individual=False`); a channel only ever reads its own past. Subtracting
 * the last value makes the fit robust to level shifts between train and test spans.
 *
 * Quantiles: the p50 is the least-squares forecast; the other levels add the empirical quantiles
 * of the residuals per horizon step, measured on held-out (validation) windows, so the band is
 * calibrated out of sample. It implements the pipeline's Predictor port, so the backtest, the CLI
 * and the service treat it exactly like the neural model.
 */
import type { ModelSpec } from '../domain/types.ts';
import { copySpec } from '../domain/model-spec.ts';
import type { PredictBatch, PredictResult, Predictor } from '../pipeline/ports.ts';

export const LINEAR_FORMAT = 'tickcast-linear-baseline';

/** The fitted model as stored in an artifact (plain JSON). */
export interface LinearBaselineState {
  format: typeof LINEAR_FORMAT;
  formatVersion: 1;
  spec: ModelSpec;
  /** [window + 1, horizon] row-major: rows 0..W−1 are A, row W is the bias b. */
  weights: number[];
  /** [horizon, quantiles] row-major offsets added to the point forecast (0 at the median). */
  quantileOffsets: number[];
  ridge: number;
}

export interface LinearFitInput {
  /** Normalised series, row-major [rows, features]. */
  values: Float32Array;
  features: readonly string[];
  targets: readonly string[];
  window: number;
  horizon: number;
  quantiles: readonly number[];
  /** Window start rows used for the least-squares fit. */
  fitStarts: Int32Array;
  /** Window start rows used for the residual quantiles (validation windows); fitStarts if empty. */
  calibrationStarts: Int32Array;
  /** Ridge penalty relative to the mean diagonal of XᵀX (default 1e-4). */
  ridge?: number;
  /** Features `values` holds as ln(value) (recorded in the spec; the fit itself is unchanged). */
  logFeatures?: readonly string[];
}

/** The normal equations of the fit, summed window by window (XᵀX upper triangle, Xᵀy). */
interface NormalEquations {
  xtx: Float64Array;
  xty: Float64Array;
  v: Float64Array;
  yv: Float64Array;
}

function normalEquations(w: number, h: number): NormalEquations {
  const d = w + 1;
  return { xtx: new Float64Array(d * d), xty: new Float64Array(d * h), v: new Float64Array(d), yv: new Float64Array(h) };
}

/** Add the windows fitStarts[from..to) to `eq`, in order (so a fit summed in slices is the same to the bit). */
function accumulate(input: LinearFitInput, eq: NormalEquations, from: number, to: number): void {
  const { values, features, targets, window: w, horizon: h } = input;
  const { xtx, xty, v, yv } = eq;
  const f = features.length;
  const d = w + 1;
  const targetIndex = targets.map((t) => features.indexOf(t));
  for (let n = from; n < to; n++) {
    const s = input.fitStarts[n];
    for (const c of targetIndex) {
      const last = values[(s + w - 1) * f + c];
      for (let i = 0; i < w; i++) v[i] = values[(s + i) * f + c] - last;
      v[w] = 1;
      for (let k = 0; k < h; k++) yv[k] = values[(s + w + k) * f + c] - last;
      // Upper triangle of XᵀX only (mirrored below); the O(W²) part dominates the fit.
      for (let a = 0; a < d; a++) {
        const va = v[a];
        if (va === 0) continue;
        const row = a * d;
        for (let b = a; b < d; b++) xtx[row + b] += va * v[b];
        const yrow = a * h;
        for (let k = 0; k < h; k++) xty[yrow + k] += va * yv[k];
      }
    }
  }
}

/** Solve the summed equations (ridge relative to the mean diagonal) and calibrate the quantile offsets. */
function solve(input: LinearFitInput, eq: NormalEquations): LinearBaselineState {
  const { values, features, targets, window: w, horizon: h, quantiles } = input;
  const { xtx, xty } = eq;
  const d = w + 1;
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) xtx[a * d + b] = xtx[b * d + a];
  let diag = 0;
  for (let a = 0; a < w; a++) diag += xtx[a * d + a];
  const ridge = input.ridge ?? 1e-4;
  const lambda = (ridge * diag) / w + 1e-9;
  for (let a = 0; a < w; a++) xtx[a * d + a] += lambda;
  const weights = choleskySolve(xtx, xty, d, h);

  const spec = copySpec({ window: w, features, targets, horizon: h, quantiles, logFeatures: input.logFeatures });
  const state: LinearBaselineState = { format: LINEAR_FORMAT, formatVersion: 1, spec, weights: Array.from(weights), quantileOffsets: new Array(h * quantiles.length).fill(0), ridge };
  state.quantileOffsets = residualQuantiles(state, values, input.calibrationStarts.length > 0 ? input.calibrationStarts : input.fitStarts);
  return state;
}

export function fitLinearBaseline(input: LinearFitInput): LinearBaselineState {
  const eq = normalEquations(input.window, input.horizon);
  accumulate(input, eq, 0, input.fitStarts.length);
  return solve(input, eq);
}

/** Windows summed between looks at the clock in fitLinearBaselineAsync. */
const SLICE_WINDOWS = 256;

/**
 * fitLinearBaseline that gives the event loop a turn every ~`yieldMs` of work, so an aborted
 * `signal` (Ctrl-C) stops a long fit within that time, rejecting with its reason. The same
 * windows are summed in the same order: the state is identical to the bit.
 */
export async function fitLinearBaselineAsync(input: LinearFitInput, signal?: AbortSignal, yieldMs = 50): Promise<LinearBaselineState> {
  const eq = normalEquations(input.window, input.horizon);
  let last = performance.now();
  for (let from = 0; from < input.fitStarts.length; from += SLICE_WINDOWS) {
    accumulate(input, eq, from, Math.min(input.fitStarts.length, from + SLICE_WINDOWS));
    if (performance.now() - last < yieldMs) continue;
    // Two turns: a process signal is read in the loop's poll phase, which one setImmediate may not reach.
    for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    signal?.throwIfAborted();
    last = performance.now();
  }
  signal?.throwIfAborted();
  return solve(input, eq);
}

/** Point forecast of one channel into out[0..H): NLinear form (see file comment). */
export function pointForecast(weights: ArrayLike<number>, x: ArrayLike<number>, xOffset: number, stride: number, w: number, h: number, out: Float64Array): void {
  const last = x[xOffset + (w - 1) * stride];
  for (let k = 0; k < h; k++) out[k] = last + weights[w * h + k];
  for (let i = 0; i < w; i++) {
    const dv = x[xOffset + i * stride] - last;
    if (dv === 0) continue;
    const row = i * h;
    for (let k = 0; k < h; k++) out[k] += dv * weights[row + k];
  }
}

function residualQuantiles(state: LinearBaselineState, values: Float32Array, starts: Int32Array): number[] {
  const { window: w, horizon: h, features, targets, quantiles } = state.spec;
  const f = features.length;
  const targetIndex = targets.map((t) => features.indexOf(t));
  const per = starts.length * targetIndex.length;
  const resid = Array.from({ length: h }, () => new Float64Array(per));
  const out = new Float64Array(h);
  let n = 0;
  for (const s of starts) {
    for (const c of targetIndex) {
      pointForecast(state.weights, values, s * f + c, f, w, h, out);
      for (let k = 0; k < h; k++) resid[k][n] = values[(s + w + k) * f + c] - out[k];
      n++;
    }
  }
  const offsets: number[] = [];
  for (let k = 0; k < h; k++) {
    const sorted = resid[k].sort();
    for (const q of quantiles) {
      if (q === 0.5) offsets.push(0);
      else {
        const v = quantileOfSorted(sorted, q);
        // Keep the band on the right side of the point forecast so quantiles stay ordered.
        offsets.push(q < 0.5 ? Math.min(0, v) : Math.max(0, v));
      }
    }
  }
  return offsets;
}

/** Linear-interpolated quantile of ascending data (type 7, as numpy's default). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Solve (A) X = B for symmetric positive-definite A [d, d] and B [d, m]; returns X [d, m]. */
export function choleskySolve(a: Float64Array, b: Float64Array, d: number, m: number): Float64Array {
  const l = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * d + j];
      for (let k = 0; k < j; k++) s -= l[i * d + k] * l[j * d + k];
      if (i === j) {
        if (s <= 0) throw new RangeError('least-squares system is not positive definite; increase the ridge penalty');
        l[i * d + i] = Math.sqrt(s);
      } else l[i * d + j] = s / l[j * d + j];
    }
  }
  const x = new Float64Array(d * m);
  for (let col = 0; col < m; col++) {
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = b[i * m + col];
      for (let k = 0; k < i; k++) s -= l[i * d + k] * z[k];
      z[i] = s / l[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let s = z[i];
      for (let k = i + 1; k < d; k++) s -= l[k * d + i] * x[k * m + col];
      x[i * m + col] = s / l[i * d + i];
    }
  }
  return x;
}

/** The fitted baseline behind the Predictor port (engine "linear", pure TypeScript). */
export class LinearBaselinePredictor implements Predictor {
  readonly spec: ModelSpec;
  readonly engine = 'linear';
  readonly backend = 'js';
  private readonly targetIndex: number[];
  private readonly weights: Float64Array;
  private readonly offsets: Float64Array;

  constructor(
    readonly state: LinearBaselineState,
    readonly version = 'linear-baseline',
  ) {
    this.spec = state.spec;
    this.targetIndex = state.spec.targets.map((t) => state.spec.features.indexOf(t));
    this.weights = Float64Array.from(state.weights);
    this.offsets = Float64Array.from(state.quantileOffsets);
  }

  async predict(batch: PredictBatch): Promise<PredictResult> {
    const { window: w, horizon: h, features, quantiles } = this.spec;
    const f = features.length;
    const t = this.targetIndex.length;
    const q = quantiles.length;
    if (batch.x.length !== batch.batch * w * f) {
      throw new RangeError(`linear baseline expects x of ${batch.batch}×${w}×${f} values, got ${batch.x.length}`);
    }
    const y = new Float32Array(batch.batch * h * t * q);
    const out = new Float64Array(h);
    for (let b = 0; b < batch.batch; b++) {
      for (let j = 0; j < t; j++) {
        pointForecast(this.weights, batch.x, b * w * f + this.targetIndex[j], f, w, h, out);
        for (let k = 0; k < h; k++) {
          const base = ((b * h + k) * t + j) * q;
          for (let qi = 0; qi < q; qi++) y[base + qi] = out[k] + this.offsets[k * q + qi];
        }
      }
    }
    return { y };
  }

  async dispose(): Promise<void> {}
}
