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
}

export function createScorer(s: ScorerSettings, detector: Partial<AnomalyConfig> = {}): AnomalyScorer & AnomalyDetector {
  const overrides: Partial<AnomalyConfig> = { ...detector };
  for (const k of ['warningThreshold', 'criticalThreshold', 'debounceN', 'debounceM', 'cooldownMs', 'maxSeries'] as const) {
    if (s[k] !== undefined) overrides[k] = s[k];
  }
  return new AnomalyDetector(overrides);
}
