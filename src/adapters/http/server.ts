/**
 * buildHttpServer: the fastify instance with every route, built WITHOUT listening (tests use
 * inject() or listen on port 0; app-lifecycle.ts calls listen({host, port}) and close()).
 *
 * Request path, cheapest refusal first, all in onRequest (before the body is read):
 *   CORS preflight (204, ./cors.ts) → rate limit (429) → auth (401) → load shedding (503) → body parse/limit (413/415/400)
 *   (POST /mcp sheds after the body is read, and only a body holding a request: ./mcp.ts)
 *   → schema validation (400) → handler.
 * Route `config` flags: `mutating` (needs a key), `open` (no auth/rate limit: probes, static
 * assets), `work` (may be shed under load), `optionalBody` (an empty JSON body is no body, ./json-body.ts).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { ErrorCodes } from '../../errors/index.ts';
import type { ServingApi } from '../../pipeline/ports.ts';
import { extractTraceContext, type Span, type Context } from '../../telemetry/tracing.ts';
import { endHttpServerSpan, startHttpServerSpan } from '../../telemetry/http-span.ts';
import { httpMetrics } from '../../telemetry/metrics.ts';
import { installApiKeyReload } from './api-key-reload.ts';
import { ApiKeyAuth, isCrossSiteBrowserRequest, type AuthResult } from './auth.ts';
import { resolveHttpConfig, type HttpConfig, type HttpConfigInput } from './config.ts';
import { clientErrorHandler, httpError, installErrorHandlers, toErrorResponse } from './errors.ts';
import { installCompression } from './compression.ts';
import { installBodyPresence } from './body-presence.ts';
import { installExpectContinue } from './expect-continue.ts';
import { installJsonParser } from './json-body.ts';
import { installQueryUtf8Check } from './query-utf8.ts';
import { trackRouteMethods } from './method-not-allowed.ts';
import { installCors } from './cors.ts';
import { installClosingSweep, shuttingDown } from './closing-sweep.ts';
import { installRequestIdHeader, REQUEST_ID_HEADER, requestId } from './request-id.ts';
import { checkHost } from './allowed-hosts.ts';
import { LoadShedder } from './load-shedder.ts';
import { TokenBuckets } from './rate-limit.ts';
import { errorBodySchema, forecastStepSchema, SERIES_ID_MAX } from './schemas.ts';
import { documentRoute } from './route-documentation.ts';
import { createValidators } from './validation.ts';
import { OPERATION_IDS, unrequireOptionalBodies } from './openapi-transforms.ts';
import { registerApiRoutes } from './routes/api.ts';
import { registerOpsRoutes } from './routes/ops.ts';
import { registerEventsRoute } from './routes/events.ts';
import { registerToolRoutes } from './routes/tools.ts';
import { registerAlertRoutes } from './routes/alerts.ts';
import { registerSeriesResetRoute } from './routes/series-reset.ts';
import { registerMcpRoute } from './mcp.ts';
import { registerDashboard } from './dashboard.ts';

export interface RouteFlags {
  mutating?: boolean;
  open?: boolean;
  work?: boolean;
  shedAfterBody?: boolean;
  chargeAfterBody?: boolean;
  optionalBody?: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    mutating?: boolean;
    open?: boolean;
    work?: boolean;
    optionalBody?: boolean;
    /** A `work` route that sheds load in its handler, once the body is read (POST /mcp: a body of notifications only is never shed). */
    shedAfterBody?: boolean;
    /** Takes its rate-limit tokens in its handler, once the body is read (POST /mcp: one per request; notifications are free). */
    chargeAfterBody?: boolean;
    /** The route only answers 405 (GET/DELETE /mcp): left out of the methods a path is said to allow. */
    refuses?: boolean;
  }
  interface FastifyRequest {
    auth: AuthResult;
    span: Span | null;
    traceCtx: Context | null;
  }
}

export interface BuildHttpServerOptions {
  serving: ServingApi;
  registry: Registry;
  /** A logger without a `module` binding (the root one): the server binds `module` itself ("http", "mcp"); pino repeats a key bound twice. */
  logger: Logger;
  config: HttpConfig | HttpConfigInput;
}

/** Paths (after `pino.redact`) that must never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'apiKeys',
  'config.apiKeys',
  'http.apiKeys',
];

/** The fastify instance with tickcast's server options: limits, router, and errors answered in tickcast's body at every layer. */
function createFastify(config: HttpConfig, log: Logger): FastifyInstance {
  const app: FastifyInstance = Fastify({
    loggerInstance: log as unknown as FastifyBaseLogger,
    // Per-request lines are off (the duration histogram covers traffic); errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    // fastify's default (0) lets a client trickle a body for ever, holding its socket and close().
    // Node checks every connectionsCheckingInterval (30 s by default), and only enforces a
    // requestTimeout given when the server is created (fastify's own option is set afterwards).
    requestTimeout: config.requestTimeoutMs,
    http: config.requestTimeoutMs > 0 ? { requestTimeout: config.requestTimeoutMs, connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(config.requestTimeoutMs / 4))) } : {},
    trustProxy: trustProxyOption(config.trustProxy),
    // Off: fastify's own 503 while closing has its own body ({"error":"Service Unavailable",…}),
    // no Retry-After and no X-Request-Id; the onRequest hook below refuses with ours (closing-sweep.ts).
    return503OnClosing: false,
    // 'idle' (the default): close() waits for in-flight requests and closes idle keep-alive
    // sockets; long-lived SSE streams are ended in preClose (routes/events.ts).
    forceCloseConnections: 'idle',
    // Ids a client can quote (X-Request-Id on every answer, the log lines' reqId): ./request-id.ts.
    requestIdHeader: false,
    genReqId: requestId,
    ajv: { customOptions: { strict: false } },
    // Ids in the path (series, alerts) are up to SERIES_ID_MAX characters; percent-encoded UTF-8
    // takes up to 12 bytes a character, and the route schemas bound the decoded length.
    routerOptions: { maxParamLength: SERIES_ID_MAX * 12 },
    // A malformed or over-long path gets the same error body as every route.
    frameworkErrors: (err, req, reply) => {
      const { statusCode, body } = toErrorResponse(err);
      // onRequest and onSend hooks do not run here: the headers the other answers get there.
      void (reply as FastifyReply).code(statusCode).type('application/json; charset=utf-8').header('x-content-type-options', 'nosniff').header(REQUEST_ID_HEADER, req.id).send(body);
    },
    clientErrorHandler,
  });
  // Content-Encoding refused only where there is a body; one rule for whether there is (./body-presence.ts).
  // Until 7 Dec 2026 a GET with the header (a client or proxy that sets it on every request) got a 415 its document did not list.
  installExpectContinue(app);
  // The query check before the body's presence: a chunked body is peeked at there, after its 100 Continue, so
  // until 7 Dec 2026 a chunked POST with a bad query and `Expect: 100-continue` got its 100, uploaded, then the 400.
  installQueryUtf8Check(app);
  installBodyPresence(app);
  return app;
}

/**
 * fastify's trustProxy for `HttpConfig.trustProxy`: a hop count becomes a function trusting the
 * socket peer and the next hops − 1 addresses (fastify's own number form trusts no hop at all).
 */
function trustProxyOption(tp: boolean | number): boolean | ((addr: string, hop: number) => boolean) {
  return typeof tp === 'number' ? (_addr, hop) => hop < tp : tp;
}

export async function buildHttpServer(opts: BuildHttpServerOptions): Promise<FastifyInstance> {
  const config = resolveHttpConfig(opts.config as HttpConfigInput);
  const redact = { paths: REDACT_PATHS, censor: '[redacted]' };
  const log = opts.logger.child({ module: 'http' }, { redact });
  const validators = createValidators();
  const app = createFastify(config, log);
  app.setValidatorCompiler(validators.compiler);
  // Response schemas document the API (OpenAPI) but do not drive serialisation: fast-json-stringify
  // throws on NaN (→ a 500 for one missing value in a window), JSON.stringify writes null.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON only: a text/plain body would otherwise reach validation as a string (400 instead of 415).
  app.removeContentTypeParser('text/plain');
  installJsonParser(app);
  app.addSchema(errorBodySchema);
  app.addSchema(forecastStepSchema);
  app.decorateRequest('auth', null as never);
  app.decorateRequest('span', null);
  app.decorateRequest('traceCtx', null);
  // Before any route is registered: the 404 handler tells a known path's other methods (405).
  const routes = trackRouteMethods(app);
  installErrorHandlers(app, log, routes);
  installRequestIdHeader(app);
  installCors(app, config.corsOrigins, routes);
  installCompression(app, config.compressMinBytes);

  const auth = new ApiKeyAuth(config);
  const metrics = httpMetrics(opts.registry, () => auth.size);
  installApiKeyReload(app, { config, auth, logger: log, reloads: metrics.apiKeyReloads });
  const buckets = new TokenBuckets({
    perSecond: config.rateLimit.perKeyPerSecond,
    burst: config.rateLimit.burst,
    maxClients: config.rateLimit.maxTrackedClients,
  });
  /** Take `cost` tokens from the caller's bucket (its key's fingerprint, else its IP), or throw the 429; `calls`: all the request carries. */
  const chargeRateLimit = (req: FastifyRequest, reply: FastifyReply, cost: number, calls = cost): void => {
    if (!config.rateLimit.enabled) return;
    const presented = auth.check(req.headers.authorization);
    const t = buckets.take(presented.kind === 'valid' ? `key:${presented.fingerprint}` : `ip:${req.ip}`, cost);
    if (t.allowed) return;
    void reply.header('retry-after', String(t.retryAfterSeconds));
    const { perKeyPerSecond: rate, burst } = config.rateLimit;
    const what = calls > 1 ? `rate limit exceeded (${rate}/s, burst ${burst}; this request carries ${calls} calls, one token each)` : `rate limit exceeded (${rate}/s, burst ${burst})`;
    throw httpError(ErrorCodes.HTTP_RATE_LIMITED, 429, what, {
      hint: calls > burst ? `send at most ${burst} calls in one request` : `retry after ${t.retryAfterSeconds} s; spread requests out or batch windows client-side`,
      details: { retryAfterSeconds: t.retryAfterSeconds },
      retriable: true,
    });
  };
  const shedder = new LoadShedder(opts.serving, config.loadShedding);
  // Start measuring once built: compiling schemas during build blocks the loop for a while, and
  // that stall says nothing about load.
  app.addHook('onReady', async () => shedder.start());
  app.addHook('onClose', async () => shedder.stop());

  const closing = installClosingSweep(app);
  app.addHook('onSend', async (_req, reply, payload) => {
    // Bodies echo caller input (a 404 names the path); a browser must never sniff one into HTML.
    void reply.header('x-content-type-options', 'nosniff');
    if (closing()) void reply.header('connection', 'close');
    return payload;
  });

  /** Load shedding: throws the 503 when the shedder refuses new work. */
  const shed = (reply: FastifyReply): void => {
    const d = shedder.decide();
    if (!d.shed) return;
    void reply.header('retry-after', String(d.retryAfterSeconds));
    const code = d.reason === 'draining' ? ErrorCodes.SHUTTING_DOWN : ErrorCodes.OVERLOADED;
    throw httpError(code, 503, `${d.message ?? 'the server is saturated'}; request refused`, {
      hint: `retry after ${d.retryAfterSeconds} s${d.reason === 'draining' ? ' (another replica may answer sooner)' : ''}`,
      details: { retryAfterSeconds: d.retryAfterSeconds, reason: d.reason },
      retriable: true,
    });
  };

  app.addHook('onRequest', async (req, reply) => {
    const flags = (req.routeOptions.config ?? {}) as RouteFlags;
    const parent = extractTraceContext(req.headers as Record<string, string>);
    const span = startHttpServerSpan({ method: req.method, route: req.routeOptions.url, url: req.url, scheme: req.protocol, httpVersion: req.raw.httpVersion }, parent);
    req.span = span;
    req.traceCtx = parent;
    // 'close' also fires for hijacked replies (SSE, MCP), where onResponse does not run.
    reply.raw.once('close', () => endHttpServerSpan(span, reply.raw.statusCode));
    if (closing() && flags.open !== true) throw shuttingDown(config.loadShedding.retryAfterSeconds);
    if (flags.open) {
      req.auth = { kind: 'none' };
      return;
    }
    checkHost(config.allowedHosts, req.headers.host);
    if (flags.chargeAfterBody !== true) chargeRateLimit(req, reply, 1);
    req.auth = auth.authorize(req.headers.authorization, flags.mutating === true, flags.mutating === true && isCrossSiteBrowserRequest(req.headers));
    if (flags.work === true && flags.shedAfterBody !== true) shed(reply);
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unknown';
    metrics.requestDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });

  await registerDocs(app, config);
  registerOpsRoutes(app, { serving: opts.serving, registry: opts.registry });
  registerApiRoutes(app, { serving: opts.serving, config });
  registerEventsRoute(app, { serving: opts.serving, config, logger: log, auth });
  for (const register of [registerAlertRoutes, registerSeriesResetRoute]) register(app, { serving: opts.serving });
  registerToolRoutes(app, { config, serving: opts.serving });
  if (config.mcp.enabled) registerMcpRoute(app, { serving: opts.serving, config, validators, logger: opts.logger.child({ module: 'mcp' }, { redact }), auth, chargeRateLimit, shed });
  if (config.dashboard.enabled) registerDashboard(app);
  return app;
}

async function registerDocs(app: FastifyInstance, config: HttpConfig): Promise<void> {
  if (!config.docs.enabled) return;
  const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
  // The docs UI and its assets are static and hold no data: serve them without auth or limits.
  const optionalBodies = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config as object), open: true };
    documentRoute(route, config);
    if (route.config?.optionalBody === true) for (const m of [route.method].flat()) optionalBodies.add(`${m.toLowerCase()} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
    const operationId = OPERATION_IDS[`${[route.method].flat()[0]} ${route.url}`];
    if (operationId !== undefined && route.schema !== undefined) route.schema = { ...route.schema, operationId };
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'tickcast',
        // HEAD and OPTIONS are answered but not listed as operations (decided 7 Dec 2026): one pair per path would double the
        // operations and give a generated client methods nobody calls; the description says what they answer instead.
        description:
          'Real-time forecasting and anomaly detection. Errors: `{error:{code,message,hint?,details?,retriable}}`, codes in docs/errors.md. ' +
          'Not listed as operations: every GET operation also answers HEAD (same status and headers, no body), and every path listed here answers ' +
          'OPTIONS with 204 and an `Allow` header naming its methods (after the same host, rate-limit and key checks as its GET). ' +
          'Paths have no trailing slash (`/v1/predict/` is a 404 naming `/v1/predict`).',
        version: '1',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transformObject: unrequireOptionalBodies(optionalBodies),
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true, uiConfig: { docExpansion: 'list', deepLinking: false } });
}

export type { FastifyInstance, FastifyRequest };
