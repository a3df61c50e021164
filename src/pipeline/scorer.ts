/**
 * The anomaly scorer the pipeline uses: the domain detector configured from the service config.
 * `detector` overrides the detector's tuned defaults and the service settings (benchmarks only:
 * `tickcast detect`'s bench path).
 */
import { AnomalyDetector, type AnomalyConfig } from '../domain/anomaly/index.ts';
import type { AnomalyScorer } from './ports.ts';

export interface ScorerSettings {
  warningThreshold?: number;
  criticalThreshold?: number;
  debounceN?: number;
  debounceM?: number;
  cooldownMs?: number;
  staleFeatureMs?: number;
  maxSeries?: number;
  seasonalView?: boolean;
  gapFactor?: number;
  missedTicks?: boolean;
  openHours?: boolean;
  countTransform?: boolean;
  resolutionFloor?: boolean;
  recentRangeTicks?: number;
  longCycleMaxPeriod?: number;
  longCycleTimeZone?: string;
  longCycleTimeZones?: Record<string, string>;
}

export function createScorer(s: ScorerSettings, detector: Partial<AnomalyConfig> = {}): AnomalyScorer & AnomalyDetector {
  const settings: Partial<AnomalyConfig> = {};
  for (const k of ['warningThreshold', 'criticalThreshold', 'debounceN', 'debounceM', 'cooldownMs', 'staleFeatureMs', 'maxSeries', 'seasonalView', 'gapFactor', 'missedTicks', 'openHours', 'countTransform', 'resolutionFloor', 'recentRangeTicks', 'longCycleMaxPeriod', 'longCycleTimeZone', 'longCycleTimeZones'] as const) {
    if (s[k] !== undefined) (settings as Record<string, unknown>)[k] = s[k];
  }
  return new AnomalyDetector({ ...settings, ...detector });
}
