/**
 * Residual cycle forecasting (RCF, from CycleNet: Lin et al., NeurIPS 2024), fitted in closed form
 * for the linear baseline. Each channel c carries a learned cycle q[c] of `period` values; a
 * forecaster reads the residual series r[t] = x[t] − q[c][t mod period] and the cycle is added back
 * to its forecast: ŷ[t] = r̂[t] + q[c][t mod period]. Because the cycle depends only on the row,
 * removing it turns a series into another series, so any model (the linear baseline, the hybrid)
 * trains and is scored on r unchanged: the error on r equals the error on x.
 *
 * CycleNet learns q by backpropagation jointly with its linear layer. Here it starts at the
 * per-phase means of the training rows and is then refined by alternating least squares: with
 * the linear map fixed the forecast is linear in q (refineCycle solves that system per channel),
 * with q fixed the map is the ordinary closed-form fit on r. Only training rows are read.
 */
import { choleskySolve, pointForecast } from './linear-baseline.ts';

export interface ResidualCycle {
  period: number;
  /** [features, period] row-major, each channel's cycle centred on 0 (the level is the forecaster's job). */
  q: Float64Array;
}

/** Per-phase means of rows [0, trainEnd) of each channel, centred: phase of row t is t mod period. */
export function phaseMeans(values: Float32Array, features: number, trainEnd: number, period: number): ResidualCycle {
  if (!Number.isInteger(period) || period < 2) throw new RangeError(`cycle period must be an integer ≥ 2, got ${period}`);
  if (trainEnd < period) throw new RangeError(`cycle period ${period} needs at least that many training rows, got ${trainEnd}`);
  const q = new Float64Array(features * period);
  const n = new Float64Array(period);
  for (let t = 0; t < trainEnd; t++) {
    n[t % period]++;
    for (let c = 0; c < features; c++) q[c * period + (t % period)] += values[t * features + c];
  }
  for (let c = 0; c < features; c++) {
    for (let p = 0; p < period; p++) q[c * period + p] /= n[p];
    centre(q, c * period, period);
  }
  return { period, q };
}

/** r = values − cycle, row-major [rows, features]. */
export function removeCycle(values: Float32Array, features: number, cycle: ResidualCycle): Float32Array {
  const { period, q } = cycle;
  const r = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const t = Math.floor(i / features);
    r[i] = values[i] - q[(i % features) * period + (t % period)];
  }
  return r;
}

export interface CycleRefineInput {
  values: Float32Array;
  features: number;
  /** Channels whose cycle is refined (the forecast targets); the others keep theirs. */
  targetIndex: readonly number[];
  window: number;
  horizon: number;
  /** The NLinear weights fitted on the residual series ([window + 1, horizon], LinearBaselineState.weights). */
  weights: ArrayLike<number>;
  /** Training window start rows. */
  fitStarts: Int32Array;
  /** Ridge on q relative to the mean diagonal (the system is singular along a constant shift, which NLinear ignores). */
  ridge?: number;
}

/**
 * One least-squares step on q with the linear map fixed. For a window starting at row s the
 * forecast of step k is (the map applied to the raw window) + Σ_p G_s[k, p] · q[p], and G_s
 * depends on s only through s mod period, so the period's G matrices are built once.
 */
export function refineCycle(cycle: ResidualCycle, input: CycleRefineInput): ResidualCycle {
  const { period: P } = cycle;
  const { values, features: f, window: w, horizon: h, weights } = input;
  const g = coefficientTables(P, w, h, weights);
  const q = Float64Array.from(cycle.q);
  const out = new Float64Array(h);
  for (const c of input.targetIndex) {
    const ata = new Float64Array(P * P);
    const atb = new Float64Array(P);
    for (const s of input.fitStarts) {
      pointForecast(weights, values, s * f + c, f, w, h, out);
      const gs = g[s % P];
      for (let k = 0; k < h; k++) {
        const e = values[(s + w + k) * f + c] - out[k];
        const row = k * P;
        for (let a = 0; a < P; a++) {
          const ga = gs[row + a];
          if (ga === 0) continue;
          atb[a] += ga * e;
          for (let b = 0; b < P; b++) ata[a * P + b] += ga * gs[row + b];
        }
      }
    }
    let diag = 0;
    for (let a = 0; a < P; a++) diag += ata[a * P + a];
    const lambda = ((input.ridge ?? 1e-3) * diag) / P + 1e-9;
    for (let a = 0; a < P; a++) ata[a * P + a] += lambda;
    q.set(choleskySolve(ata, atb, P, 1), c * P);
    centre(q, c * P, P);
  }
  return { period: P, q };
}

/** G[phase][k·P + p]: how much q[p] adds to forecast step k of a window starting at that phase. */
function coefficientTables(P: number, w: number, h: number, weights: ArrayLike<number>): Float64Array[] {
  const colSum = new Float64Array(h);
  for (let i = 0; i < w; i++) for (let k = 0; k < h; k++) colSum[k] += weights[i * h + k];
  return Array.from({ length: P }, (_, ph) => {
    const g = new Float64Array(h * P);
    for (let k = 0; k < h; k++) {
      g[k * P + ((ph + w + k) % P)] += 1; // the cycle added back at the target row
      g[k * P + ((ph + w - 1) % P)] -= 1 - colSum[k]; // the last residual value NLinear subtracts
    }
    for (let i = 0; i < w; i++) {
      const p = (ph + i) % P;
      for (let k = 0; k < h; k++) g[k * P + p] -= weights[i * h + k]; // the cycle removed from the window
    }
    return g;
  });
}

function centre(q: Float64Array, offset: number, n: number): void {
  let m = 0;
  for (let i = 0; i < n; i++) m += q[offset + i];
  m /= n;
  for (let i = 0; i < n; i++) q[offset + i] -= m;
}
