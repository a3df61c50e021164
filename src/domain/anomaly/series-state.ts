/**
 * State of ONE series (or one feature of a multivariate series): the views of surprise, their
 * likelihoods, and what the never-seen rules, learning period and damping remember. The detector
 * (detector.ts) owns the map of these and the alert state machines; tick-score.ts scores a tick
 * against it (residuals.ts the residual). See detector.ts for the scoring steps and docs/anomaly.md
 * for the reasoning. Split into these three files on 7 Dec 2026 (series-state.ts was at the
 * 300-line limit).
 */
import { OWN_ARRAYS, type ArrayAlloc } from '../arena.ts';
import { AnalogueForecaster } from './analogue-forecaster.ts';
import type { AnomalyConfig } from './config.ts';
import { ContextView } from './context-view.ts';
import { GapClock } from '../gap-clock.ts';
import { LongCycle } from './long-cycle.ts';
import { AnomalyLikelihood } from './likelihood.ts';
import { PatternView } from './pattern-view.ts';
import { RecentRange } from './recent-range.ts';
import { Resolution } from './resolution.ts';
import { SeasonalView } from './seasonal-view.ts';
import { VolatilityView } from './volatility-view.ts';

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
