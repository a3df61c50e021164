/**
 * Feedback from the `anomalies.feedback` topic (other systems, runbooks, ticketing): each record's
 * value is a JSON object
 *   {"alertId":"…","verdict":"false_positive"|"confirmed"|"expected"|"clear",
 *    "note"?,"by"?,"durationMs"?, "series"?,"ts"?,"score"?,"view"?,"feature"?,"actor"?}
 * (`series`/`ts`/`score` — with `view` and `feature` when known — describe the alert when this instance has not indexed it, e.g. after a
 * restart; `actor` is the principal the publishing instance authenticated, recorded as is: the
 * topic's producer ACLs are what vouch for it. Without one none is recorded — the entry's channel
 * says `kafka` — so a record published before actors existed, read again by a new consumer group,
 * still matches the entry it made and changes nothing). A record that cannot be used goes to the dead-letter topic with its original bytes
 * and the reason in headers (TC_FEEDBACK_INVALID — also for a value that is not UTF-8 — / TC_ALERT_NOT_FOUND); a failure to store
 * feedback is thrown, so the source does not commit and the record is read again.
 */
import { ErrorCodes, isTickcastError, TickcastError } from '../errors/index.ts';
import type { RawRecord } from '../domain/types.ts';
import { strictUtf8 } from '../domain/utf8-text.ts';
import { FEEDBACK_LIMITS } from '../domain/feedback/feedback.ts';
import { deadLetterMessage } from './dead-letter.ts';
import type { AlertRef, FeedbackService } from './feedback-service.ts';
import type { OutMessage, OutputSink } from './ports.ts';

export interface FeedbackIntakeHooks {
  deadLetter?(code: string): void;
}

export function feedbackRecordHandler(service: FeedbackService, sink: OutputSink, hooks: FeedbackIntakeHooks = {}) {
  return async (records: RawRecord[]): Promise<void> => {
    const dead: OutMessage[] = [];
    for (const rec of records) {
      if (rec.warmup) continue;
      try {
        const { alertId, body, ref, actor } = decodeFeedbackRecord(rec);
        await service.give(alertId, body, 'kafka', ref, actor);
      } catch (err) {
        if (!isTickcastError(err) || (err.code !== ErrorCodes.FEEDBACK_INVALID && err.code !== ErrorCodes.ALERT_NOT_FOUND)) throw err;
        hooks.deadLetter?.(err.code);
        dead.push(deadLetterMessage(rec, err));
      }
    }
    if (dead.length > 0) await sink.send(dead);
  };
}

/** Split a topic record into the alert id, the feedback body and the alert description, or throw TC_FEEDBACK_INVALID. */
export function decodeFeedbackRecord(rec: Pick<RawRecord, 'key' | 'value'>): { alertId: string; body: Record<string, unknown>; ref?: AlertRef; actor?: string } {
  if (rec.value === null || rec.value.length === 0) throw invalid('feedback record has no value; expected a JSON object with "alertId" and "verdict"');
  if (rec.value.length > 16 * 1024) throw invalid(`feedback record is ${rec.value.length} bytes; the limit is 16384`);
  // Strict: toString('utf8') stored a Latin-1 note with U+FFFD in place of its accents, without a word.
  const text = strictUtf8(rec.value);
  if ('error' in text) throw invalid(`feedback record is ${text.error}`);
  if (text.text.startsWith('\uFEFF')) throw invalid('feedback record starts with a byte order mark (bytes EF BB BF); send the JSON without it');
  let v: unknown;
  try {
    v = JSON.parse(text.text);
  } catch (err) {
    throw invalid(`feedback record is not valid JSON (${(err as Error).message})`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid('feedback record must be a JSON object with "alertId" and "verdict"');
  const { alertId, series, ts, score, view, feature, actor: claimed, ...body } = v as Record<string, unknown>;
  if (typeof alertId !== 'string' || alertId.length === 0 || alertId.length > 128) throw invalid('"alertId" must be the non-empty "id" of an alert record (at most 128 characters)');
  if (claimed !== undefined && (typeof claimed !== 'string' || claimed.length === 0 || claimed.length > FEEDBACK_LIMITS.actorMaxChars)) {
    throw invalid(`"actor" is the principal the publisher authenticated (a string of at most ${FEEDBACK_LIMITS.actorMaxChars} characters), or is left out`);
  }
  const actor = claimed as string | undefined;
  const given = [series, ts, score].filter((x) => x !== undefined).length;
  if (given === 0) return { alertId, body, actor };
  if (typeof series !== 'string' || series.length === 0 || typeof ts !== 'number' || !Number.isFinite(ts) || typeof score !== 'number' || !(score >= 0 && score <= 1)) {
    throw invalid('"series" (string), "ts" (epoch ms) and "score" (0–1) describe the alert and go together; send all three or none');
  }
  if (view !== undefined && (typeof view !== 'string' || view.length === 0 || view.length > 64)) throw invalid('"view" names the view of surprise of the alert (a string of at most 64 characters), or is left out');
  // No length cap of its own (the record's 16 KiB is): input.features has none, and what one instance publishes another must take.
  if (feature !== undefined && (typeof feature !== 'string' || feature.length === 0)) throw invalid('"feature" names the feature of the alert (a non-empty string), or is left out');
  const ref: AlertRef = { series, ts, score };
  if (view !== undefined) ref.view = view as string;
  if (feature !== undefined) ref.feature = feature;
  return { alertId, body, actor, ref };
}

function invalid(message: string): TickcastError {
  return new TickcastError(ErrorCodes.FEEDBACK_INVALID, message, { statusCode: 400 });
}
