/**
 * Detector-only NAB run: stream one file's rows through `AnomalyDetector.observe` tick by tick,
 * in file order, with no model expectation (the detector's own fallback forecaster). The service
 * path (window store → micro-batcher → model → detector) plugs in through `PipelineDetect`.
 */
import { AnomalyDetector, type AnomalyConfig, type Observation } from '../../domain/anomaly/index.ts';
import { parseTimestamp } from '../../data/time.ts';
import type { NabRow } from './io.ts';

/**
 * A row's timestamp as UTC epoch ms (event time for the detector's cooldowns), read as `tickcast
 * train` reads a time column (../../data/time.ts): NAB's naive "YYYY-MM-DD HH:MM:SS" as UTC (the
 * same ms as before), ISO-8601 with `Z` or an offset, epoch seconds or ms. NaN when it is none.
 */
export function nabTimestampMs(ts: string): number {
  return parseTimestamp(ts);
}

/**
 * Contract for the service code path (provided by the pipeline, see docs/anomaly.md): score the
 * rows of one file as one series, one tick at a time, and return one score in [0, 1] per row.
 * `detector`: overrides of the detector's tuned defaults (benchmark experiments only; the
 * service's own configuration exposes the alert settings, not these).
 */
export type PipelineDetect = (rows: readonly NabRow[], series: string, detector?: Partial<AnomalyConfig>) => Promise<number[]>;

/** One file through a fresh detector (no state shared between files), one number per row read off each observation. */
export function observeRows(rows: readonly NabRow[], config: Partial<AnomalyConfig>, series: string, pick: (o: Observation) => number): number[] {
  const det = new AnomalyDetector(config);
  const out = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = pick(det.observe(series, nabTimestampMs(rows[i].timestamp), rows[i].value, null));
  return out;
}

/** Scores for one file from a fresh detector (no state shared between files). */
export function detectRows(rows: readonly NabRow[], config: Partial<AnomalyConfig> = {}, series = 'nab'): number[] {
  return observeRows(rows, config, series, (o) => o.score);
}

/**
 * The alerts the service would send for one file: 1 at each tick where the detector's alert state
 * machine fires (warning threshold, debounce, cooldown and severity escalation as configured), 0
 * elsewhere. Scored by NAB's rules at any threshold in (0, 1], this is what an operator gets,
 * where `detectRows` + NAB's threshold sweep is what the scores could give at their best threshold.
 */
export function alertRows(rows: readonly NabRow[], config: Partial<AnomalyConfig> = {}, series = 'nab'): number[] {
  return observeRows(rows, config, series, (o) => (o.event?.state === 'firing' ? 1 : 0));
}
