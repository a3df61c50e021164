import type { FastifyInstance } from 'fastify';

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
