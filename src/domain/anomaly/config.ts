/**
 * Anomaly detector configuration: every default in one object, validated once, frozen (what each
 * setting means: the `AnomalyConfig` type, config-types.ts).
 * Units are in the names: `…Ticks` count observations of one series, `…Ms` is event time
 * (the tick timestamps, not the wall clock), scores are in [0, 1].
 */
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { MAX_CYCLES } from './seasonal-view.ts';
import { zoneProblems } from './local-hours.ts';
import type { AnomalyConfig, NumericKey } from './config-types.ts';

export type { AnomalyConfig } from './config-types.ts';

export const DEFAULT_ANOMALY_CONFIG: Readonly<AnomalyConfig> = Object.freeze({
  warningThreshold: 0.4,
  criticalThreshold: 0.7,
  debounceN: 1,
  debounceM: 1,
  cooldownMs: 30 * 60_000,
  staleFeatureMs: 6 * 60 * 60_000,
  recoveryTicks: 5,
  resolveBelow: 0.2,
  learningTicks: 150,
  historyTicks: 512,
  contextTicks: 4,
  excludeRecentTicks: 0,
  relativeContext: false,
  neighbours: 5,
  errorAlpha: 0.05,
  rawScale: 3,
  rawFloor: 1,
  modelWeight: 0,
  modelCombine: 'mean',
  modelTrust: 'earned',
  minBandRatio: 0.25,
  countTransform: true,
  resolutionFloor: true,
  recentRangeTicks: 500,
  recentRangeTolerance: 1,
  bandZ: 1.2816,
  likelihoodShortTicks: 10,
  likelihoodLongTicks: 2000,
  likelihoodMinMean: 0.03,
  likelihoodMinStd: 0.0173,
  rangeTolerance: 0.05,
  rangeMinResidual: 3,
  rangeWarmupTicks: 300,
  gapFactor: 3,
  missedTicks: true,
  openHours: true,
  gapRelevel: true, gapRangeResidual: true, closureVolatilityStep: true,
  residualTolerance: 0.5,
  refractoryTicks: 50,
  refractoryPower: 1,
  restTicks: 10,
  restLevel: 0,
  maxSeries: 10_000,
  volatilityView: true,
  volatilityShortTicks: 12,
  volatilityLongAlpha: 0.005,
  volatilityFloor: 0.7,
  volatilityScale: 3,
  patternBlockTicks: Object.freeze([] as number[]),
  patternWidth: 8, patternPrototypes: 64, patternVigilance: 3,
  contextView: false,
  contextBins: 8, contextOrder: 3, contextCapacity: 256,
  seasonalView: true,
  seasonalMaxPeriod: 340,
  seasonalMinPeriod: 12,
  seasonalAcfWindow: 1024,
  seasonalDetectEvery: 1000,
  seasonalMinAcf: 0.3,
  seasonalCycles: 3,
  seasonalLevelTicks: 24,
  seasonalLikelihoodTicks: 500,
  seasonalFloor: 1,
  seasonalScale: 3,
  longCycleMaxPeriod: 200,
  longCycleMargin: 3,
  longCycleTimeZone: 'UTC',
  longCycleTimeZones: Object.freeze({}),
});

function checkContext(c: AnomalyConfig, errs: string[]): void {
  if (typeof c.contextView !== 'boolean') errs.push(`contextView must be a boolean; got ${String(c.contextView)}`);
  if (!Number.isInteger(c.contextBins) || c.contextBins < 2 || c.contextBins > 16) errs.push(`contextBins must be an integer in [2, 16]; got ${c.contextBins}`);
  if (!Number.isInteger(c.contextOrder) || c.contextOrder < 1 || c.contextOrder > 6) errs.push(`contextOrder must be an integer in [1, 6]; got ${c.contextOrder}`);
  const cap = c.contextCapacity;
  if (!Number.isInteger(cap) || cap < 16 || cap > 65536 || (cap & (cap - 1)) !== 0) errs.push(`contextCapacity must be a power of two in [16, 65536]; got ${cap}`);
}

function checkSeasonal(c: AnomalyConfig, errs: string[]): void {
  const int = (k: keyof AnomalyConfig, lo: number, hi: number): void => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) errs.push(`${k} must be an integer in [${lo}, ${hi}]; got ${v}`);
  };
  if (typeof c.seasonalView !== 'boolean') errs.push(`seasonalView must be a boolean; got ${String(c.seasonalView)}`);
  int('seasonalMinPeriod', 2, 100_000);
  int('seasonalMaxPeriod', c.seasonalMinPeriod, 100_000);
  int('seasonalAcfWindow', 2 * c.seasonalMinPeriod, 1_000_000);
  int('seasonalDetectEvery', 1, 1_000_000);
  int('seasonalCycles', 1, MAX_CYCLES);
  int('seasonalLevelTicks', 0, 100_000);
  int('seasonalLikelihoodTicks', 16, 100_000);
  if (!(c.seasonalMinAcf > 0 && c.seasonalMinAcf < 1)) errs.push(`seasonalMinAcf must be in (0, 1); got ${c.seasonalMinAcf}`);
  if (!(Number.isFinite(c.seasonalFloor) && c.seasonalFloor >= 0)) errs.push(`seasonalFloor must be a finite number ≥ 0; got ${c.seasonalFloor}`);
  if (!(c.seasonalScale > 0)) errs.push(`seasonalScale must be > 0; got ${c.seasonalScale}`);
  if (c.longCycleMaxPeriod !== 0) int('longCycleMaxPeriod', 2, 100_000);
  if (!(Number.isFinite(c.longCycleMargin) && c.longCycleMargin >= 0)) errs.push(`longCycleMargin must be a finite number ≥ 0; got ${c.longCycleMargin}`);
  errs.push(...zoneProblems(c.longCycleTimeZone, c.longCycleTimeZones));
}

/** Merge overrides onto the defaults, check every field at once, freeze. */
export function resolveAnomalyConfig(overrides: Partial<AnomalyConfig> = {}): Readonly<AnomalyConfig> {
  const c: AnomalyConfig = { ...DEFAULT_ANOMALY_CONFIG, ...overrides };
  const errs: string[] = [];
  const unit = (k: NumericKey): void => { if (!(c[k] >= 0 && c[k] <= 1)) errs.push(`${k} must be in [0, 1]; got ${c[k]}`); };
  const posInt = (k: NumericKey, min = 1): void => { if (!Number.isInteger(c[k]) || c[k] < min) errs.push(`${k} must be an integer ≥ ${min}; got ${c[k]}`); };
  const nonNeg = (k: NumericKey): void => { if (!(Number.isFinite(c[k]) && c[k] >= 0)) errs.push(`${k} must be a finite number ≥ 0; got ${c[k]}`); };
  (['warningThreshold', 'criticalThreshold', 'resolveBelow', 'modelWeight', 'likelihoodMinMean', 'likelihoodMinStd'] as const).forEach(unit);
  (['debounceN', 'debounceM', 'recoveryTicks', 'contextTicks', 'neighbours', 'likelihoodShortTicks', 'maxSeries'] as const).forEach((k) => posInt(k));
  if (!(c.refractoryPower > 0)) errs.push(`refractoryPower must be > 0; got ${c.refractoryPower}`);
  posInt('historyTicks', 16);
  (['learningTicks', 'refractoryTicks', 'excludeRecentTicks', 'rangeWarmupTicks', 'restTicks', 'recentRangeTicks'] as const).forEach((k) => posInt(k, 0));
  unit('restLevel');
  posInt('patternWidth', 2); posInt('patternPrototypes', 1);
  if (!(c.patternVigilance > 0)) errs.push(`patternVigilance must be > 0; got ${c.patternVigilance}`);
  if (!Array.isArray(c.patternBlockTicks) || c.patternBlockTicks.some((b) => !Number.isInteger(b) || b < 1)) errs.push(`patternBlockTicks must be a list of integers ≥ 1; got ${JSON.stringify(c.patternBlockTicks)}`);
  posInt('volatilityShortTicks', 2);
  checkContext(c, errs); checkSeasonal(c, errs);
  nonNeg('volatilityFloor');
  if (!(c.volatilityScale > 0)) errs.push(`volatilityScale must be > 0; got ${c.volatilityScale}`);
  if (typeof c.volatilityView !== 'boolean') errs.push(`volatilityView must be a boolean; got ${String(c.volatilityView)}`);
  if (!(c.volatilityLongAlpha > 0 && c.volatilityLongAlpha <= 1)) errs.push(`volatilityLongAlpha must be in (0, 1]; got ${c.volatilityLongAlpha}`);
  posInt('likelihoodLongTicks', 16);
  (['cooldownMs', 'staleFeatureMs', 'rawFloor', 'rangeTolerance', 'rangeMinResidual', 'minBandRatio', 'residualTolerance', 'recentRangeTolerance'] as const).forEach(nonNeg);
  if (!['earned', 'off'].includes(c.modelTrust)) errs.push(`modelTrust must be 'earned' or 'off'; got ${String(c.modelTrust)}`);
  if (!['mean', 'min', 'max'].includes(c.modelCombine)) errs.push(`modelCombine must be 'mean', 'min' or 'max'; got ${String(c.modelCombine)}`);
  (['relativeContext', 'countTransform', 'resolutionFloor', 'missedTicks', 'openHours', 'gapRelevel', 'gapRangeResidual', 'closureVolatilityStep'] as const).forEach((k) => { if (typeof c[k] !== 'boolean') errs.push(`${k} must be a boolean; got ${String(c[k])}`); });
  if (!(c.rawScale > 0)) errs.push(`rawScale must be > 0; got ${c.rawScale}`);
  if (!(c.bandZ > 0)) errs.push(`bandZ must be > 0; got ${c.bandZ}`);
  if (!(c.errorAlpha > 0 && c.errorAlpha <= 1)) errs.push(`errorAlpha must be in (0, 1]; got ${c.errorAlpha}`);
  if (c.criticalThreshold < c.warningThreshold) errs.push(`criticalThreshold (${c.criticalThreshold}) must be ≥ warningThreshold (${c.warningThreshold})`);
  if (c.resolveBelow > c.warningThreshold) errs.push(`resolveBelow (${c.resolveBelow}) must be ≤ warningThreshold (${c.warningThreshold})`);
  if (c.debounceN > c.debounceM) errs.push(`debounceN (${c.debounceN}) must be ≤ debounceM (${c.debounceM})`);
  if (c.debounceM > 32) errs.push(`debounceM must be ≤ 32 (kept as a bit mask); got ${c.debounceM}`);
  if (!(c.gapFactor === 0 || c.gapFactor >= 1)) errs.push(`gapFactor must be 0 (off) or ≥ 1; got ${c.gapFactor}`);
  if (c.learningTicks < c.contextTicks + c.neighbours + c.excludeRecentTicks + 1) errs.push(`learningTicks (${c.learningTicks}) must be ≥ contextTicks + neighbours + 1 so every alert has a fallback expectation`);
  if (c.contextTicks + c.neighbours + c.excludeRecentTicks + 2 > c.historyTicks) errs.push(`historyTicks (${c.historyTicks}) must exceed contextTicks + neighbours + 2`);
  if (errs.length > 0) throw new TickcastError(ErrorCodes.CONFIG_INVALID, `invalid anomaly config: ${errs.join('; ')}`, { details: { errors: errs } });
  return Object.freeze(c);
}
