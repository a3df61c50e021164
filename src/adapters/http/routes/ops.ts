/**
 * Probes and metrics. /healthz and /readyz are `open`: never authenticated, rate limited or shed,
 * because an orchestrator that cannot probe a busy pod would kill it. /metrics follows the read
 * auth policy but is never shed (you want metrics most when the service is saturated); its format
 * follows the Accept header (src/telemetry/exposition.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ServingApi } from '../../../pipeline/ports.ts';
import { metricsExposition, negotiateExposition } from '../../../telemetry/exposition.ts';
import { snapshotStatus } from '../optional-parts.ts';
import { healthSchema } from '../schemas.ts';
import { snapshotStatusSchema } from '../status-schemas.ts';

export function registerOpsRoutes(app: FastifyInstance, deps: { serving: ServingApi; registry: Registry }): void {
  const { serving, registry } = deps;

  app.get(
    '/healthz',
    { config: { open: true }, schema: { summary: 'Liveness: the process answers', tags: ['ops'], response: { 200: healthSchema, 503: healthSchema } } },
    async (_req, reply) => {
      const h = serving.health();
      return reply.code(h.live ? 200 : 503).send({ status: h.live ? 'ok' : 'dead', live: h.live, draining: h.draining, reasons: h.live ? [] : h.reasons });
    },
  );

  app.get(
    '/readyz',
    {
      config: { open: true },
      schema: {
        summary: 'Readiness: model loaded, consumer group joined (owning a partition is not needed), not draining (503 with reasons otherwise)',
        tags: ['ops'],
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_req, reply) => {
      const h = serving.health();
      const ready = h.ready && !h.draining;
      const reasons = [...h.reasons];
      if (h.draining && !reasons.some((r) => /drain/i.test(r))) reasons.push('draining: shutting down, not taking new work');
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', live: h.live, ready, draining: h.draining, reasons: ready ? [] : reasons });
    },
  );

  app.get(
    '/v1/snapshots',
    {
      schema: {
        summary: 'Series-state snapshots: the last one written, failures, and what the last start restored and replayed (404 when snapshots are off)',
        tags: ['ops'],
        response: { 200: snapshotStatusSchema, 404: { $ref: 'ErrorBody#' } },
      },
    },
    async () => snapshotStatus(serving),
  );

  const expose = metricsExposition(registry);
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Metrics: OpenMetrics 1.0.0 when the Accept header prefers it (as Prometheus does), else the Prometheus text format 0.0.4',
        tags: ['ops'],
        response: { 200: { description: 'The exposition', content: { 'text/plain': { schema: { type: 'string' } }, 'application/openmetrics-text': { schema: { type: 'string' } } } } },
      },
    },
    async (req, reply) => {
      const { contentType, body } = await expose(negotiateExposition(req.headers.accept));
      return reply.type(contentType).header('vary', 'Accept').send(body);
    },
  );
}
