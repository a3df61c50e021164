/**
 * The anomaly detector: called once per tick per series, causal (a tick is scored only from what
 * came before it), bounded memory per series, no I/O, no wall clock (cooldowns run on the ticks'
 * own timestamps, so a replay gives the same alerts).
 *
 * Score of one tick:
 *  1. residual views, each in "σ units":
 *     - model view: |value − p50| divided by the half-band on the value's side (p50→upper or
 *       lower→p50) over `bandZ` — where the value falls in the model's band, scaled by its width;
 *     - fallback view: |value − analogue forecast| over the analogue forecaster's own recent
 *       absolute error (plus the analogues' spread);
 *     blended `modelWeight : 1 − modelWeight` when the model gave an expectation, fallback only
 *     otherwise (first ticks of a new series, or a model that is not loaded);
 *  2. raw score `1 − exp(−max(0, r − rawFloor) / rawScale)` in [0, 1);
 *  3. anomaly likelihood of the short average of raw scores against this series' own long-run
 *     distribution, log-scaled to [0, 1] (see likelihood.ts);
 *  4. a value outside the all-time range of the series by more than `rangeTolerance` of the
 *     range scores 1 (a level never seen before is always worth a look).
 * The first `learningTicks` ticks of a series score 0 and never alert.
 */
import { AlertState, type Severity } from './alert-state.ts';
import { AnalogueForecaster } from './analogue-forecaster.ts';
import { resolveAnomalyConfig, type AnomalyConfig } from './config.ts';
import { AnomalyLikelihood, tailScore } from './likelihood.ts';
import { PatternView } from './pattern-view.ts';
import { VolatilityView } from './volatility-view.ts';

/** The model's one-step-ahead forecast for this tick, made before the tick arrived. */
export interface Expectation {
  lower: number;
  p50: number;
  upper: number;
}

export interface AnomalyEvent {
  state: 'firing' | 'resolved';
  severity: Severity;
  series: string;
  tsMs: number;
  value: number;
  score: number;
  /** The expectation the score was judged against: the model's when given, else the fallback's. */
  expected: Expectation | null;
  /** 'model' when the model's band took part in the score, 'fallback' otherwise. */
  basis: 'model' | 'fallback';
}

export interface Observation {
  /** Anomaly score in [0, 1]. */
  score: number;
  event?: AnomalyEvent;
}

class SeriesState {
  ticks = 0;
  readonly forecaster: AnalogueForecaster;
  readonly likelihood: AnomalyLikelihood;
  readonly volatility: VolatilityView | null;
  readonly volLikelihood: AnomalyLikelihood | null;
  readonly patterns: Array<{ view: PatternView; likelihood: AnomalyLikelihood }>;
  readonly alert: AlertState;
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
  restSince = -Infinity;
  restScore = 0;
  /** Undamped scores of the last `refractoryTicks` ticks (ring). */
  readonly recent: Float64Array;

  constructor(c: Readonly<AnomalyConfig>) {
    this.recent = new Float64Array(Math.max(1, c.refractoryTicks));
    this.forecaster = new AnalogueForecaster(c.historyTicks, c.contextTicks, c.neighbours, c.excludeRecentTicks, c.relativeContext);
    this.likelihood = new AnomalyLikelihood(c.likelihoodShortTicks, c.likelihoodLongTicks, c.likelihoodMinMean, c.likelihoodMinStd);
    this.alert = new AlertState(c);
    this.volatility = c.volatilityView ? new VolatilityView(c.volatilityShortTicks, c.volatilityLongAlpha, c.volatilityFloor, c.volatilityScale) : null;
    this.patterns = c.patternBlockTicks.map((b) => ({
      view: new PatternView(b, c.patternWidth, c.patternPrototypes, c.patternVigilance),
      likelihood: new AnomalyLikelihood(2, Math.max(64, Math.round(c.likelihoodLongTicks / b)), c.likelihoodMinMean, c.likelihoodMinStd),
    }));
    this.volLikelihood = c.volatilityView ? new AnomalyLikelihood(c.likelihoodShortTicks, c.likelihoodLongTicks, c.likelihoodMinMean, c.likelihoodMinStd) : null;
  }
}

export class AnomalyDetector {
  readonly config: Readonly<AnomalyConfig>;
  /** Insertion order = recency order (re-inserted on every observation): the first key is the LRU. */
  private readonly series = new Map<string, SeriesState>();

  constructor(config: Partial<AnomalyConfig> = {}) {
    this.config = resolveAnomalyConfig(config);
  }

  /** Series currently tracked. */
  get size(): number {
    return this.series.size;
  }

  /** Drop all state of a series (evicted from the window store, deleted, or idle). */
  forget(series: string): boolean {
    return this.series.delete(series);
  }

  /** Phase and last score of a series, for the serving API (undefined when not tracked). */
  peek(series: string): { phase: 'normal' | 'firing'; severity: Severity; lastScore: number; ticks: number } | undefined {
    const s = this.series.get(series);
    return s && { phase: s.alert.phase, severity: s.alert.severity, lastScore: s.lastScore, ticks: s.ticks };
  }

  observe(series: string, tsMs: number, value: number, expected: Expectation | null): Observation {
    const c = this.config;
    let s = this.series.get(series);
    if (s === undefined) {
      s = new SeriesState(c);
      if (this.series.size >= c.maxSeries) {
        const lru = this.series.keys().next().value as string;
        this.series.delete(lru);
      }
    } else {
      this.series.delete(series);
    }
    this.series.set(series, s);
    if (!Number.isFinite(value)) return { score: s.lastScore };

    // (1) fallback view: forecast from the past only, then learn this value.
    const fb = s.forecaster.forecast();
    let rFallback = 0;
    let fbScale = 0;
    let fbExpected: Expectation | null = null;
    if (fb !== null) {
      const err = Math.abs(value - fb.p50);
      const scale = s.errScale + fb.spread;
      fbScale = scale;
      rFallback = scale > 0 ? err / scale : err > 0 ? Infinity : 0;
      // Bias-corrected EW mean: a plain running mean until 1/errorAlpha errors have been seen,
      // so the first scales are not dragged from 0. Errors are clipped at 10× the scale so one
      // outlier does not blind the detector to the next.
      s.fbErrors++;
      const a = Math.max(c.errorAlpha, 1 / s.fbErrors);
      s.errScale += a * (Math.min(err, s.fbErrors > 1 ? 10 * s.errScale : err) - s.errScale);
      const half = c.bandZ * scale;
      fbExpected = { lower: fb.p50 - half, p50: fb.p50, upper: fb.p50 + half };
    }
    s.forecaster.push(value);

    // model view
    let r = rFallback;
    const useModel = expected !== null && Number.isFinite(expected.p50);
    if (useModel) {
      // A band that is one-sided (a quantile equal to the median) or far narrower than what the
      // fallback forecaster can achieve is over-confident: floor the half-band at a quarter of
      // the full band and at `minBandRatio` of the fallback's own half-band.
      const side = value >= expected.p50 ? expected.upper - expected.p50 : expected.p50 - expected.lower;
      const half = Math.max(side, (expected.upper - expected.lower) / 4, c.minBandRatio * c.bandZ * fbScale);
      const dev = Math.abs(value - expected.p50);
      const rModel = half > 0 ? (dev * c.bandZ) / half : dev > 0 ? Infinity : 0;
      if (fb === null) r = rModel;
      else if (c.modelCombine === 'min') r = Math.min(rModel, rFallback);
      else if (c.modelCombine === 'max') r = Math.max(rModel, rFallback);
      else {
        let w = c.modelWeight;
        if (c.modelTrust === 'earned') {
          // Trust as of before this tick (causal), then learn from it.
          const trust = s.bothSeen < 10 || s.modelErr <= 0 ? 0 : Math.min(1, (s.fbErrBoth / s.modelErr) ** 8);
          w *= trust;
          s.bothSeen++;
          const a = Math.max(c.errorAlpha, 1 / s.bothSeen);
          s.modelErr += a * (dev - s.modelErr);
          s.fbErrBoth += a * (Math.abs(value - fb.p50) - s.fbErrBoth);
        }
        r = w * rModel + (1 - w) * rFallback;
      }
    }

    // (2) raw, (3) likelihood
    const raw = Number.isFinite(r) ? 1 - Math.exp(-Math.max(0, r - c.rawFloor) / c.rawScale) : 1;
    // The likelihood learns only from ticks that had a forecast (no warm-up transients).
    const judged = fb !== null || useModel;
    let lnQ = judged ? s.likelihood.update(raw) : 0;
    let views = 1;

    if (s.volatility !== null && s.volLikelihood !== null) {
      const vq = s.volLikelihood.update(s.volatility.update(value));
      if (vq < lnQ) lnQ = vq;
      views++;
    }
    for (const p of s.patterns) {
      const raw = p.view.update(value);
      const pq = raw < 0 ? 0 : p.likelihood.update(raw);
      if (pq < lnQ) lnQ = pq;
      views++;
    }
    if (views > 1) lnQ = Math.min(0, lnQ + Math.log(views));
    let score = tailScore(lnQ);

    // (4) never-seen level
    if (c.rangeTolerance > 0 && s.max > s.min && s.ticks >= c.rangeWarmupTicks) {
      const tol = (s.max - s.min) * c.rangeTolerance;
      if (value > s.max + tol || value < s.min - tol) score = 1;
    }
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
      score = level * (1 - recent) ** c.refractoryPower;
    }
    // (6) rest after news: once a score reached `restLevel`, the next `restTicks` ticks score 0
    // unless they beat it (CAD OSE's rest period; NAB counts only the first detection of a window).
    if (c.restTicks > 0) {
      if (s.ticks - s.restSince < c.restTicks && score <= s.restScore) score = 0;
      else if (score >= c.restLevel) { s.restSince = s.ticks; s.restScore = score; }
    }
    s.lastScore = score;
    const t = s.alert.step(score, level, tsMs);
    if (t === undefined) return { score };
    return {
      score,
      event: {
        state: t.state, severity: t.severity, series, tsMs, value, score,
        expected: useModel ? expected : fbExpected,
        basis: useModel ? 'model' : 'fallback',
      },
    };
  }
}
