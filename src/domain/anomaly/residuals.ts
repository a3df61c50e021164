/**
 * The residual of one tick, in error-scale units: (1) the fallback view (the analogue forecaster's
 * forecast from the past only, then it learns the value) and the model view blended with it. Both
 * update the series' error scales (series-state.ts); tick-score.ts turns the residual into a score.
 */
import type { AnomalyConfig } from './config.ts';
import { levelResidual } from './gap-band.ts';
import { relevelled, relevels } from './relevel.ts';
import type { SeriesState } from './series-state.ts';
import type { Expectation } from './views.ts';

export interface Fallback {
  fb: { p50: number; spread: number } | null;
  /** Residual in error-scale units, already divided by `divisor`. */
  r: number;
  /** The residual the never-seen-level rule's `rangeMinResidual` is compared with (gap-band.ts). */
  rLevel: number;
  /** √(interval / typical) after a gap, else 1: the divisor of every residual of this tick. */
  divisor: number;
  scale: number;
  expected: Expectation | null;
}

/** (1) fallback view: forecast from the past only, then learn this value. `q`: the series' resolution. */
export function fallbackView(s: SeriesState, c: Readonly<AnomalyConfig>, value: number, divisor: number, q: number): Fallback {
  const fb = relevels(c, s.sinceGap) ? relevelled(s.forecaster) : s.forecaster.forecast();
  let rFallback = 0;
  let fbScale = 0;
  let fbExpected: Expectation | null = null;
  let rLevel = 0;
  if (fb !== null) {
    const err = Math.abs(value - fb.p50);
    // Never below what rounding to the series' resolution costs alone (resolution.ts).
    const scale = Math.max(s.errScale + fb.spread, q / 4);
    fbScale = scale;
    rFallback = scale > 0 ? err / scale : err > 0 ? Infinity : 0;
    rLevel = levelResidual(c, err, s.errScale, fb.spread, q, divisor, rFallback / divisor);
    // Bias-corrected EW mean: a plain running mean until 1/errorAlpha errors have been seen,
    // so the first scales are not dragged from 0. Errors are clipped at 10× the scale so one
    // outlier does not blind the detector to the next; an error across a gap counts ÷ `divisor`.
    s.fbErrors++;
    const a = Math.max(c.errorAlpha, 1 / s.fbErrors);
    s.errScale += a * (Math.min(err / divisor, s.fbErrors > 1 ? 10 * s.errScale : err) - s.errScale);
    const half = c.bandZ * scale * divisor;
    fbExpected = { lower: fb.p50 - half, p50: fb.p50, upper: fb.p50 + half };
  }
  s.forecaster.push(value);
  return { fb, r: rFallback / divisor, rLevel, divisor, scale: fbScale, expected: fbExpected };
}

/** Model view, blended with the fallback view: the residual r in σ units. */
export function modelView(s: SeriesState, c: Readonly<AnomalyConfig>, value: number, expected: Expectation, f: Fallback): number {
  // A band that is one-sided (a quantile equal to the median) or far narrower than what the
  // fallback forecaster can achieve is over-confident: floor the half-band at a quarter of
  // the full band and at `minBandRatio` of the fallback's own half-band.
  const side = value >= expected.p50 ? expected.upper - expected.p50 : expected.p50 - expected.lower;
  const half = Math.max(side, (expected.upper - expected.lower) / 4, c.minBandRatio * c.bandZ * f.scale);
  const dev = Math.abs(value - expected.p50);
  const rModel = (half > 0 ? (dev * c.bandZ) / half : dev > 0 ? Infinity : 0) / f.divisor;
  if (f.fb === null) return rModel;
  if (c.modelCombine === 'min') return Math.min(rModel, f.r);
  if (c.modelCombine === 'max') return Math.max(rModel, f.r);
  let w = c.modelWeight;
  if (c.modelTrust === 'earned') {
    // Trust as of before this tick (causal), then learn from it.
    const trust = s.bothSeen < 10 || s.modelErr <= 0 ? 0 : Math.min(1, (s.fbErrBoth / s.modelErr) ** 8);
    w *= trust;
    s.bothSeen++;
    const a = Math.max(c.errorAlpha, 1 / s.bothSeen);
    s.modelErr += a * (dev - s.modelErr);
    s.fbErrBoth += a * (Math.abs(value - f.fb.p50) - s.fbErrBoth);
  }
  return w * rModel + (1 - w) * f.r;
}
