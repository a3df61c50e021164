/**
 * POST /v1/series/:id/reset — forget one series (needs a key, like rollback): its units, window,
 * detector and forecasts go, its open alerts are resolved with reason "reset"; its next tick starts
 * it afresh (src/pipeline/series-reset.ts, docs/http-api.md). Not an MCP tool: an operator's action
 * that throws away a series' learned state, not an agent's (docs/http-api.md § Agent tools).
 */
import type { FastifyInstance } from 'fastify';
import { seriesNotFound } from '../../../errors/index.ts';
import type { ServingApi } from '../../../pipeline/ports.ts';
import { seriesIdParamsSchema } from '../schemas.ts';
import { principal } from './alerts.ts';

const resetResultSchema = {
  type: 'object',
  required: ['series', 'resolvedAlerts', 'resolvesSent', 'snapshotWritten'],
  properties: {
    series: { type: 'string' },
    resolvedAlerts: { type: 'array', items: { type: 'string' }, description: 'Features whose open alert was resolved with reason "reset", sorted (empty when none fired).' },
    resolvesSent: { type: 'boolean', description: 'False when sending those resolved records failed (they are kept and go with the next chunk) or was not confirmed within 10 s (it goes on in the background).' },
    snapshotWritten: { type: 'boolean', description: 'True when a series-state snapshot taken after the reset was written, so a restart keeps the series reset; false when snapshots are off, the write failed, or there was nothing to capture yet (no input partition handled or restored since the start), or it was not written within 10 s (brokers slow or down: it goes on in the background, GET /v1/snapshots shows it) (a restart before the next snapshot may restore the series).' },
  },
} as const;

export function registerSeriesResetRoute(app: FastifyInstance, deps: { serving: ServingApi }): void {
  const { serving } = deps;
  const reset = serving.resetSeries?.bind(serving);
  if (reset === undefined) return;
  app.post<{ Params: { id: string } }>(
    '/v1/series/:id/reset',
    {
      config: { mutating: true, optionalBody: true },
      schema: {
        summary: 'Forget a series (units, window, detector, forecasts) so its next tick starts it afresh; needs an API key',
        description:
          'For a sensor re-configured to another unit (its packs dead-lettered with TC_RECORD_UNIT_MISMATCH) or a device ' +
          'replaced under the same name. Its open alerts are resolved with `reason: "reset"`. No body.',
        tags: ['series'],
        params: seriesIdParamsSchema,
        response: { 200: resetResultSchema, 401: { $ref: 'ErrorBody#' }, 404: { $ref: 'ErrorBody#' } },
      },
    },
    async (req) => {
      const res = await reset(req.params.id);
      if (res === null) throw seriesNotFound(req.params.id, serving.similarSeries(req.params.id));
      req.log.warn({ series: res.series, resolvedAlerts: res.resolvedAlerts, resolvesSent: res.resolvesSent, snapshotWritten: res.snapshotWritten, actor: principal(req.auth) }, 'series reset');
      return res;
    },
  );
}
