import type { FastifyInstance } from 'fastify';
import { ErrorCodes } from '../../errors/index.ts';
import { httpError } from './errors.ts';

/**
 * Two-phase close: once close() begins, answers still in flight say `Connection: close`, so their
 * keep-alive sockets end with the response instead of holding close() for keepAliveTimeout (72 s).
 * Hijacked answers (MCP) bypass onSend, so idle sockets are also swept until the server is closed.
 * Returns whether close() has begun.
 */
export function installClosingSweep(app: FastifyInstance): () => boolean {
  let closing = false;
  let sweeper: NodeJS.Timeout | null = null;
  app.addHook('preClose', async () => {
    closing = true;
    sweeper = setInterval(() => app.server.closeIdleConnections(), 100);
    sweeper.unref();
  });
  app.addHook('onClose', async () => {
    if (sweeper !== null) clearInterval(sweeper);
  });
  return () => closing;
}

/**
 * The refusal of a request that starts once close() has begun (on a keep-alive connection that was
 * not idle, so not swept): 503 TC_SHUTTING_DOWN with Retry-After, in the error body every other
 * answer has, with its X-Request-Id. Probes, docs and dashboard files (`open` routes) still answer.
 * Until 7 Dec 2026 fastify's return503OnClosing answered these with its own body
 * ({"error":"Service Unavailable","statusCode":503}: no code, no Retry-After, no request id).
 */
export function shuttingDown(retryAfterSeconds: number): Error {
  return httpError(ErrorCodes.SHUTTING_DOWN, 503, 'the server is shutting down; request refused', {
    hint: `retry after ${retryAfterSeconds} s, on a new connection (another replica may answer sooner)`,
    details: { retryAfterSeconds, reason: 'closing' },
    retriable: true,
  });
}
