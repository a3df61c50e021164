/**
 * Alert feedback as a use case: check it, find the alert it is about, make it durable, then let
 * it act (FeedbackPolicy). One path for REST, MCP and the feedback topic.
 *
 * Order: the store append (fsync'd) happens before the policy changes, so an acknowledged
 * feedback survives a crash; a failed write changes nothing and surfaces as an error (HTTP 500,
 * or the topic record is retried). Applying the same feedback twice is harmless (upsert by alert
 * id), which is what at-least-once topic delivery needs.
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { parseFeedbackInput, type FeedbackChannel, type FeedbackEntry, type FeedbackInput, type Verdict } from '../domain/feedback/feedback.ts';
import type { FeedbackPolicy, SeriesFeedbackState } from '../domain/feedback/feedback-policy.ts';
import type { AlertIndex, IndexedAlert } from './alert-index.ts';
import type { FeedbackStore } from './feedback-store-port.ts';
import { ID_LAYOUT } from './snapshot/legacy-ids.ts';
export type { FeedbackLogOp, FeedbackStore } from './feedback-store-port.ts';

/** The alert a feedback is about, when it is not (or no longer) in the index: what the index keeps of one. */
export type AlertRef = IndexedAlert;

export interface FeedbackResult {
  /** The alert the feedback is on: the id given, or the firing id a resolved record's id named (`resolvedId`). */
  alertId: string;
  /** The id given, when it was a resolved record's: the feedback applies to its firing record (`alertId`). */
  resolvedId?: string;
  series: string;
  /** The feedback now in effect (null after `clear`). */
  feedback: FeedbackEntry | null;
  /** The series' feedback state at the alert's time after this change. */
  effect: SeriesFeedbackState;
}

export interface FeedbackServiceDeps {
  policy: FeedbackPolicy;
  index: AlertIndex;
  /** An alert still firing, by id, beyond the index (the index may have dropped it, or start empty at a restart without a snapshot). */
  openAlert?: (id: string) => { series: string; ts: number; score: number; view?: string; feature?: string } | undefined;
  store: FeedbackStore | null;
  /** Default maintenance span of an `expected` verdict. */
  expectedSpanMs: number;
  now?: () => number;
  /** Called after each change is stored and in effect (metrics). */
  onRecorded?: (verdict: Verdict | 'clear', channel: FeedbackChannel, entries: number) => void;
  /**
   * Hand REST/MCP feedback to the other instances (the feedback topic). Called after the change is
   * stored and in effect here; a failure is reported through `onPublishError` and does not undo it.
   */
  publish?: (record: Record<string, unknown>) => Promise<void>;
  onPublishError?: (err: unknown) => void;
  /** A rewrite of the log (compaction) failed; the log is whole and is compacted again later. */
  onCompactError?: (err: unknown) => void;
}

export class FeedbackService {
  readonly #d: FeedbackServiceDeps;
  readonly #now: () => number;

  constructor(deps: FeedbackServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Load stored feedback into the policy (at start). Returns how many entries are in effect. */
  async load(): Promise<number> {
    if (this.#d.store === null) return 0;
    for (const e of await this.#d.store.load()) this.#d.policy.apply(e);
    await this.#compact();
    return this.#d.policy.size;
  }

  /**
   * Move the feedback on each series `rename` maps to another onto that id: a series-state snapshot
   * of an older id layout was restored (src/pipeline/snapshot/legacy-ids.ts), and the device ticks
   * under the new id now. The log is rewritten (compacted, in order; a store without `compact`: each
   * moved entry appended as a `set` line), so later starts read them under the new id. In effect
   * before the write: when it fails (thrown), the log names the old id again after a restart. Returns
   * how many moved. Before 7 Dec 2026 (night) they stayed on the old id: a false positive's raised
   * bar or an `expected` span no longer reached the device. A moved entry is marked (`idLayout`) and
   * never moved again: a start that reads the same older snapshot again (a crash, or another pod on
   * the shared log, before a snapshot of this build is written) moved "dev::"'s feedback, on "dev:"
   * after the first, on to "dev" — another device's id (until 7 Dec 2026, night).
   */
  async renameSeries(rename: (id: string) => string | null, idLayout: number): Promise<number> {
    const all = this.#d.policy.entries();
    const moved = all.map((e) => ({ e, to: e.idLayout === undefined ? rename(e.series) : null })).filter(({ e, to }) => to !== null && to !== e.series);
    if (moved.length === 0) return 0;
    const next = new Map(moved.map(({ e, to }) => [e.alertId, { ...e, series: to!, idLayout }] as const));
    for (const e of all) this.#d.policy.remove(e.alertId);
    for (const e of all) this.#d.policy.apply(next.get(e.alertId) ?? e);
    // In effect already: a failed write leaves the old id on disk only. A rewrite keeps the order (appended lines would make them the newest).
    const store = this.#d.store;
    if (store?.compact !== undefined) await store.compact(this.#d.policy.entries());
    else for (const entry of next.values()) await store?.append({ op: 'set', entry });
    return moved.length;
  }

  /**
   * Give (or, with verdict `clear`, withdraw) feedback on alert `alertId`. `body` is checked here
   * (the same rules on every channel); `ref` is used when the id is not indexed. `actor` is the
   * principal the channel authenticated (never taken from `body`): it is recorded as the entry's
   * `actor`, while the body's `by` stays the caller's own free-text claim.
   */
  async give(alertId: string, body: unknown, channel: FeedbackChannel, ref?: AlertRef, actor?: string): Promise<FeedbackResult> {
    const firingId = this.#d.index.firingIdOf(alertId);
    if (firingId !== undefined) return { ...(await this.give(firingId, body, channel, ref, actor)), resolvedId: alertId };
    const input = parseFeedbackInput(body);
    if (input.verdict === 'clear' && channel === 'kafka' && this.#d.policy.get(alertId) === undefined) {
      // Already clear (e.g. our own publication coming back): nothing to do, nothing to dead-letter.
      return { alertId, series: ref?.series ?? '', feedback: null, effect: this.#d.policy.state(ref?.series ?? '', ref?.ts ?? 0) };
    }
    const alert = this.#locate(alertId, ref, input);
    if (input.verdict === 'clear') return this.clear(alertId, channel, actor);
    const entry = this.#entry(alertId, alert, input as FeedbackInput & { verdict: Verdict }, channel);
    if (actor !== undefined) entry.actor = actor;
    if (alert.idLayout !== undefined) entry.idLayout = alert.idLayout;
    const prior = this.#d.policy.get(alertId);
    if (prior !== undefined && sameFeedback(prior, entry)) {
      // A redelivered topic record, or our own publication coming back: nothing changes.
      return { alertId, series: prior.series, feedback: shown(prior), effect: this.#d.policy.state(prior.series, prior.alertTs) };
    }
    await this.#d.store?.append({ op: 'set', entry });
    this.#d.policy.apply(entry);
    await this.#compact();
    this.#d.onRecorded?.(entry.verdict, channel, this.#d.policy.size);
    if (channel !== 'kafka') await this.#publish(topicRecord(entry));
    return { alertId, series: entry.series, feedback: shown(entry), effect: this.#d.policy.state(entry.series, entry.alertTs) };
  }

  /**
   * Withdraw the feedback on an alert (DELETE, or verdict `clear`). 404 when there is none.
   * `actor`: the principal the channel authenticated (as for `give`), stored on the log line and
   * the published topic record.
   */
  async clear(alertId: string, channel: FeedbackChannel = 'http', actor?: string): Promise<FeedbackResult> {
    const firingId = this.#d.index.firingIdOf(alertId);
    if (firingId !== undefined) return { ...(await this.clear(firingId, channel, actor)), resolvedId: alertId };
    const had = this.#d.policy.get(alertId);
    if (had === undefined) {
      throw new TickcastError(ErrorCodes.ALERT_NOT_FOUND, `alert "${alertId}" has no feedback to clear`, {
        statusCode: 404,
        details: { hint: 'GET /v1/feedback lists the feedback in effect' },
      });
    }
    await this.#d.store?.append({ op: 'clear', alertId, at: this.#now(), ...(actor !== undefined ? { actor } : {}), channel });
    this.#d.policy.remove(alertId);
    await this.#compact();
    this.#d.onRecorded?.('clear', channel, this.#d.policy.size);
    if (channel !== 'kafka') await this.#publish({ alertId, verdict: 'clear', ...(actor !== undefined ? { actor } : {}) });
    return { alertId, series: had.series, feedback: null, effect: this.#d.policy.state(had.series, had.alertTs) };
  }

  list(opts: { series?: string; verdict?: Verdict; limit: number }): FeedbackEntry[] {
    return this.#d.policy.list(opts).map(shown);
  }

  /** Feedback state of a series now-ish (at `atTs`, event time) plus its confirmed anomalies. */
  seriesState(series: string, atTs: number): (SeriesFeedbackState & { confirmed: FeedbackEntry[] }) | null {
    const confirmed = this.#d.policy.list({ series, verdict: 'confirmed', limit: 20 });
    const state = this.#d.policy.state(series, atTs);
    const any = state.counts.false_positive + state.counts.confirmed + state.counts.expected > 0;
    return any ? { ...state, confirmed } : null;
  }

  /**
   * Keep the log near the entries the policy holds: superseded and cleared lines, and entries the
   * policy dropped (feedback.maxPerSeries, maxEntries), would otherwise pile up on disk for as long
   * as the service runs, and be read again at every start. The change is durable already, so a
   * failed rewrite is left for the next one (the log still holds everything).
   */
  async #compact(): Promise<void> {
    const store = this.#d.store;
    if (store?.compact === undefined || store.lines === undefined) return;
    if (store.lines <= 2 * this.#d.policy.size + 64) return;
    await store.compact(this.#d.policy.entries()).catch((err: unknown) => this.#d.onCompactError?.(err));
  }

  async #publish(record: Record<string, unknown>): Promise<void> {
    if (this.#d.publish === undefined) return;
    try {
      await this.#d.publish(record);
    } catch (err) {
      this.#d.onPublishError?.(err);
    }
  }

  #locate(alertId: string, ref: AlertRef | undefined, input: FeedbackInput): AlertRef & { idLayout?: number } {
    // An alert this instance indexed or holds open is named by this build's ids: marked with their layout, so a
    // restore of an older snapshot (again, after a crash before this build wrote one) never moves its feedback (until
    // 7 Dec 2026, night, such feedback on "dev:" — bn "dev::"'s id now — was moved on to "dev", another device's).
    // A topic record's own description (`ref`) may come from an older build: left unmarked.
    const rec = this.#d.index.get(alertId) ?? this.#d.openAlert?.(alertId);
    if (rec !== undefined) return { ...withScope({ series: rec.series, ts: rec.ts, score: rec.score }, rec.view, rec.feature), idLayout: ID_LAYOUT };
    const prior = this.#d.policy.get(alertId);
    if (prior !== undefined) return { ...withScope({ series: prior.series, ts: prior.alertTs, score: prior.score }, prior.view, prior.feature), ...(prior.idLayout !== undefined ? { idLayout: prior.idLayout } : {}) };
    if (ref !== undefined && input.verdict !== 'clear') return ref;
    throw new TickcastError(ErrorCodes.ALERT_NOT_FOUND, `alert "${alertId}" is not among the recent firing alerts of this instance`, {
      statusCode: 404,
      details: { hint: 'take ids from GET /v1/anomalies (the "id" of a firing record, or the "firingId" of a resolved one); the index keeps the last feedback.alertIndexSize alerts' },
    });
  }

  #entry(alertId: string, a: AlertRef, input: FeedbackInput & { verdict: Verdict }, channel: FeedbackChannel): FeedbackEntry {
    const e: FeedbackEntry = { alertId, series: a.series, alertTs: a.ts, score: a.score, verdict: input.verdict, channel, at: this.#now() };
    if (a.view !== undefined) e.view = a.view;
    if (a.feature !== undefined) e.feature = a.feature;
    if (input.verdict === 'expected') e.untilTs = a.ts + (input.durationMs ?? this.#d.expectedSpanMs);
    if (input.note !== undefined) e.note = input.note;
    if (input.by !== undefined) e.by = input.by;
    return e;
  }
}

/** The alert's view and feature, when known: what a false positive's raise applies to. */
function withScope(a: AlertRef, view: string | undefined, feature: string | undefined): AlertRef {
  const out: AlertRef = { ...a };
  if (view !== undefined) out.view = view;
  if (feature !== undefined) out.feature = feature;
  return out;
}

function sameFeedback(a: FeedbackEntry, b: FeedbackEntry): boolean {
  return a.verdict === b.verdict && a.untilTs === b.untilTs && a.note === b.note && a.by === b.by && a.actor === b.actor && a.series === b.series && a.alertTs === b.alertTs;
}

/** The feedback-topic form of an entry (docs/schemas.md): self-contained, so any instance can apply it. */
export function topicRecord(e: FeedbackEntry): Record<string, unknown> {
  const r: Record<string, unknown> = { alertId: e.alertId, verdict: e.verdict, series: e.series, ts: e.alertTs, score: e.score };
  if (e.view !== undefined) r.view = e.view;
  if (e.feature !== undefined) r.feature = e.feature;
  if (e.untilTs !== undefined) r.durationMs = e.untilTs - e.alertTs;
  if (e.note !== undefined) r.note = e.note;
  if (e.by !== undefined) r.by = e.by;
  if (e.actor !== undefined) r.actor = e.actor;
  return r;
}

/**
 * An entry as answered (REST, MCP): without `idLayout`, the log's own marker of which series-id
 * layout the entry was written under (kept in the log and the policy). Until 7 Dec 2026 (night,
 * late) the feedback answer carried it, outside the documented shape (test/component/output-contract).
 */
function shown(e: FeedbackEntry): FeedbackEntry {
  if (e.idLayout === undefined) return e;
  const { idLayout: _marker, ...rest } = e;
  return rest;
}
