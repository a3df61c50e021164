/**
 * The anomaly scorer with feedback applied: wraps the detector and holds back the alerts the
 * feedback policy says not to send (a raised bar after false positives, a maintenance span).
 * The detector itself is untouched: its scores, state and cooldowns run as before; only the
 * events that leave the scorer change.
 *
 * Per series and feature the gate remembers the alerts it holds back: a held-back alert's `resolved`
 * is held back too (no resolve without a firing), an escalation of a held-back alert is judged
 * again (and sent if it now reaches the bar). An escalation of a sent alert is always sent. Which
 * alerts were sent is not the gate's to keep: the series outlook owns the open, published alerts
 * (`published`, SeriesOutlook) and the gate reads them there, so the two cannot disagree (before
 * 7 Dec 2026 the gate kept a "sent" mark of its own, lost in a restart from a snapshot without
 * the gate's block: an escalation and resolve of an alert open downstream were then held back by
 * a maintenance span, and the alert stayed open for good). Without `published` (unit use) it
 * marks what it sent itself.
 *
 * An alert held back by a maintenance span (`expected`) that still fires when the span ends (or
 * when the feedback is withdrawn) is judged again on the first tick after it, and sent then if it
 * passes: once, as the firing record of the tick it fired on (its real start; the highest severity
 * reached while held, with the score and view that set it) with `heldUntilTs` set to the tick it
 * goes out on. docs/anomaly.md.
 *
 * With feedback off (`policy` null) the gate holds nothing back; it is there for what a snapshot
 * written with feedback on says was held back (maintenance span or false positive): still firing,
 * such an alert is sent on its feature's first live tick after the restart, the same way (real
 * start, `heldUntilTs`). Not on a quiet tick (the tail replayed after the snapshot publishes
 * nothing, and the run that handled those records live held it — unless that run had feedback off too and
 * crashed before a snapshot: then it is sent twice, same id; docs/anomaly.md): there it stays held, escalated. Before 7 Dec 2026 no gate was built with feedback off, the held alert was
 * dropped with its snapshot block, and the detector restored firing raised no page for it at all.
 */
import type { FeedbackPolicy, GateDecision } from '../domain/feedback/feedback-policy.ts';
import type { AnomalyEvent } from '../domain/anomaly/index.ts';
import type { AnomalyScorer, Expectation } from './ports.ts';

export interface FeedbackGateHooks {
  /** An alert was held back, and why. */
  suppressed?(series: string, reason: Exclude<GateDecision, 'pass'>): void;
  /** The owner of which alerts are open and were published (SeriesOutlook): the gate reads "sent" there. */
  published?: PublishedAlerts;
}

/** Alerts open and published, per series and feature (SeriesOutlook implements it). */
export interface PublishedAlerts {
  isOpen(series: string, feature: string): boolean;
  /** Features of the series whose alert is open and published. */
  openFeatures(series: string): readonly string[];
}

/** An open alert: sent, or held back (with the firing it would have sent, and why). */
export type OpenAlert = { sent: true } | { sent: false; reason: Exclude<GateDecision, 'pass'>; event: AnomalyEvent };

export class FeedbackGate implements AnomalyScorer {
  /** Held-back alerts per series and feature (and sent ones when no `published` owner is given). Entries go on resolve, release or forget. */
  readonly #open = new Map<string, Map<string, OpenAlert>>();

  constructor(
    private readonly inner: AnomalyScorer,
    /** Null: feedback off (nothing held back; holds restored from a snapshot are released). */
    private readonly policy: Pick<FeedbackPolicy, 'decide'> | null,
    private readonly hooks: FeedbackGateHooks = {},
  ) {}

  /** Series with an alert held back (diagnostics: app.stateSizes). */
  get size(): number {
    return this.#open.size;
  }

  stepBack(series: string, tsMs: number): void {
    this.inner.stepBack?.(series, tsMs);
  }

  observe(series: string, tsMs: number, value: number, expected: Expectation | null, feature = '', quiet = false): ReturnType<AnomalyScorer['observe']> {
    const o = this.inner.observe(series, tsMs, value, expected, feature, quiet);
    const ev = o.event;
    const open = this.#open.get(series)?.get(feature);
    const late = this.#releasable(open, quiet);
    if (ev === undefined) return late ? this.#overrun(o, series, feature, tsMs, late.event) : o;
    if (ev.state === 'resolved') {
      this.#unmark(series, feature);
      return open?.sent === false ? withoutEvent(o) : o;
    }
    if (open?.sent === true || (open === undefined && this.hooks.published?.isOpen(series, feature) === true)) return o; // escalation of an alert already sent
    if (open?.sent === false && late === null && this.policy === null) {
      this.#mark(series, feature, { ...open, event: escalated(open.event, ev) }); // feedback off, a quiet tick: held until a live one
      return withoutEvent(o);
    }
    const d = this.#judge(series, ev.tsMs, ev);
    // Held in a maintenance span: remember its first firing (the real start) at the severity reached.
    const held = late && d === 'expected' ? escalated(late.event, ev) : ev;
    this.#mark(series, feature, d === 'pass' ? { sent: true } : { sent: false, reason: d, event: held });
    // An escalation that ends a maintenance hold goes out as the held alert, late, like an overrun.
    if (d === 'pass') return late ? { ...o, event: { ...escalated(late.event, ev), heldUntilTs: ev.tsMs } } : o;
    this.hooks.suppressed?.(series, d);
    return withoutEvent(o);
  }

  /**
   * A tick of an alert held back by a maintenance span, the alert still firing: once no span
   * covers the tick, judge the held firing again; sent (late, `heldUntilTs`) if it passes now.
   */
  #overrun(o: ReturnType<AnomalyScorer['observe']>, series: string, feature: string, tsMs: number, held: AnomalyEvent): ReturnType<AnomalyScorer['observe']> {
    const d = this.#judge(series, tsMs, held);
    if (d === 'expected') return o; // a span still covers this tick
    this.#mark(series, feature, d === 'pass' ? { sent: true } : { sent: false, reason: d, event: held });
    return d === 'pass' ? { ...o, event: { ...held, heldUntilTs: tsMs } } : o;
  }

  /**
   * The held alert that is judged again on this tick and goes out late once it passes: one held by
   * a maintenance span, or with feedback off any hold a snapshot brought back (on a live tick). A
   * false-positive hold under feedback stays held until the alert resolves (or escalates): null.
   */
  #releasable(open: OpenAlert | undefined, quiet: boolean): (OpenAlert & { sent: false }) | null {
    if (open?.sent !== false) return null;
    if (this.policy === null) return quiet ? null : open;
    return open.reason === 'expected' ? open : null;
  }

  /**
   * The policy's decision on a firing at `tsMs` (always `pass` with feedback off). A critical alert passes any false-positive bar:
   * its severity can come from an earlier tick of its debounce window, its score (this tick's)
   * being below the critical threshold the bar is capped at — it was held back as noise.
   */
  #judge(series: string, tsMs: number, ev: AnomalyEvent): GateDecision {
    if (this.policy === null) return 'pass';
    const d = this.policy.decide(series, tsMs, ev.score, ev.view, ev.feature);
    return d === 'false_positive' && ev.severity === 'critical' ? 'pass' : d;
  }

  forget(series: string): void {
    this.#open.delete(series);
    this.inner.forget(series);
  }

  /**
   * What the gate knows of the series' open alerts, per feature (plain JSON), for the series-state
   * snapshot: restored with the detector state, a held-back alert still firing after a restart is
   * sent when its span ends, and an escalation of a sent one is still always sent.
   */
  exportSeries(series: string): Record<string, OpenAlert> | undefined {
    const held = this.#open.get(series);
    const sent = this.hooks.published?.openFeatures(series) ?? [];
    if (held === undefined && sent.length === 0) return undefined; // most series: no allocation at each snapshot
    const m = new Map<string, OpenAlert>(held);
    // Sent alerts are the outlook's; saved here too, as a release before 7 Dec 2026 reads them from this block.
    for (const f of sent) if (!m.has(f)) m.set(f, { sent: true });
    return m.size === 0 ? undefined : (JSON.parse(JSON.stringify(Object.fromEntries(m))) as Record<string, OpenAlert>);
  }

  /** Install what `exportSeries` saved (only with the detector state it went with); malformed features are skipped. */
  importSeries(series: string, saved: unknown): void {
    if (saved === null || typeof saved !== 'object') return;
    for (const [feature, v] of Object.entries(saved as Record<string, unknown>)) {
      const a = v as Partial<{ sent: boolean; reason: string; event: AnomalyEvent }> | null;
      if (a?.sent === true) this.#mark(series, feature, { sent: true });
      else if (a?.sent === false && (a.reason === 'expected' || a.reason === 'false_positive') && isHeldEvent(a.event)) this.#mark(series, feature, { sent: false, reason: a.reason, event: a.event });
    }
  }

  /** A sent alert is the `published` owner's (the outlook records it as the event leaves): the gate forgets its hold. */
  #mark(series: string, feature: string, state: OpenAlert): void {
    if (state.sent && this.hooks.published !== undefined) return this.#unmark(series, feature);
    let m = this.#open.get(series);
    if (!m) this.#open.set(series, (m = new Map()));
    m.set(feature, state);
  }

  #unmark(series: string, feature: string): void {
    const m = this.#open.get(series);
    m?.delete(feature);
    if (m?.size === 0) this.#open.delete(series);
  }
}

/**
 * A held firing at the severity an escalation reached: its real start (ts, value, band) with the
 * escalation's severity and the score and view that set it, so the released record is consistent
 * and is judged again on that score (a critical score passes any false-positive bar).
 */
function escalated(held: AnomalyEvent, ev: AnomalyEvent): AnomalyEvent {
  const { view: _firstView, ...start } = held;
  return { ...start, severity: ev.severity, score: ev.score, ...(ev.view !== undefined ? { view: ev.view } : {}) };
}

function isHeldEvent(e: unknown): e is AnomalyEvent {
  const x = e as Partial<AnomalyEvent> | null | undefined;
  return typeof x?.series === 'string' && typeof x.tsMs === 'number' && typeof x.score === 'number' && (x.severity === 'warning' || x.severity === 'critical') && x.state === 'firing';
}

/** The observation with its alert event held back (score, gap and missed readings kept). */
function withoutEvent(o: ReturnType<AnomalyScorer['observe']>): ReturnType<AnomalyScorer['observe']> {
  const { event: _held, ...rest } = o;
  return rest;
}
