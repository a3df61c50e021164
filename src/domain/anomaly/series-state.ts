/**
 * State and scoring of ONE series (or one feature of a multivariate series): the views of
 * surprise, their likelihoods, the never-seen-level rule, learning period and damping. The
 * detector (detector.ts) owns the map of these and the alert state machines. See detector.ts for
 * the scoring steps and docs/anomaly.md for the reasoning.
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';
import { AnalogueForecaster } from './analogue-forecaster.ts';
import type { AnomalyConfig } from './config.ts';
import { ContextView } from './context-view.ts';
import { GapClock, type GapTick } from '../gap-clock.ts';
import { LongCycle } from './long-cycle.ts';
import { gapStep } from './missed-ticks.ts';
import { AnomalyLikelihood, lnCount, rawOf, tailScore } from './likelihood.ts';
import { PatternView } from './pattern-view.ts';
import { RecentRange } from './recent-range.ts';
import { levelResidual, volatilityStepDivisor } from './gap-band.ts';
import { relevelled, relevels } from './relevel.ts';
import { Resolution } from './resolution.ts';
import { SeasonalView } from './seasonal-view.ts';
import { VolatilityView } from './volatility-view.ts';
import type { Expectation, SurpriseView } from './views.ts';

/** Which view held the smallest tail probability in the last `combinedLogTail` (one call at a time). */
let driver: SurpriseView = 'forecast';

export class SeriesState {
  ticks = 0;
  readonly forecaster: AnalogueForecaster;
  readonly likelihood: AnomalyLikelihood;
  readonly volatility: VolatilityView | null;
  readonly volLikelihood: AnomalyLikelihood | null;
  readonly patterns: Array<{ view: PatternView; likelihood: AnomalyLikelihood }>;
  readonly context: { view: ContextView; likelihood: AnomalyLikelihood } | null;
  readonly seasonal: { view: SeasonalView; likelihood: AnomalyLikelihood } | null;
  /** EW mean of the fallback forecaster's absolute error. */
  errScale = 0;
  fbErrors = 0;
  /** EW mean absolute error of the model's p50 and of the fallback's p50, on ticks with both. */
  modelErr = 0;
  fbErrBoth = 0;
  bothSeen = 0;
  min = Infinity;
  max = -Infinity;
  lastScore = 0;
  /** Largest fallback residual seen after the learning period (never-seen-residual rule). */
  maxResidual = 0;
  restSince = -Infinity;
  restScore = 0;
  /** Ticks since the last one that ended a gap or a closure (`gapRelevel`). */
  sinceGap = Infinity;
  /** Gaps in event time (../gap-clock.ts), and the hours the feed reads in when `openHours`. */
  readonly gaps: GapClock;
  /** The step of a quantised series (resolution.ts); null when `resolutionFloor` is off. */
  readonly resolution: Resolution | null;
  /** Range of the last ≈ `recentRangeTicks` values (recent-range.ts); null when that is 0. */
  readonly recentRange: RecentRange | null;
  /** Long-cycle filter (long-cycle.ts); null when `longCycleMaxPeriod` is 0. */
  readonly longCycle: LongCycle | null;
  /** Undamped scores of the last `refractoryTicks` ticks (ring). */
  readonly recent: Float64Array;

  /** `alloc`: where the typed arrays come from (one arena per series: src/domain/arena.ts); `zone`: the long-cycle filter's clock. */
  constructor(c: Readonly<AnomalyConfig>, alloc: ArrayAlloc = OWN_ARRAYS, zone = c.longCycleTimeZone) {
    this.recent = alloc.f64(Math.max(1, c.refractoryTicks));
    this.gaps = new GapClock(c.openHours);
    this.resolution = c.resolutionFloor ? new Resolution(c.volatilityLongAlpha, alloc) : null;
    this.recentRange = c.recentRangeTicks > 0 ? new RecentRange(c.recentRangeTicks, alloc) : null;
    this.longCycle = c.longCycleMaxPeriod > 0 ? new LongCycle(c.longCycleMaxPeriod, c.errorAlpha, c.likelihoodShortTicks, alloc, zone) : null;
    this.forecaster = new AnalogueForecaster(c.historyTicks, c.contextTicks, c.neighbours, c.excludeRecentTicks, c.relativeContext, alloc);
    this.likelihood = new AnomalyLikelihood(c.likelihoodShortTicks, c.likelihoodLongTicks, c.likelihoodMinMean, c.likelihoodMinStd, alloc);
    this.volatility = c.volatilityView ? new VolatilityView(c.volatilityShortTicks, c.volatilityLongAlpha, c.volatilityFloor, c.volatilityScale, alloc) : null;
    this.patterns = c.patternBlockTicks.map((b) => ({
      view: new PatternView(b, c.patternWidth, c.patternPrototypes, c.patternVigilance, alloc),
      likelihood: new AnomalyLikelihood(2, Math.max(64, Math.round(c.likelihoodLongTicks / b)), c.likelihoodMinMean, c.likelihoodMinStd, alloc),
    }));
    this.context = c.contextView
      ? {
          view: new ContextView(c.contextBins, c.contextOrder, c.contextCapacity, alloc),
          likelihood: new AnomalyLikelihood(c.likelihoodShortTicks, c.likelihoodLongTicks, c.likelihoodMinMean, c.likelihoodMinStd, alloc),
        }
      : null;
    this.seasonal = c.seasonalView
      ? {
          view: new SeasonalView({
            maxPeriod: c.seasonalMaxPeriod, minPeriod: c.seasonalMinPeriod, acfWindow: c.seasonalAcfWindow, detectEvery: c.seasonalDetectEvery,
            minAcf: c.seasonalMinAcf, cycles: c.seasonalCycles, levelTicks: c.seasonalLevelTicks, errAlpha: c.errorAlpha, floor: c.seasonalFloor, scale: c.seasonalScale,
          }, alloc),
          likelihood: new AnomalyLikelihood(c.likelihoodShortTicks, c.seasonalLikelihoodTicks, c.likelihoodMinMean, c.likelihoodMinStd, alloc),
        }
      : null;
    this.volLikelihood = c.volatilityView ? new AnomalyLikelihood(c.likelihoodShortTicks, c.likelihoodLongTicks, c.likelihoodMinMean, c.likelihoodMinStd, alloc) : null;
  }
}

interface Fallback {
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
function fallbackView(s: SeriesState, c: Readonly<AnomalyConfig>, value: number, divisor: number, q: number): Fallback {
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
function modelView(s: SeriesState, c: Readonly<AnomalyConfig>, value: number, expected: Expectation, f: Fallback): number {
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

/**
 * (2) raw score of the residual, (3) its likelihood, combined with the other views'
 * likelihoods: the smallest tail probability, times the number of views (Bonferroni).
 * `step`: what the volatility view divides this tick's step by (gap-band.ts). Returns ln Q of the combination.
 */
function combinedLogTail(s: SeriesState, c: Readonly<AnomalyConfig>, value: number, r: number, judged: boolean, q: number, levelExplained: boolean, step: number): number {
  const raw = Number.isFinite(r) ? rawOf(r - c.rawFloor, c.rawScale) : 1;
  // The likelihood learns only from ticks that had a forecast (no warm-up transients).
  let lnQ = judged ? s.likelihood.update(raw) : 0;
  // A level the long cycle explains (long-cycle.ts) is judged by the other views only; the level views still learn it.
  if (levelExplained) lnQ = 0;
  let views = 1;
  driver = 'forecast';
  if (s.volatility !== null && s.volLikelihood !== null) {
    const vq = s.volLikelihood.update(s.volatility.update(value, step));
    if (vq < lnQ) { lnQ = vq; driver = 'volatility'; }
    views++;
  }
  for (const p of s.patterns) {
    const pr = p.view.update(value);
    const pq = pr < 0 ? 0 : p.likelihood.update(pr);
    if (pq < lnQ) { lnQ = pq; driver = 'pattern'; }
    views++;
  }
  if (s.context !== null) {
    const cq = s.context.likelihood.update(s.context.view.update(value));
    if (cq < lnQ) { lnQ = cq; driver = 'context'; }
    views++;
  }
  if (s.seasonal !== null) {
    const sr = s.seasonal.view.update(value, q / 3);
    const sq = sr < 0 ? 0 : s.seasonal.likelihood.update(sr);
    if (sq < lnQ && !levelExplained) { lnQ = sq; driver = 'seasonal'; }
    views++;
  }
  return views > 1 ? Math.min(0, lnQ + lnCount(views)) : lnQ;
}

/** Whether the long cycle explains this tick's level (long-cycle.ts); false without the filter. */
function longCycleExplains(s: SeriesState, c: Readonly<AnomalyConfig>, value: number, tsMs: number): boolean {
  if (s.longCycle === null || c.longCycleMaxPeriod === 0) return false;
  const typical = s.gaps.typicalMs;
  const short = s.seasonal?.view.period ?? 0;
  return s.longCycle.explains(value, tsMs, c.longCycleMargin, c.seasonalMaxPeriod * typical, short * typical);
}

/**
 * (3b) never-seen residual: a forecast error (in units of the forecaster's own error scale) more
 * than `residualTolerance` beyond the largest one seen since the learning period scores 1 — the
 * never-seen-level rule in residual space: a value this unpredictable has not occurred before.
 */
function neverSeenResidual(s: SeriesState, c: Readonly<AnomalyConfig>, f: Fallback, score: number): number {
  if (c.residualTolerance <= 0 || f.fb === null || !Number.isFinite(f.r)) return score;
  const max = s.maxResidual;
  if (s.ticks >= c.learningTicks && f.r > max) s.maxResidual = f.r;
  if (s.ticks >= c.rangeWarmupTicks && max > 0 && f.r > (1 + c.residualTolerance) * max) {
    driver = 'never-seen-residual';
    return 1;
  }
  return score;
}

/** `value` outside [lo, hi] by more than `tolerance` of its width (never for an empty or flat range). */
const beyond = (value: number, lo: number, hi: number, tolerance: number): boolean =>
  hi > lo && (value > hi + (hi - lo) * tolerance || value < lo - (hi - lo) * tolerance);

/**
 * (4) never-seen level (all-time, then recent), learning period, (5) damping of repeated surprise, (6) rest.
 * `r`: the fallback residual (Infinity without a forecast) — a never-seen level the forecaster
 * expected (a trend) does not fire. Returns the emitted score and the undamped level (alert
 * recovery follows the level).
 */
function finish(s: SeriesState, c: Readonly<AnomalyConfig>, value: number, score: number, r: number): { score: number; level: number } {
  const judged = s.ticks >= c.rangeWarmupTicks && r >= c.rangeMinResidual;
  if (judged && c.rangeTolerance > 0 && beyond(value, s.min, s.max, c.rangeTolerance)) {
    score = 1;
    driver = 'never-seen-level';
  } else if (judged && s.recentRange !== null && s.recentRange.full) {
    // The same rule over the recent values only: a level the series left long ago (recent-range.ts).
    if (s.recentRange.beyond(value, c.recentRangeTolerance, beyond)) {
      score = 1;
      driver = 'never-seen-recent';
    }
  }
  s.recentRange?.push(value);
  if (value < s.min) s.min = value;
  if (value > s.max) s.max = value;
  s.ticks++;
  if (s.ticks <= c.learningTicks) score = 0;
  // (5) surprise is news once: damp by the highest score of the last `refractoryTicks` ticks.
  const level = score;
  if (c.refractoryTicks > 0) {
    let recent = 0;
    const rt = s.recent;
    for (let i = 0; i < rt.length; i++) if (rt[i] > recent) recent = rt[i];
    rt[s.ticks % rt.length] = level;
    // (1 − 0)^p is 1 for every finite p: no pow on the ticks after nothing scored.
    score = recent === 0 && c.refractoryPower !== Infinity ? level : level * (1 - recent) ** c.refractoryPower;
  }
  // (6) rest after news: once a score reached `restLevel`, the next `restTicks` ticks score 0
  // unless they beat it (CAD OSE's rest period; NAB counts only the first detection of a window).
  // With restLevel 0 (default) every unsuppressed score is the reference: only a new local record
  // is news, so a surprise that keeps rising over consecutive ticks is reported once.
  if (c.restTicks > 0) {
    if (s.ticks - s.restSince < c.restTicks && score <= s.restScore) score = 0;
    else if (score >= c.restLevel) { s.restSince = s.ticks; s.restScore = score; }
  }
  s.lastScore = score;
  return { score, level };
}

export interface TickScore {
  score: number;
  level: number;
  /** The expectation the value was judged against (the model's when used, else the fallback's). */
  expected: Expectation | null;
  basis: 'model' | 'fallback';
  /** The view (or never-seen rule) that set the score. */
  view: SurpriseView;
  /** The gap clock's reading (../gap-clock.ts): the gap this tick ended (`intervals`, else 0) and the readings missed before it. */
  gap: GapTick;
}

/**
 * Score one finite value of this series against what came before it, then learn it. `tsMs`: the
 * tick's event time (NaN: none; then gaps are not seen), so that a sensor back from an outage is
 * not an anomaly for having moved meanwhile.
 */
export function scoreTick(s: SeriesState, c: Readonly<AnomalyConfig>, value: number, expected: Expectation | null, tsMs = NaN): TickScore {
  const g = gapStep(s.gaps, c, tsMs, s.forecaster, s.seasonal?.view ?? null);
  s.sinceGap = g.intervals > 0 || g.closed > 0 ? 0 : s.sinceGap + 1;
  const q = s.resolution?.step ?? 0;
  s.resolution?.learn(value);
  const f = fallbackView(s, c, value, g.divisor, q);
  const useModel = expected !== null && Number.isFinite(expected.p50);
  const r = useModel ? modelView(s, c, value, expected, f) : f.r;
  const lnQ = combinedLogTail(s, c, value, r, f.fb !== null || useModel, q, longCycleExplains(s, c, value, tsMs), volatilityStepDivisor(c, g));
  const { score, level } = finish(s, c, value, neverSeenResidual(s, c, f, tailScore(lnQ)), f.fb === null ? Infinity : f.rLevel);
  return { score, level, expected: useModel ? expected : f.expected, basis: useModel ? 'model' : 'fallback', view: driver, gap: g };
}
