import type { AnomalyConfig } from './config.ts';

/**
 * Per-series alert state machine: `normal` → `firing` → `normal`.
 *
 * - fires when at least N of the last M ticks scored ≥ warning (debounce), unless the previous
 *   firing of this series is less than `cooldownMs` of event time ago;
 * - severity is `critical` when any tick in the debounce window scored ≥ critical;
 * - a firing alert that escalates from warning to critical emits one more `firing` event
 *   (cooldown does not hold back an escalation);
 * - resolves after `recoveryTicks` consecutive ticks whose *level* (the undamped score, see
 *   detector.ts) is below `resolveBelow` (hysteresis): a long anomaly stays firing even though
 *   its damped score falls once it is no longer news. The debounce window starts empty after a
 *   resolve: a new alert needs N hot ticks of its own;
 * - `stale()`: the detector found the feature absent past `staleFeatureMs`: a firing alert resolves.
 */
export type Severity = 'warning' | 'critical';
export type AlertPhase = 'normal' | 'firing';

export interface AlertTransition {
  state: 'firing' | 'resolved';
  severity: Severity;
}

/** The alerting part of the detector's config (documented there). */
export type AlertRules = Pick<AnomalyConfig, 'warningThreshold' | 'criticalThreshold' | 'debounceN' | 'debounceM' | 'cooldownMs' | 'recoveryTicks' | 'resolveBelow'>;

function popcount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) c++;
  return c;
}

export class AlertState {
  phase: AlertPhase = 'normal';
  severity: Severity = 'warning';
  /** Bit i set: the tick i steps ago was ≥ warning (bit 0 = this tick). Same for critical. */
  private warnBits = 0;
  private critBits = 0;
  private calm = 0;
  private lastFiredMs = -Infinity;

  constructor(private readonly rules: AlertRules) {}

  /**
   * The series' clock stepped back to `tsMs`: its last tick was stamped ahead of when it was sent,
   * this one is on the true clock (docs/schemas.md § Event time). A firing stamped later than
   * `tsMs` — on the fast tick — counts its cooldown from here, not from its wrong time: one reading
   * stamped 2 h ahead that fired held back every new firing of its series for 2 h 30 min.
   */
  clockBack(tsMs: number): void {
    if (tsMs < this.lastFiredMs) this.lastFiredMs = tsMs;
  }

  /**
   * The feature has had no value for longer than `staleFeatureMs` (the detector's judgement): a
   * firing alert resolves (the caller labels it `stale`), and starts over as after any resolve —
   * an empty debounce window; the cooldown still runs from the last firing. Normal: nothing.
   */
  stale(): AlertTransition | undefined {
    return this.phase === 'firing' ? this.resolve() : undefined;
  }

  /** Advance by one tick; returns the transition this tick caused, if any. */
  step(score: number, level: number, tsMs: number): AlertTransition | undefined {
    const r = this.rules;
    const mask = r.debounceM >= 32 ? 0xffffffff : (1 << r.debounceM) - 1;
    this.warnBits = ((this.warnBits << 1) | (score >= r.warningThreshold ? 1 : 0)) & mask;
    this.critBits = ((this.critBits << 1) | (score >= r.criticalThreshold ? 1 : 0)) & mask;
    const hot = popcount(this.warnBits) >= r.debounceN;
    const sev: Severity = hot && this.critBits !== 0 ? 'critical' : 'warning';

    if (this.phase === 'normal') {
      if (hot && tsMs - this.lastFiredMs >= r.cooldownMs) {
        this.phase = 'firing';
        this.severity = sev;
        this.lastFiredMs = tsMs;
        this.calm = 0;
        return { state: 'firing', severity: sev };
      }
      return undefined;
    }
    // firing
    if (hot && sev === 'critical' && this.severity === 'warning') {
      this.severity = 'critical';
      this.lastFiredMs = tsMs;
      return { state: 'firing', severity: 'critical' };
    }
    this.calm = level < r.resolveBelow ? this.calm + 1 : 0;
    return this.calm >= r.recoveryTicks ? this.resolve() : undefined;
  }

  private resolve(): AlertTransition {
    this.phase = 'normal';
    this.calm = 0;
    // The hot ticks of the alert just resolved must not count toward a new one: with
    // debounceM > recoveryTicks they were still in the window and the next calm tick re-fired.
    this.warnBits = 0;
    this.critBits = 0;
    return { state: 'resolved', severity: this.severity };
  }
}
