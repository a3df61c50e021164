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
 *   check: a browser sends no credentials with it. Paths no route serves keep their 404. The trace
 *   headers are those of every propagator OTEL_PROPAGATORS may choose (B3, Jaeger, baggage, not
 *   only W3C), whichever is set: a header the running propagator does not read is ignored, and a
 *   page need not know the server's setting. Jaeger baggage (`uberctx-<key>`) has no fixed name, so
 *   the ones a preflight asks for are echoed. Before 7 Dec 2026 only traceparent and tracestate were
 *   allowed, and a browser refused to send a b3 or uber-trace-id header at all.
 * - Every answer to a listed origin (errors included: a page must read a 401 or a 429 to act on it,
 *   and streamed or hijacked answers — SSE, MCP — bypass fastify's reply headers) names the origin
 *   and exposes the headers a client reads: X-Request-Id, Retry-After, MCP's session and version.
 * - Credentials: the API takes a bearer key in Authorization, never cookies, so
 *   Access-Control-Allow-Credentials is not sent and a page cannot ride a user's cookies.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteMethods } from './method-not-allowed.ts';
import { JAEGER_BAGGAGE_PREFIX, PROPAGATOR_HEADERS } from '../../telemetry/propagator-headers.ts';

/** Request headers a page may send (lower case): the API's and MCP's own, and trace context. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'mcp-protocol-version', 'mcp-session-id', 'last-event-id', 'x-request-id', ...PROPAGATOR_HEADERS];
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
      .header('access-control-allow-headers', allowHeaders + jaegerBaggage(req.headers['access-control-request-headers']))
      .header('access-control-max-age', String(CORS_MAX_AGE_S))
      .send();
  });
}

/** The `uberctx-<key>` names a preflight asks for, as `, a, b` to append ('' when none). */
function jaegerBaggage(requested: string | undefined): string {
  const names = (requested ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h.length > JAEGER_BAGGAGE_PREFIX.length && h.startsWith(JAEGER_BAGGAGE_PREFIX) && /^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(h));
  return names.map((h) => `, ${h}`).join('');
}
