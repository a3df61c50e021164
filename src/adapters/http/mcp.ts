/**
 * MCP server at /mcp (official SDK, streamable HTTP transport, stateless: a fresh server and
 * transport per POST, JSON responses). Tools come from ./tools.ts — the same definitions that
 * GET /v1/tools serves — so their JSON schemas are declared once. The tool handlers are installed
 * on the SDK's protocol-level server because our schemas are JSON Schema, not zod.
 *
 * Auth, rate limit and load shedding run in the server's onRequest hook like any other route
 * (a read route); a tool that changes state (`mutating`) is authorised again as a mutating route
 * before it runs, so it needs the API key its REST twin needs. Tool errors come back as `isError: true` results carrying the same `{error:{code,...}}` body
 * the REST routes use; an unknown tool is the JSON-RPC error -32602, as the spec has it. What the
 * transport does not check itself (Origin, batches under 2025-06-18, JSON-RPC -32700/-32600) is in ./mcp-checks.ts.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ServingApi } from '../../pipeline/ports.ts';
import { BUILD_INFO } from '../../telemetry/build-info.ts';
import { isCrossSiteBrowserRequest, type ApiKeyAuth } from './auth.ts';
import type { HttpConfig } from './config.ts';
import { checkMcpPost, jsonRpcErrorBody } from './mcp-checks.ts';
import { isBodyNotUtf8 } from './json-body.ts';
import { ClientGoneError, toErrorResponse } from './errors.ts';
import { clientGoneSignal } from './routes/api.ts';
import type { ToolDefinition } from './tool-definition.ts';
import { toolDefinitions } from './tools.ts';
import type { Validators } from './validation.ts';

export interface McpRouteDeps {
  serving: ServingApi;
  config: HttpConfig;
  validators: Validators;
  logger: Logger;
  auth: ApiKeyAuth;
  /** Take more rate-limit tokens for this request, or throw the 429 (server.ts; onRequest took the first). */
  chargeRateLimit?: (req: FastifyRequest, reply: FastifyReply, cost: number, calls: number) => void;
}

export function registerMcpRoute(app: FastifyInstance, deps: McpRouteDeps): void {
  const tools = toolDefinitions(deps.config);
  const validate = new Map(tools.map((t) => [t.name, deps.validators.compileBody(t.inputSchema)]));
  // outputSchema: what a successful call's structuredContent holds (2025-06-18); older clients read the same JSON as text.
  const listing = tools.map((t) => ({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema, outputSchema: t.outputSchema, annotations: annotations(t) }));
  const log = deps.logger; // bound to module "mcp" by the server (a child of its "http" logger would repeat the key)

  /** `authorization`: the request's header, for the tools that change state; `crossSite`: a browser page of another site sent it. */
  function createServer(signal: AbortSignal, authorization: string | undefined, crossSite: boolean): Server {
    // The protocol-level Server, not McpServer: McpServer declares `tools.listChanged: true`, which a
    // stateless endpoint with a fixed tool list never sends (and has no stream to send it on).
    const mcp = new Server({ name: 'tickcast', title: 'tickcast forecasting and anomaly detection', version: BUILD_INFO.version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });
    mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listing }));
    // With the full CallToolRequestSchema here the SDK's protocol layer parses first and answers a
    // malformed call with -32603 (internal error); with a schema that matches the method only, the
    // SDK Server's own tools/call check runs first and answers -32602 (Invalid params), and the
    // request reaching this handler has passed that check.
    mcp.setRequestHandler(CALL_TOOL_METHOD, async (raw) => {
      const request = raw as unknown as CallToolRequest;
      const tool = tools.find((t) => t.name === request.params.name);
      // The spec lists an unknown tool among the protocol errors (-32602), not the tool's own failures (isError).
      if (tool === undefined) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${JSON.stringify(request.params.name)}; tools: ${tools.map((t) => t.name).join(', ')}`);
      // Refused before its arguments are read, as the REST twin's onRequest hook refuses before validation.
      const who = authorizeTool(tool, deps.auth, authorization, crossSite);
      if ('refused' in who) return errorResult(who.refused);
      const args = structuredClone(request.params.arguments ?? {}) as Record<string, unknown>;
      const check = validate.get(tool.name)!;
      if (!check(args)) {
        const { body } = toErrorResponse({ validation: check.errors ?? [], validationContext: 'arguments' });
        return errorResult(body);
      }
      try {
        const result = (await tool.run(deps.serving, args, signal, who.caller)) as Record<string, unknown>;
        // The audit line of a state change, as REST writes one: what was done and who the key says did it.
        if (tool.mutating === true) log.info({ tool: tool.name, alertId: args.alertId, verdict: args.verdict, actor: who.caller ?? 'anonymous' }, 'alert feedback');
        return { content: [{ type: 'text' as const, text: JSON.stringify(result) }], structuredContent: result };
      } catch (err) {
        const { statusCode, body } = toErrorResponse(err);
        if (statusCode >= 500 && !(err instanceof ClientGoneError)) log.error({ err, tool: tool.name }, 'tool failed');
        return errorResult(body);
      }
    });
    return mcp;
  }

  const errorHandler = parseErrorHandler(app);
  app.post('/mcp', { config: { work: true }, schema: { hide: true }, errorHandler }, async (req, reply) => {
    const refused = checkMcpPost(deps.config.allowedHosts, req.headers, req.body, deps.config.corsOrigins);
    if (refused !== null) return reply.code(refused.status).type('application/json').send(jsonRpcErrorBody(refused.code, refused.message));
    // A JSON-RPC batch (up to 100 messages, the SDK's bound) is as many calls as it holds: each
    // costs a rate-limit token like a request of its own, so a batch cannot multiply the limit.
    if (Array.isArray(req.body) && req.body.length > 1) deps.chargeRateLimit?.(req, reply, req.body.length - 1, req.body.length);
    const signal = clientGoneSignal(reply);
    const mcp = createServer(signal, req.headers.authorization, isCrossSiteBrowserRequest(req.headers));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    try {
      await mcp.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
    } catch (err) {
      log.error({ err }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null }));
      }
    }
  });

  registerNotAllowed(app);
}

/** Stateless mode has no server-initiated stream and no sessions to delete. */
function registerNotAllowed(app: FastifyInstance): void {
  const notAllowed = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'OPTIONS, POST')
      .send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; use POST' }, id: null });
  // `refuses`: these routes only say 405, so OPTIONS /mcp and other 405s do not list GET or DELETE.
  app.get('/mcp', { config: { refuses: true }, schema: { hide: true } }, notAllowed);
  app.delete('/mcp', { config: { refuses: true }, schema: { hide: true } }, notAllowed);
}

/**
 * The spec's behaviour hints, all stated: their defaults assume the worst (openWorldHint true: the
 * tool reaches outside systems; destructiveHint true, idempotentHint false for a tool that writes).
 * Every tool here works on this service's own state only.
 */
function annotations(t: ToolDefinition) {
  const closed = { title: t.title, openWorldHint: false };
  if (t.mutating !== true) return { ...closed, readOnlyHint: true };
  return { ...closed, readOnlyHint: false, destructiveHint: true, idempotentHint: t.idempotent === true };
}

/** Matches every tools/call request, valid or not (the SDK Server checks params before the handler runs). */
const CALL_TOOL_METHOD = CallToolRequestSchema.pick({ method: true }).passthrough();


/** A state-changing tool is authorised as a mutating route: who calls (a key fingerprint), or the 401 body; a read tool is told who calls when a valid key came. */
function authorizeTool(tool: ToolDefinition, auth: ApiKeyAuth, authorization: string | undefined, crossSite: boolean): { caller?: string } | { refused: unknown } {
  if (tool.mutating !== true) {
    // Reads run for anyone the route let in; a valid key is named so a tool can show what only key holders see (feedback-view.ts).
    const presented = auth.check(authorization);
    return presented.kind === 'valid' ? { caller: `key:${presented.fingerprint}` } : {};
  }
  try {
    // Judged like its REST twin: without a key, http.allowUnauthenticatedMutations opens it to this host's clients only.
    const who = auth.authorize(authorization, true, crossSite);
    return who.kind === 'valid' ? { caller: `key:${who.fingerprint}` } : {};
  } catch (err) {
    return { refused: toErrorResponse(err).body };
  }
}

/** initialize's `instructions` (2025-03-26+): how the tools fit together, for the model's context. */
const INSTRUCTIONS =
  'Probabilistic forecasts and anomaly alerts for the time series this service ingests. Find a series id with list_series, then ' +
  'call forecast (or explain_forecast) with {series} — or send your own {window} of recent values. recent_anomalies and list_incidents ' +
  'show what fired; give_alert_feedback (needs an API key) marks an alert false_positive, confirmed or expected. Results are JSON in ' +
  'structuredContent (each tool declares its outputSchema); a refused call is an isError result holding {error:{code,message,hint}}.';

/** A body that is not JSON (or not UTF-8) is JSON-RPC's parse error (-32700) here, not the REST error body; every other error (401, 413, 429…) keeps it. */
function parseErrorHandler(app: FastifyInstance) {
  const fallback = app.errorHandler;
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) =>
    isJsonParseError(err)
      ? reply.code(400).type('application/json').send(jsonRpcErrorBody(-32700, PARSE_ERROR))
      : isBodyNotUtf8(err)
        ? reply.code(400).type('application/json').send(jsonRpcErrorBody(-32700, `Parse error: ${(err as Error).message}`))
        : fallback.call(app, err as Error, req, reply);
}

const PARSE_ERROR = 'Parse error: the body is not valid JSON (or holds a "__proto__" or "constructor" key)';

/** fastify's JSON parser refused the body (bad JSON, or secure-json-parse's "__proto__"/"constructor" keys). */
function isJsonParseError(err: unknown): boolean {
  return (err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError;
}

function errorResult(body: unknown) {
  return { isError: true, content: [{ type: 'text' as const, text: JSON.stringify(body) }] };
}
