/**
 * Scoring of one tick of ONE series (series-state.ts): the residual (residuals.ts), (2) its raw score
 * and (3) likelihood combined with the other views', the never-seen rules, the learning period,
 * (5) damping and (6) rest. See detector.ts for the steps and docs/anomaly.md for the reasoning.
 */
import type { AnomalyConfig } from './config.ts';
import type { GapTick } from '../gap-clock.ts';
import { volatilityStepDivisor } from './gap-band.ts';
import { lnCount, rawOf, tailScore } from './likelihood.ts';
import { gapStep } from './missed-ticks.ts';
import { fallbackView, modelView, type Fallback } from './residuals.ts';
import type { SeriesState } from './series-state.ts';
import type { Expectation, SurpriseView } from './views.ts';

/** Which view held the smallest tail probability in the last `combinedLogTail` (one call at a time). */
let driver: SurpriseView = 'forecast';

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
