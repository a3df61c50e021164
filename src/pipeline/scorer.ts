/**
 * The anomaly scorer the pipeline uses: the domain detector configured from the service config.
 * `detector` overrides the detector's tuned defaults (benchmarks only: `tickcast detect`'s bench path).
 */
import { AnomalyDetector, type AnomalyConfig } from '../domain/anomaly/index.ts';
import type { AnomalyScorer } from './ports.ts';

export interface ScorerSettings {
  warningThreshold?: number;
  criticalThreshold?: number;
  debounceN?: number;
  debounceM?: number;
  cooldownMs?: number;
  maxSeries?: number;
  seasonalView?: boolean;
}

export function createScorer(s: ScorerSettings, detector: Partial<AnomalyConfig> = {}): AnomalyScorer & AnomalyDetector {
  const overrides: Partial<AnomalyConfig> = { ...detector };
  for (const k of ['warningThreshold', 'criticalThreshold', 'debounceN', 'debounceM', 'cooldownMs', 'maxSeries'] as const) {
    if (s[k] !== undefined) overrides[k] = s[k];
  }
  // A benchmark's detector override wins over the service default here (the view is on by default).
  if (s.seasonalView !== undefined && detector.seasonalView === undefined) overrides.seasonalView = s.seasonalView;
  return new AnomalyDetector(overrides);
}
