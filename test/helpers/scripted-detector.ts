/**
 * A detector scripted by the minute, for tests of what happens to alert events after the detector
 * (gate, outlook, records): on feature `value`, ticks at k × 60 s, it fires a warning (score 0.5)
 * at minute `fire`, escalates to critical (0.95) at `escalate` and resolves at `resolve`; every
 * other tick scores 0.1 with no event. `config`: the thresholds the feedback gate's bar is built
 * from (warning 0.4, critical 0.7).
 */
import type { AnomalyScorer } from '../../src/pipeline/ports.ts';

export type ScriptedDetector = AnomalyScorer & { config: { warningThreshold: number; criticalThreshold: number } };

export function scriptedDetector(at: { fire: number; escalate: number; resolve: number }): ScriptedDetector {
  return {
    config: { warningThreshold: 0.4, criticalThreshold: 0.7 },
    observe(series, tsMs, value) {
      const k = tsMs / 60_000;
      const base = { series, feature: 'value', tsMs, value, expected: null, basis: 'fallback' as const };
      if (k === at.fire) return { score: 0.5, event: { ...base, score: 0.5, severity: 'warning' as const, state: 'firing' as const, view: 'forecast' as const } };
      if (k === at.escalate) return { score: 0.95, event: { ...base, score: 0.95, severity: 'critical' as const, state: 'firing' as const, view: 'forecast' as const } };
      if (k === at.resolve) return { score: 0.1, event: { ...base, score: 0.1, severity: 'critical' as const, state: 'resolved' as const } };
      return { score: 0.1 };
    },
    forget() {},
  };
}
