/**
 * Alert feedback, grouped incidents and band quality (issue 16):
 *   POST   /v1/anomalies/:id/feedback   give feedback on an alert (needs a key, like rollback)
 *   DELETE /v1/anomalies/:id/feedback   withdraw it
 *   GET    /v1/feedback                 feedback in effect, newest first
 *   GET    /v1/incidents                grouped incidents, open first
 *   GET    /v1/band-quality             band quality across series, worst first
 * Bodies are checked by schema here and again by the feedback use case (same rules as MCP and
 * the feedback topic).
 */
import type { FastifyInstance } from 'fastify';
import type { AuthResult } from '../auth.ts';
import type { FeedbackApi, IncidentsApi, ServingApi } from '../../../pipeline/ports.ts';
import { feedbackListForCaller } from '../feedback-view.ts';
import { BAND_QUALITY_QUERY, bandQualityOverview, off } from '../optional-parts.ts';
import { feedbackBodySchema, feedbackListQuerySchema, feedbackResultSchema, incidentListQuerySchema, incidentSchema, alertIdParamsSchema, feedbackEntrySchema } from '../alert-schemas.ts';
import { bandQualitySchema } from '../status-schemas.ts';

const ERRORS = { 400: { $ref: 'ErrorBody#' }, 401: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' }, 503: { $ref: 'ErrorBody#' } };

type FeedbackBody = { verdict: string; note?: string; by?: string; durationMs?: number };

export function registerAlertRoutes(app: FastifyInstance, deps: { serving: ServingApi }): void {
  const { serving } = deps;

  app.post<{ Params: { id: string }; Body: FeedbackBody }>(
    '/v1/anomalies/:id/feedback',
    {
      config: { mutating: true },
      schema: {
        summary: 'Give feedback on an alert: false_positive, confirmed, expected (maintenance) or clear; needs an API key',
        description:
          '`false_positive` raises the series\' alert bar for a while (decaying), `expected` holds its alerts back for a ' +
          'maintenance span (`durationMs`, default feedback.expectedSpanMs), `confirmed` is remembered, `clear` withdraws ' +
          'earlier feedback. Stored durably; see docs/anomaly.md.',
        tags: ['anomalies'],
        params: alertIdParamsSchema,
        body: feedbackBodySchema,
        response: { 200: feedbackResultSchema, ...ERRORS },
      },
    },
    async (req) => {
      const body = { ...req.body };
      const actor = principal(req.auth);
      if (body.by === undefined && req.auth.kind === 'valid') body.by = actor;
      const res = await feedbackApi(serving).give(req.params.id, body, 'http', undefined, actor);
      req.log.info({ alertId: res.alertId, series: res.series, verdict: res.feedback?.verdict ?? 'clear', actor }, 'alert feedback');
      return res;
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/anomalies/:id/feedback',
    {
      config: { mutating: true, optionalBody: true },
      schema: { summary: 'Withdraw the feedback on an alert (its effect goes with it); needs an API key', tags: ['anomalies'], params: alertIdParamsSchema, response: { 200: feedbackResultSchema, ...ERRORS } },
    },
    async (req) => {
      const actor = principal(req.auth);
      const res = await feedbackApi(serving).clear(req.params.id, 'http', actor);
      req.log.info({ alertId: res.alertId, series: res.series, verdict: 'clear', actor }, 'alert feedback');
      return res;
    },
  );

  registerFeedbackList(app, serving);
  registerIncidentsRoute(app, serving);
  registerBandQualityRoute(app, serving);
}

function registerFeedbackList(app: FastifyInstance, serving: ServingApi): void {
  app.get<{ Querystring: { series?: string; verdict?: 'false_positive' | 'confirmed' | 'expected'; limit: number } }>(
    '/v1/feedback',
    {
      config: { work: true },
      schema: {
        summary: 'Alert feedback in effect, most recent first (confirmed anomalies: ?verdict=confirmed)',
        tags: ['anomalies'],
        querystring: feedbackListQuerySchema,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: feedbackEntrySchema }, seriesTracked: { type: 'boolean' } } }, ...ERRORS },
      },
    },
    // Who gave each (a key fingerprint) only for a caller with a valid key: reads may be open (feedback-view.ts).
    // With ?series=, `seriesTracked` as GET /v1/anomalies has it: an unknown id stays 200 with the feedback
    // it may still have (feedback outlives an evicted series); until 7 Dec 2026 a misspelt id read as "no feedback".
    async (req) => {
      const items = feedbackListForCaller(feedbackApi(serving).list(req.query), req.auth.kind === 'valid');
      return req.query.series === undefined ? { items } : { items, seriesTracked: serving.hasSeries(req.query.series) };
    },
  );
}

function registerIncidentsRoute(app: FastifyInstance, serving: ServingApi): void {

  app.get<{ Querystring: { state?: 'open' | 'closed'; group?: string; limit: number } }>(
    '/v1/incidents',
    {
      config: { work: true },
      schema: {
        summary: 'Grouped incidents: alerts of series sharing a key (label or id prefix) close in time; open first, newest first',
        tags: ['anomalies'],
        querystring: incidentListQuerySchema,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: incidentSchema } } }, ...ERRORS },
      },
    },
    async (req) => ({ items: incidentsApi(serving).list(req.query) }),
  );
}

export function registerBandQualityRoute(app: FastifyInstance, serving: ServingApi): void {
  app.get<{ Querystring: { limit: number } }>(
    '/v1/band-quality',
    {
      config: { work: true },
      schema: {
        summary: 'Forecast band quality across series: nominal vs mean p10–p90 coverage, and the series farthest from nominal (worst first)',
        tags: ['series'],
        querystring: BAND_QUALITY_QUERY,
        response: { 200: bandQualitySchema, ...ERRORS },
      },
    },
    async (req) => bandQualityOverview(serving, req.query.limit),
  );
}

/** The authenticated principal of a request, for the audit trail: never what the caller claims. */
export function principal(auth: AuthResult): string {
  return auth.kind === 'valid' ? `key:${auth.fingerprint}` : 'anonymous';
}

function feedbackApi(serving: ServingApi): FeedbackApi {
  if (serving.feedback === undefined) throw off('alert feedback is off', 'enable anomaly.enabled and feedback.enabled');
  return serving.feedback;
}

function incidentsApi(serving: ServingApi): IncidentsApi {
  if (serving.incidents === undefined) throw off('incident grouping is off', 'set incidents.groupBy to "label" or "prefix" (and anomaly.enabled)');
  return serving.incidents;
}
