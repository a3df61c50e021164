export { NAB_PROFILES, PROFILE_NAMES, type CostMatrix, type ProfileName } from './profiles.ts';
export {
  scaledSigmoid, probationLength, sweepFile, scoreByThreshold, scoreAtThreshold, bestThreshold,
  normaliseTimestamp, PROBATION_PERCENT, type SweepPoint, type ThresholdScore, type WindowLimits,
} from './sweeper.ts';
export { scoreCorpus, categoryOf, type ScoredFile, type GroupScore, type ProfileResult } from './corpus.ts';
export {
  parseDataCsv, readDataCsv, parseResultsCsv, formatResultsCsv, writeResultsCsv, readWindows,
  listCorpusFiles, type NabRow,
} from './io.ts';
export { alertRows, detectRows, nabTimestampMs, observeRows, type PipelineDetect } from './detect.ts';
export { linearExpectations, type LinearExpectationOptions } from './linear-expectation.ts';
export { leaveOneCategoryOut, type Candidate, type HeldOut, type LocoResult } from './loco.ts';
export { buildInjectedCorpus, injectFile, injectAt, hourlyTimestamp, INJECTION_KINDS, type InjectedFile, type InjectionKind, type SourceSeries } from './inject.ts';
export { parseM4Csv, readM4Hourly, type NamedSeries } from './m4.ts';
export { mulberry32, randInt, randReal, type Rng } from './rng.ts';
export { withOutages, DEFAULT_OUTAGES, type OutageOptions } from './outages.ts';
export { burstyCounts, poisson, DEFAULT_BURSTS, type BurstOptions } from './bursts.ts';
export { quantiseRows } from './quantise.ts';
export { withMissedReadings } from './missed-readings.ts';
