/** Agent tools for alert feedback and incidents (served with the others by ./tools.ts). */
import { ErrorCodes, seriesNotFound } from '../../errors/index.ts';
import type { ServingApi } from '../../pipeline/ports.ts';
import { ALERT_ID_PATTERN, feedbackListQuerySchema, feedbackProperties, incidentListQuerySchema } from './alert-schemas.ts';
import { httpError } from './errors.ts';
import { feedbackListForCaller } from './feedback-view.ts';
import type { ToolDefinition } from './tool-definition.ts';
import type { ObjectSchema } from './tool-output-schemas.ts';

/** `out`: outputSchema by tool name (tool-output-schemas.ts). */
export function alertToolDefinitions(out: Record<string, ObjectSchema>): ToolDefinition[] {
  return [
    {
      name: 'give_alert_feedback',
      title: 'Give feedback on an alert',
      outputSchema: out.give_alert_feedback,
      description:
        'Tell the service what an anomaly alert was: `false_positive` (noise: that series needs a higher score to alert again for a while), ' +
        '`confirmed` (a real anomaly, remembered), `expected` (known maintenance: that series\' alerts are held back for `durationMs`), ' +
        'or `clear` (withdraw earlier feedback). `alertId` is the `id` of a record from recent_anomalies. Returns the series\' new alert bar.',
      inputSchema: {
        type: 'object',
        properties: { alertId: { type: 'string', pattern: ALERT_ID_PATTERN, description: 'The `id` of an alert record (recent_anomalies lists them); a resolved record\'s id names the alert it closes.' }, ...feedbackProperties },
        required: ['alertId', 'verdict'],
        additionalProperties: false,
      },
      mutating: true,
      // Replaces (or, with `clear`, withdraws) earlier feedback on the alert: destructive; the same call twice leaves the same state.
      idempotent: true,
      run: async (serving, args, _signal, caller) => {
        const { alertId, ...body } = args;
        // `by` is the caller's own claim; `actor` is who the key says it is (the audit trail).
        return feedback(serving).give(alertId as string, { by: caller ?? 'mcp-agent', ...body }, 'mcp', undefined, caller ?? 'anonymous');
      },
    },
    {
      name: 'list_alert_feedback',
      title: 'List alert feedback',
      outputSchema: out.list_alert_feedback,
      description: 'Feedback in effect on alerts, most recent first; filter by series or verdict (e.g. verdict=confirmed lists the confirmed anomalies).',
      inputSchema: { type: 'object', properties: { ...feedbackListQuerySchema.properties }, additionalProperties: false },
      // Who gave each (a key fingerprint) only for a caller with a valid key, as GET /v1/feedback (feedback-view.ts).
      // A series not tracked and without feedback is TC_SERIES_NOT_FOUND, as for recent_anomalies (until 7 Dec 2026 an empty list).
      run: async (serving, args, _signal, caller) => {
        const items = feedbackListForCaller(feedback(serving).list(args as { limit: number }), caller !== undefined);
        const series = args.series as string | undefined;
        if (series !== undefined && items.length === 0 && !serving.hasSeries(series)) throw seriesNotFound(series, serving.similarSeries(series));
        return { items };
      },
    },
    {
      name: 'list_incidents',
      title: 'List incidents',
      outputSchema: out.list_incidents,
      description:
        'Grouped incidents: alerts on several series that share a host/label or id prefix, close in time, as one record with its member alerts. ' +
        'Open incidents first, newest first.',
      inputSchema: { type: 'object', properties: { ...incidentListQuerySchema.properties }, additionalProperties: false },
      run: async (serving, args) => {
        if (serving.incidents === undefined) throw httpError(ErrorCodes.HTTP_NOT_FOUND, 404, 'incident grouping is off on this instance', { hint: 'set incidents.groupBy' });
        return { items: serving.incidents.list(args as { limit: number }) };
      },
    },
  ];
}

function feedback(serving: ServingApi) {
  if (serving.feedback === undefined) throw httpError(ErrorCodes.HTTP_NOT_FOUND, 404, 'alert feedback is off on this instance', { hint: 'enable anomaly.enabled and feedback.enabled' });
  return serving.feedback;
}
