/**
 * Alert feedback: what a person (or another system) says about one alert, and how such input is
 * checked. Shared by REST, MCP and the `anomalies.feedback` topic so all three accept and refuse
 * exactly the same things with the same messages.
 *
 * Verdicts:
 *  - `false_positive`: the alert was noise; the series' alert bar rises for a while (decaying);
 *  - `confirmed`: a real anomaly; remembered and listed (and kept out of learning by whoever reads it);
 *  - `expected`: known maintenance; the series' alerts are suppressed for a span from the alert;
 *  - `clear`: withdraw earlier feedback on the alert (its effect goes with it).
 */
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { showValue } from '../show-value.ts';

export const VERDICTS = ['false_positive', 'confirmed', 'expected'] as const;
export type Verdict = (typeof VERDICTS)[number];
export type VerdictOrClear = Verdict | 'clear';

/** Where feedback came from. */
export type FeedbackChannel = 'http' | 'mcp' | 'kafka';

/** One stored piece of feedback; the latest per alert id wins. Times are epoch ms. */
export interface FeedbackEntry {
  alertId: string;
  series: string;
  /** Event time of the alert the feedback is about (its tick ts). */
  alertTs: number;
  /** The alert's score (what a false positive teaches: scores like this are noise here). */
  score: number;
  /**
   * The view of surprise that set the alert's score (the alert record's `view`): a false positive
   * raises the bar for that view's alerts of the series only. Absent (feedback recorded before this
   * field, or a topic record without it): for every view.
   */
  view?: string;
  /**
   * The feature whose alert it was (the alert record's `feature`; since 6 Dec 2026): a false
   * positive raises the bar for that feature's alerts of the series only. Absent (feedback recorded
   * before, or a topic record without it): for every feature.
   */
  feature?: string;
  verdict: Verdict;
  /** `expected`: the maintenance span ends here (event time, inclusive). */
  untilTs?: number;
  note?: string;
  /** Who gave it, as the caller says (free text: a person, an agent or a system name); never a secret, never checked. */
  by?: string;
  /**
   * Who gave it, as the server authenticated it (the audit trail): `key:<fingerprint>` for REST/MCP
   * with an API key, `anonymous` without one (http.allowUnauthenticatedMutations), the topic
   * record's `actor` for the feedback topic. Absent on entries recorded before it existed and on
   * topic records without one.
   */
  actor?: string;
  channel: FeedbackChannel;
  /** Wall-clock time the feedback was recorded. */
  at: number;
  /**
   * Set when a restore of an older snapshot moved it to its series' new id (FeedbackService.renameSeries:
   * the id layout it was moved to, src/pipeline/snapshot/legacy-ids.ts ID_LAYOUT); such an entry is never
   * moved again. Also set (since 7 Dec 2026, night) on feedback given on an alert the instance indexed or held
   * open: its series id is of this build's layout already. Absent: named as an older build, or a topic record, gave it.
   */
  idLayout?: number;
}

export interface FeedbackInput {
  verdict: VerdictOrClear;
  note?: string;
  by?: string;
  /** `expected` only: length of the maintenance span from the alert's ts (default: the configured span). */
  durationMs?: number;
}

/**
 * Limits shared by every channel. `minDurationMs`: an `expected` span is milliseconds, and one under a
 * minute is almost surely seconds (an agent's `5` for 5 s would hold alerts back for 5 ms, i.e. not
 * at all); refused with the unit spelt out rather than accepted silently.
 */
export const FEEDBACK_LIMITS = Object.freeze({ noteMaxChars: 500, byMaxChars: 128, actorMaxChars: 128, minDurationMs: 60_000, maxDurationMs: 7 * 24 * 3_600_000 });

/** What `durationMs` takes (the feedback topic's refusal; REST and MCP say it through the JSON schema's minimum, maximum and description). */
export const DURATION_RULE = `durationMs must be an integer number of milliseconds from ${FEEDBACK_LIMITS.minDurationMs} (1 minute) to ${FEEDBACK_LIMITS.maxDurationMs} (7 days)`;

export function feedbackError(message: string, details?: Record<string, unknown>): TickcastError {
  return new TickcastError(ErrorCodes.FEEDBACK_INVALID, message, { statusCode: 400, details });
}

/** Check a feedback body (REST body, MCP arguments, or the payload of a topic record). */
export function parseFeedbackInput(body: unknown, where = 'body'): FeedbackInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw feedbackError(`${where} must be a JSON object like {"verdict":"false_positive"}`);
  }
  const b = body as Record<string, unknown>;
  const verdict = b.verdict;
  if (typeof verdict !== 'string' || !([...VERDICTS, 'clear'] as string[]).includes(verdict)) {
    throw feedbackError(`${where}.verdict must be one of ${[...VERDICTS, 'clear'].join(', ')}; got ${showValue(verdict, 80, 'nothing')}`);
  }
  const out: FeedbackInput = { verdict: verdict as VerdictOrClear };
  out.note = optionalText(b.note, `${where}.note`, FEEDBACK_LIMITS.noteMaxChars);
  out.by = optionalText(b.by, `${where}.by`, FEEDBACK_LIMITS.byMaxChars);
  if (b.durationMs !== undefined) {
    const d = b.durationMs;
    if (verdict !== 'expected') throw feedbackError(`${where}.durationMs applies to the "expected" verdict only (a maintenance span)`);
    if (typeof d !== 'number' || !Number.isInteger(d) || d < FEEDBACK_LIMITS.minDurationMs || d > FEEDBACK_LIMITS.maxDurationMs) {
      throw feedbackError(`${where}.${DURATION_RULE}; got ${showValue(d, 80)}${typeof d === 'number' && d > 0 && d < FEEDBACK_LIMITS.minDurationMs ? ` (${d} ms; 5 minutes is 300000)` : ''}`);
    }
    out.durationMs = d;
  }
  if (out.note === undefined) delete out.note;
  if (out.by === undefined) delete out.by;
  return out;
}

function optionalText(v: unknown, where: string, max: number): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max) throw feedbackError(`${where} must be a string of at most ${max} characters`);
  return v;
}

/** A stored entry read back from disk or a topic: same checks, plus the alert fields. */
export function isFeedbackEntry(v: unknown): v is FeedbackEntry {
  if (v === null || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.alertId === 'string' && e.alertId.length > 0 &&
    typeof e.series === 'string' && e.series.length > 0 &&
    typeof e.alertTs === 'number' && Number.isFinite(e.alertTs) &&
    typeof e.score === 'number' && Number.isFinite(e.score) &&
    (VERDICTS as readonly unknown[]).includes(e.verdict) &&
    (e.untilTs === undefined || (typeof e.untilTs === 'number' && Number.isFinite(e.untilTs))) &&
    (e.view === undefined || typeof e.view === 'string') &&
    (e.feature === undefined || typeof e.feature === 'string') &&
    (e.actor === undefined || typeof e.actor === 'string') &&
    (e.idLayout === undefined || typeof e.idLayout === 'number') &&
    typeof e.at === 'number'
  );
}
