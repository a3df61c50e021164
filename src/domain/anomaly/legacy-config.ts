import type { AnomalyConfig } from './config.ts';

/** The detector as it was before the second view (issue 13): kept for the benchmark's old-vs-new tables. */
export const LEGACY_ANOMALY_CONFIG: Readonly<Partial<AnomalyConfig>> = Object.freeze({
  volatilityView: false,
  patternBlockTicks: [],
  contextView: false,
  seasonalView: false,
  learningTicks: 300,
  rangeWarmupTicks: 0,
  restTicks: 0,
  residualTolerance: 0,
  rangeMinResidual: 0,
  gapFactor: 0,
  missedTicks: false,
  openHours: false,
  gapRelevel: false,
  gapRangeResidual: false,
  closureVolatilityStep: false,
  countTransform: false,
  resolutionFloor: false,
  recentRangeTicks: 0,
  longCycleMaxPeriod: 0,
  modelWeight: 0.25,
});
