/**
 * Alert feedback as a caller may see it. `actor` (and `by` when it defaults to the same value) is
 * `key:<fingerprint>`, the first 48 bits of an API key's SHA-256: enough to test guesses of a
 * word-like key offline. Reads may be open (http.requireAuthForReads false), so the audit trail is
 * shown only to callers that sent a valid key; everyone else gets the feedback without who gave it.
 * Applied by every read that lists feedback: GET /v1/feedback, GET /v1/series/:id (its confirmed
 * anomalies) and the MCP tool list_alert_feedback.
 */
import type { SeriesDetail } from '../../pipeline/ports.ts';

interface WithActor {
  by?: string;
  actor?: string;
}

/** The entry without `actor`, and without `by` where `by` is the actor too (the default), for a caller without a valid key. */
export function feedbackForCaller<T extends WithActor>(entry: T, authenticated: boolean): T {
  if (authenticated || (entry.actor === undefined && !isFingerprint(entry.by))) return entry;
  const { actor, by, ...rest } = entry;
  return (by === undefined || by === actor || isFingerprint(by) ? rest : { ...rest, by }) as T;
}

export function feedbackListForCaller<T extends WithActor>(items: T[], authenticated: boolean): T[] {
  return authenticated ? items : items.map((e) => feedbackForCaller(e, false));
}

/** A series detail whose `feedback.confirmed` entries are shown as feedbackForCaller does. */
export function seriesForCaller(s: SeriesDetail, authenticated: boolean): SeriesDetail {
  if (authenticated || s.feedback === undefined) return s;
  return { ...s, feedback: { ...s.feedback, confirmed: feedbackListForCaller(s.feedback.confirmed, false) } };
}

/** `by` holding a key fingerprint (`key:` and 12 hex digits): what REST and MCP default it to. */
function isFingerprint(by: string | undefined): boolean {
  return by !== undefined && /^key:[0-9a-f]{12}$/.test(by);
}
