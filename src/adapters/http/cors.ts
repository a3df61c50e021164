/**
 * CORS for pages on other origins that call the API or /mcp from a browser (opt-in,
 * `http.corsOrigins`): a web console that shows forecasts, a browser-hosted agent that uses the MCP
 * tools. Without it a browser refuses every cross-origin answer (and its preflight) before the page
 * sees it, whatever the server would have said.
 *
 * - Only origins listed exactly (`https://console.example.com`, scheme, host and port) are answered;
 *   another origin gets no Access-Control-* header, so the browser keeps refusing. `*` is refused
 *   at config time: any page could then call /mcp, which is what the Origin check (DNS rebinding,
 *   ./mcp-checks.ts) is there to stop.
 * - Preflight (OPTIONS with Access-Control-Request-Method) on a path a route serves answers 204 with
 *   the path's methods and the request headers the API reads, before auth, rate limit and the Host
 *   check: a browser sends no credentials with it. Paths no route serves keep their 404.
 * - Every answer to a listed origin (errors included: a page must read a 401 or a 429 to act on it,
 *   and streamed or hijacked answers — SSE, MCP — bypass fastify's reply headers) names the origin
 *   and exposes the headers a client reads: X-Request-Id, Retry-After, MCP's session and version.
 * - Credentials: the API takes a bearer key in Authorization, never cookies, so
 *   Access-Control-Allow-Credentials is not sent and a page cannot ride a user's cookies.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteMethods } from './method-not-allowed.ts';

/** Request headers a page may send (lower case): the API's and MCP's own, and trace context. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'mcp-protocol-version', 'mcp-session-id', 'last-event-id', 'x-request-id', 'traceparent', 'tracestate'];
/** Response headers a page may read beyond the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = ['x-request-id', 'retry-after', 'www-authenticate', 'mcp-session-id', 'mcp-protocol-version'];
/** How long a browser may reuse a preflight answer, seconds. */
export const CORS_MAX_AGE_S = 600;

export function installCors(app: FastifyInstance, origins: readonly string[], routes: RouteMethods): void {
  if (origins.length === 0) return;
  const listed = new Set(origins);
  const allowHeaders = CORS_ALLOWED_HEADERS.join(', ');
  const exposeHeaders = CORS_EXPOSED_HEADERS.join(', ');
  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    // Answers differ by Origin: a cache in between must not serve one origin's answer to another.
    reply.raw.setHeader('vary', 'Origin');
    if (typeof origin !== 'string' || !listed.has(origin)) return;
    reply.raw.setHeader('access-control-allow-origin', origin);
    reply.raw.setHeader('access-control-expose-headers', exposeHeaders);
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return;
    const allow = routes.allowed(req.url.split('?')[0]);
    if (allow.length === 0) return;
    return reply
      .code(204)
      .header('access-control-allow-methods', allow.join(', '))
      .header('access-control-allow-headers', allowHeaders)
      .header('access-control-max-age', String(CORS_MAX_AGE_S))
      .send();
  });
}
