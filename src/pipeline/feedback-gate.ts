/**
 * The anomaly scorer with feedback applied: wraps the detector and holds back the alerts the
 * feedback policy says not to send (a raised bar after false positives, a maintenance span).
 * The detector itself is untouched: its scores, state and cooldowns run as before; only the
 * events that leave the scorer change.
 *
 * Per series and feature the gate remembers whether the alert now open was sent or held back: a held-back
 * alert's `resolved` is held back too (no resolve without a firing), an escalation of a held-back
 * alert is judged again (and sent if it now reaches the bar), an escalation of a sent alert is
 * always sent.
 */
import type { FeedbackPolicy, GateDecision } from '../domain/feedback/feedback-policy.ts';
import type { AnomalyScorer, Expectation } from './ports.ts';

export interface FeedbackGateHooks {
  /** An alert was held back, and why. */
  suppressed?(series: string, reason: Exclude<GateDecision, 'pass'>): void;
}

export class FeedbackGate implements AnomalyScorer {
  /** Open alerts per series and feature: true = sent, false = held back. Entries go on resolve or forget. */
  readonly #open = new Map<string, Map<string, boolean>>();

  constructor(
    private readonly inner: AnomalyScorer,
    private readonly policy: FeedbackPolicy,
    private readonly hooks: FeedbackGateHooks = {},
  ) {}

  observe(series: string, tsMs: number, value: number, expected: Expectation | null, feature = ''): ReturnType<AnomalyScorer['observe']> {
    const o = this.inner.observe(series, tsMs, value, expected, feature);
    const ev = o.event;
    if (ev === undefined) return o;
    const byFeature = this.#open.get(series);
    const open = byFeature?.get(feature);
    if (ev.state === 'resolved') {
      byFeature?.delete(feature);
      if (byFeature?.size === 0) this.#open.delete(series);
      return open === false ? withoutEvent(o) : o;
    }
    if (open === true) return o; // escalation of an alert already sent
    const d = this.policy.decide(series, ev.tsMs, ev.score, ev.view);
    this.#mark(series, feature, d === 'pass');
    if (d === 'pass') return o;
    this.hooks.suppressed?.(series, d);
    return withoutEvent(o);
  }

  forget(series: string): void {
    this.#open.delete(series);
    this.inner.forget(series);
  }

  #mark(series: string, feature: string, sent: boolean): void {
    let m = this.#open.get(series);
    if (!m) this.#open.set(series, (m = new Map()));
    m.set(feature, sent);
  }
}

/** The observation with its alert event held back (score, gap and missed readings kept). */
function withoutEvent(o: ReturnType<AnomalyScorer['observe']>): ReturnType<AnomalyScorer['observe']> {
  const { event: _held, ...rest } = o;
  return rest;
}
