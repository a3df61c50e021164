/**
 * The /v1 data routes: predict, series, anomalies, model info and rollback. Handlers are thin:
 * validate (schemas + checkForecastRequest), call the ServingApi, return its answer.
 */
import { context as otelContext, trace } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes, seriesNotFound } from '../../../errors/index.ts';
import type { ForecastRequest, ServingApi } from '../../../pipeline/ports.ts';
import type { HttpConfig } from '../config.ts';
import { ClientGoneError, DOT_SEGMENT_HINT, httpError } from '../errors.ts';
import { seriesForCaller } from '../feedback-view.ts';
import { checkForecastRequest } from '../predict-input.ts';
import { documentExactlyOne } from '../openapi-transforms.ts';
import {
  anomaliesQuerySchema,
  anomalyRecordSchema,
  modelInfoSchema,
  predictBodySchema,
  predictResponseSchema,
  rollbackBodySchema,
  seriesDetailSchema,
  seriesIdParamsSchema,
} from '../schemas.ts';
import { seriesListQuerySchema, seriesPage, seriesPageSchema } from '../series-page.ts';

/** Run `fn` with the request's HTTP span active, so spans the serving layer opens become children. */
export function inRequestSpan<T>(req: FastifyRequest, fn: () => Promise<T>): Promise<T> {
  if (req.span === null || req.traceCtx === null) return fn();
  return otelContext.with(trace.setSpan(req.traceCtx, req.span), fn);
}

/** An AbortSignal that fires when the client goes away before the answer, so queued work can be dropped. */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const ac = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ac.abort(new ClientGoneError());
  });
  return ac.signal;
}

export function registerApiRoutes(app: FastifyInstance, deps: { serving: ServingApi; config: HttpConfig }): void {
  const { serving, config } = deps;

  app.post<{ Body: ForecastRequest }>(
    '/v1/predict',
    {
      config: { work: true, swaggerTransform: documentExactlyOne('window', 'series') },
      schema: {
        summary: 'Forecast from a window you send, or from the server-held window of a series',
        description:
          'Goes through the same micro-batcher as the stream: concurrent calls are batched. ' +
          'Body: `{"window": number[] | number[][], "horizon"?: n, "explain"?: bool}` or `{"series": "AAPL"}`.',
        tags: ['forecast'],
        body: predictBodySchema(config),
        response: { 200: predictResponseSchema, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' } },
      },
    },
    async (req, reply) => {
      const body = checkForecastRequest(req.body ?? {});
      return inRequestSpan(req, () => serving.forecast(body, clientGoneSignal(reply)));
    },
  );

  app.get<{ Querystring: { offset: number; limit: number } }>(
    '/v1/series',
    {
      config: { work: true },
      schema: {
        summary: 'Series the service tracks (paged)',
        tags: ['series'],
        querystring: seriesListQuerySchema,
        response: { 200: seriesPageSchema },
      },
    },
    async (req) => seriesPage(serving, req.query.offset, req.query.limit),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/series/:id',
    {
      config: { work: true },
      schema: {
        summary: 'Recent window, last forecast and anomaly state of one series',
        tags: ['series'],
        params: seriesIdParamsSchema,
        response: { 200: seriesDetailSchema, 404: { $ref: 'ErrorBody#' } },
      },
    },
    async (req) => {
      const s = serving.getSeries(req.params.id);
      // The same error as a forecast's, "did you mean" included (until 7 Dec 2026 its own hint, no suggestion).
      if (s === null) throw seriesNotFound(req.params.id, serving.similarSeries(req.params.id));
      return seriesForCaller(s, req.auth.kind === 'valid');
    },
  );

  registerEmptySeriesId(app);

  app.get<{ Querystring: { series?: string; limit: number } }>(
    '/v1/anomalies',
    {
      config: { work: true },
      schema: {
        summary: 'Recent anomaly alerts, newest first',
        tags: ['series'],
        querystring: anomaliesQuerySchema,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: anomalyRecordSchema }, seriesTracked: { type: 'boolean' } } } },
      },
    },
    async (req) => anomaliesReply(serving, req.query.series, req.query.limit),
  );

  app.get(
    '/v1/model',
    {
      config: { work: false },
      schema: { summary: 'Model version, engine, backend and training stats', tags: ['model'], response: { 200: modelInfoSchema } },
    },
    async () => serving.modelInfo(),
  );

  app.post<{ Body: { version?: string; pin?: boolean } | undefined }>(
    '/v1/model/rollback',
    {
      // No body, or an empty one even with a JSON Content-Type: roll back to the previous version.
      config: { mutating: true, optionalBody: true },
      schema: {
        summary: 'Roll back to the previous (or a named) model version; needs an API key',
        tags: ['model'],
        body: rollbackBodySchema,
        response: { 200: modelInfoSchema, 404: { $ref: 'ErrorBody#' }, 409: { $ref: 'ErrorBody#' } },
      },
    },
    async (req) => {
      const body = req.body ?? {};
      const info = await serving.rollback({ version: body.version, pin: body.pin });
      req.log.warn({ version: info.version, pinned: info.pinned, by: req.auth.kind === 'valid' ? req.auth.fingerprint : 'unauthenticated' }, 'model rolled back');
      return info;
    },
  );
}

/**
 * `/v1/series/` (the id empty): what `/v1/series/.` and `/v1/series/%2E` become in browsers and
 * fetch. A 400 that says so, instead of the schema's "params.id must NOT have fewer than 1 characters".
 */
function registerEmptySeriesId(app: FastifyInstance): void {
  app.get('/v1/series/', { schema: { hide: true } }, async () => {
    throw httpError(ErrorCodes.HTTP_BAD_REQUEST, 400, 'the series id in the path is empty', {
      hint: `put the id after /v1/series/, percent-encoded (encodeURIComponent); ${DOT_SEGMENT_HINT}`,
    });
  });
}

/**
 * GET /v1/anomalies' body. An unknown `series` stays 200 with an empty list (pollers and the
 * dashboard ask before a series' first tick; MCP's recent_anomalies answers TC_SERIES_NOT_FOUND);
 * `seriesTracked`, present with `series`, tells it from a tracked series without alerts. It asks
 * hasSeries: until 7 Dec 2026 getSeries, which copied the series' whole window (and built its
 * forecast, feedback and fusion views) on every poll only to compare the result with null.
 */
function anomaliesReply(serving: ServingApi, series: string | undefined, limit: number) {
  const items = serving.recentAnomalies({ series, limit });
  return series === undefined ? { items } : { items, seriesTracked: serving.hasSeries(series) };
}
