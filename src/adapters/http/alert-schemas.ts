/** JSON schemas of the alert feedback and incident routes (and of their agent tools). */
import { FEEDBACK_LIMITS, VERDICTS } from '../../domain/feedback/feedback.ts';
import { SERIES_ID_MAX } from './schemas.ts';

export const ALERT_ID_PATTERN = '^[A-Za-z0-9._:-]{1,128}$';

export const alertIdParamsSchema = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: ALERT_ID_PATTERN, description: 'The "id" of an alert record (GET /v1/anomalies, the anomalies topic).' } },
} as const;

export const feedbackProperties = {
  verdict: { type: 'string', enum: [...VERDICTS, 'clear'], description: 'false_positive | confirmed | expected (known maintenance) | clear (withdraw).' },
  note: { type: 'string', maxLength: FEEDBACK_LIMITS.noteMaxChars, description: 'Free text kept with the feedback (why, ticket number).' },
  by: { type: 'string', minLength: 1, maxLength: FEEDBACK_LIMITS.byMaxChars, description: 'Who gives it, in your own words (free text, not checked; default: the API key fingerprint). The audit trail records the authenticated key as `actor` whatever this says.' },
  durationMs: {
    type: 'integer',
    minimum: FEEDBACK_LIMITS.minDurationMs,
    maximum: FEEDBACK_LIMITS.maxDurationMs,
    description: `\`expected\` only: the maintenance span from the alert ts, in milliseconds: ${FEEDBACK_LIMITS.minDurationMs} (1 minute) to ${FEEDBACK_LIMITS.maxDurationMs} (7 days), e.g. 3600000 for 1 hour (default feedback.expectedSpanMs).`,
  },
} as const;

export const feedbackBodySchema = { type: 'object', additionalProperties: false, required: ['verdict'], properties: feedbackProperties } as const;

export const feedbackEntrySchema = {
  type: 'object',
  properties: {
    alertId: { type: 'string' },
    series: { type: 'string' },
    alertTs: { type: 'number' },
    score: { type: 'number' },
    view: { type: 'string', description: "The alert's view of surprise: a false positive raises the bar for that view's alerts only." },
    feature: { type: 'string', description: "The feature whose alert it was (multivariate series): a false positive raises the bar for that feature's alerts only. Absent on feedback recorded before 6 Dec 2026: it applies to every feature." },
    verdict: { type: 'string', enum: [...VERDICTS] },
    untilTs: { type: 'number' },
    note: { type: 'string' },
    by: { type: 'string', description: "Who gave it, as the caller said (free text)." },
    actor: { type: 'string', description: 'Who gave it, as the server authenticated it: key:<fingerprint>, anonymous, or the feedback topic record\'s actor (absent when it has none). Listed only to a caller with a valid API key.' },
    channel: { type: 'string', enum: ['http', 'mcp', 'kafka'] },
    at: { type: 'number' },
  },
} as const;

export const feedbackResultSchema = {
  type: 'object',
  properties: {
    alertId: { type: 'string', description: 'The alert the feedback is on: the id given, or (with resolvedId) the firing record a resolved record closes.' },
    resolvedId: { type: 'string', description: "Present when the id given was a resolved record's: the feedback applied to its firing record, alertId (its firingId)." },
    series: { type: 'string' },
    feedback: { anyOf: [feedbackEntrySchema, { type: 'null' }] },
    effect: {
      type: 'object',
      description: 'The series\' feedback state at the alert time after this change.',
      properties: {
        bar: { type: 'number', description: 'Score an alert must reach now (the warning threshold with no feedback).' },
        suppressedUntil: { type: ['number', 'null'] },
        counts: { type: 'object', additionalProperties: { type: 'integer' } },
      },
    },
  },
} as const;

export const feedbackListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    series: { type: 'string', minLength: 1, maxLength: SERIES_ID_MAX, description: 'Only feedback on this series\' alerts (case-sensitive). An id this instance does not track: 200, seriesTracked false (the list_alert_feedback tool: TC_SERIES_NOT_FOUND when it has no feedback either).' },
    verdict: { type: 'string', enum: [...VERDICTS], description: 'Only feedback with this verdict; confirmed lists the confirmed anomalies.' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100, description: 'Entries to return, most recent first; at most 1000.' },
  },
} as const;

export const incidentListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: ['open', 'closed'], description: 'Only open or only closed incidents; both when absent.' },
    group: { type: 'string', minLength: 1, maxLength: SERIES_ID_MAX, description: 'Only the incidents of this group: an incident record\'s `group` (the host/label value or id prefix incidents.groupBy takes).' },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50, description: 'Incidents to return; at most 1000.' },
  },
} as const;

export const incidentSchema = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['incident'] },
    id: { type: 'string' },
    group: { type: 'string' },
    groupBy: { type: 'string' },
    state: { type: 'string', enum: ['open', 'closed'] },
    severity: { type: 'string', enum: ['warning', 'critical'] },
    firstTs: { type: 'number' },
    lastTs: { type: 'number' },
    series: { type: 'array', items: { type: 'string' } },
    alerts: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'string' }, series: { type: 'string' }, feature: { type: 'string', description: 'The feature whose alert it is.' }, ts: { type: 'number' }, severity: { type: 'string' }, score: { type: 'number' } } },
    },
    count: { type: 'integer' },
  },
} as const;
