/**
 * What each anomaly detector setting means (its unit, range and effect): the `AnomalyConfig` type.
 * The defaults and the checks are config.ts, which re-exports the type; split from config.ts on 7 Dec
 * 2026, which was at the 300-line limit.
 * Units are in the names: `…Ticks` count observations of one series, `…Ms` is event time
 * (the tick timestamps, not the wall clock), scores are in [0, 1].
 */
export interface AnomalyConfig {
  /** Score at or above which a tick counts towards a `warning` alert. */
  warningThreshold: number;
  /** Score at or above which a firing alert is `critical`. */
  criticalThreshold: number;
  /** Debounce: fire when at least `debounceN` of the last `debounceM` ticks are ≥ warning. */
  debounceN: number;
  debounceM: number;
  /** After an alert fires, no new `firing` event for this series for this long (event time). */
  cooldownMs: number;
  /** A firing alert of a feature with no value for longer than this (event time, on its series' ticks without it: input.missingFeature carry) resolves, reason `stale`; 0: never. The service passes windows.idleEvictMs unless anomaly.staleFeatureMs is set. */
  staleFeatureMs: number;
  /** A firing alert resolves after this many consecutive ticks below `resolveBelow`. */
  recoveryTicks: number;
  resolveBelow: number;
  /** Ticks of a new series during which the score is 0 and no alert fires (the detector learns). */
  learningTicks: number;
  /** Values kept per series for the fallback forecaster (k-nearest-neighbour analogues). */
  historyTicks: number;
  /** Context length (ticks) compared between the present and past analogues. */
  contextTicks: number;
  /** Candidate stretches ending this close to the present are skipped (0: the previous step may match). */
  excludeRecentTicks: number;
  /** Compare stretches by shape (each minus its last value) instead of by level. */
  relativeContext: boolean;
  /** Number of analogues whose successors form the fallback forecast. */
  neighbours: number;
  /** Smoothing of the forecaster's own absolute error (EW mean), the error scale. */
  errorAlpha: number;
  /** Raw score of a residual r (in error-scale units): 1 − exp(−max(0, r − rawFloor) / rawScale). */
  rawScale: number;
  rawFloor: number;
  /**
   * Weight of the model's band view when the model supplied an expectation (0..1); the rest is the
   * fallback. 0 by default since issue 13 (second round): through the service path the band still
   * cost NAB points (docs/anomaly.md); the model then only supplies expected/lower/upper.
   */
  modelWeight: number;
  /** How the two residuals combine with a model expectation: 'mean' (by modelWeight), 'min' (both surprised), 'max' (either). */
  modelCombine: 'mean' | 'min' | 'max';
  /**
   * Earned trust: with 'mean', the model's weight is scaled per series by
   * min(1, (fallback error / model error)^2) — EW mean absolute errors of the two point forecasts
   * on that series — so a model that forecasts a series worse than the fallback loses its say
   * there, and a model that does better keeps the full `modelWeight`. 'off' uses `modelWeight` as is.
   */
  modelTrust: 'earned' | 'off';
  /** Floor of the model's half-band as a fraction of the fallback forecaster's half-band. */
  minBandRatio: number;
  /** Judge counts in log space: a feature whose first `learningTicks` values are non-negative integers skewed right (count-gate.ts). */
  countTransform: boolean;
  /** Floor the forecast and seasonal error scales at what rounding to a quantised series' step costs (resolution.ts). */
  resolutionFloor: boolean;
  /** Never-seen level at a recent time scale: beyond the range of the last ≈ this many ticks by `recentRangeTolerance` of it (0: off; recent-range.ts). */
  recentRangeTicks: number;
  recentRangeTolerance: number;
  /** z of the model's band edges (p10/p90 → 1.2816): turns band width into a residual scale. */
  bandZ: number;
  /** Anomaly likelihood: short average of raw scores vs. the distribution over the long window. */
  likelihoodShortTicks: number;
  likelihoodLongTicks: number;
  /** Lower bounds on the fitted raw-score distribution (quiet series do not alert on crumbs). */
  likelihoodMinMean: number;
  likelihoodMinStd: number;
  /** A value beyond the all-time range by this fraction of the range scores 1 (0 disables)… */
  rangeTolerance: number;
  /** …when the fallback's residual is ≥ this many error scales (a trend's new high is no news; 0: always). */
  rangeMinResidual: number;
  /**
   * Never-seen residual: a fallback residual more than this fraction beyond the largest seen since
   * the learning period scores 1 (from `rangeWarmupTicks` on; 0 disables).
   */
  residualTolerance: number;
  /** The never-seen-level rule applies only once a series has this many ticks (its range is known). */
  rangeWarmupTicks: number;
  /** A tick more than this many typical intervals after the last one ends a gap: residual ÷ √(interval/typical) (0: off, and no missed ticks). */
  gapFactor: number;
  /** On a series read on a clock, a tick a whole number 2 … `gapFactor` of intervals late follows missed readings, which the views fill in (../gap-clock.ts, missed-ticks.ts). */
  missedTicks: boolean;
  /** Learn the hours a feed reads in (../open-hours.ts): a tick after its closed hours (nights, weekends) follows no missed reading and ends no gap; the views fill nothing in (missed-ticks.ts gapStep). */
  openHours: boolean;
  /** After a gap or closure, until the median analogue can come from after it, forecast by shapes where they match better than levels (relevel.ts; nineteenth round). */
  gapRelevel: boolean;
  /** Twentieth round (gap-band.ts): after a gap or closure, `gapRangeResidual` widens only the error scale by √(interval/typical) in the never-seen-level rule's residual condition (the analogue spread added once); `closureVolatilityStep` divides the volatility view's step across closed hours by √(interval/typical). */
  gapRangeResidual: boolean;
  closureVolatilityStep: boolean;
  /** Surprise is news once: each score × (1 − the highest undamped score of the previous `refractoryTicks` ticks), so a lasting anomaly scores high on its first ticks only. 0 disables. */
  refractoryTicks: number;
  /** Exponent of the damping factor (1 − recent max). */
  refractoryPower: number;
  /**
   * Rest after news: after a score ≥ `restLevel`, scores not above it are 0 for `restTicks` ticks
   * (0 disables). With `restLevel` 0 (default) a tick is news only if it beats the last score that
   * was emitted within `restTicks` ticks: a rising or lingering surprise is reported once, at any
   * alert threshold (issue 13).
   */
  restTicks: number;
  restLevel: number;
  /** Series tracked at once; the least recently observed is forgotten beyond this. */
  maxSeries: number;
  /**
   * Second view: change in how much the series moves (volatility-view.ts), turned into its own
   * likelihood and combined with the forecast view's (the smaller tail probability, Bonferroni ×2).
   */
  volatilityView: boolean;
  /** Ticks of the short mean |Δ| of the volatility view. */
  volatilityShortTicks: number;
  /** EW weight of the volatility view's long-run mean |Δ|. */
  volatilityLongAlpha: number;
  /** Raw score of the log ratio r: 1 − exp(−max(0, |r| − volatilityFloor) / volatilityScale). */
  volatilityFloor: number;
  volatilityScale: number;
  /** Pattern views (pattern-view.ts), one per block size in ticks ([] disables): shapes of the last `patternWidth` block means matched against learned prototypes. */
  patternBlockTicks: readonly number[];
  patternWidth: number;
  patternPrototypes: number;
  /** A match farther than this multiple of the typical match distance founds a new category. */
  patternVigilance: number;
  /**
   * Context view after CAD OSE (context-view.ts): levels of the running range, the contexts of
   * the last 1..`contextOrder` levels, and the share of this tick's contexts not predicted;
   * its own likelihood, combined like the other views. Off by default (docs/anomaly.md).
   */
  contextView: boolean;
  /** Levels (bins) of the running range, 2..16. */
  contextBins: number;
  /** Longest left semi-context (levels), 1..6. */
  contextOrder: number;
  /** Left semi-contexts kept per series at most: a power of two, 16..65536 (memory: 8 + 4·bins bytes each). */
  contextCapacity: number;
  /** Seasonal view: a value unlike the same phase of the last cycles (seasonal-view.ts says what each key does). */
  seasonalView: boolean;
  seasonalMaxPeriod: number;
  seasonalMinPeriod: number;
  seasonalAcfWindow: number;
  seasonalDetectEvery: number;
  seasonalMinAcf: number;
  seasonalCycles: number;
  seasonalLevelTicks: number;
  seasonalLikelihoodTicks: number;
  seasonalFloor: number;
  seasonalScale: number;
  /** Long-cycle filter (long-cycle.ts): the longest period in hours (0: off), the margin in its error scales, the IANA time zone whose clock hours it keeps, and per-series zones (series-key prefix → zone, the longest matching prefix wins: zoneOf in local-hours.ts). */
  longCycleMaxPeriod: number;
  longCycleMargin: number;
  longCycleTimeZone: string;
  longCycleTimeZones: Readonly<Record<string, string>>;
}

/** The keys of the numeric settings (the range checks of config.ts). */
export type NumericKey = { [K in keyof AnomalyConfig]: AnomalyConfig[K] extends number ? K : never }[keyof AnomalyConfig];
