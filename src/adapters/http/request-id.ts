/**
 * Request ids a client can quote: every answer carries `X-Request-Id`, the `reqId` of the log lines
 * the request wrote (a 500's details are only in the log, docs/errors.md). An id the client (or an
 * ingress in front, e.g. ingress-nginx) sends in `X-Request-Id` is kept when it is 1–128 characters
 * of [A-Za-z0-9._:-], so one id follows the request across hops; anything else, and a request
 * without one, gets a random UUID (fastify's default, "req-1", "req-2", restarts at every start
 * and repeats on every replica).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/** fastify's genReqId: the client's well-formed id, else a random one. */
export function requestId(req: IncomingMessage): string {
  const sent = req.headers[REQUEST_ID_HEADER];
  return typeof sent === 'string' && WELL_FORMED.test(sent) ? sent : randomUUID();
}

/**
 * Name the id on every answer. Set on the raw response before any handler runs, so it also goes
 * out with the answers written without reply.send (SSE, MCP), which bypass onSend.
 */
export function installRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.raw.setHeader(REQUEST_ID_HEADER, req.id);
  });
}
