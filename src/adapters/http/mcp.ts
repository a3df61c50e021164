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
 * `notifications/cancelled` reaches a call in another POST through ./mcp-cancellation.ts (the call answers -32800).
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { CallToolRequestSchema, CancelledNotificationSchema, ErrorCode, ListToolsRequestSchema, type CallToolRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ServingApi } from '../../pipeline/ports.ts';
import { BUILD_INFO } from '../../telemetry/build-info.ts';
import { isCrossSiteBrowserRequest, type ApiKeyAuth } from './auth.ts';
import type { HttpConfig } from './config.ts';
import { cancelledInBatch, idKey, McpCancelledError, McpInFlightCalls } from './mcp-cancellation.ts';
import { checkMcpPost, jsonRpcErrorBody, POST_ONLY_DATA, readableId } from './mcp-checks.ts';
import { parseErrorHandler } from './mcp-parse-errors.ts';
import { clarifyingTransport } from './mcp-params.ts';
import { ClientGoneError, toErrorResponse, type ErrorBody } from './errors.ts';
import { clientGoneSignal } from './routes/api.ts';
import { argumentsChecker } from './tool-arguments.ts';
import { inToolWords } from './tool-errors.ts';
import type { ToolDefinition } from './tool-definition.ts';
import { toolDefinitions } from './tools.ts';
import type { Validators } from './validation.ts';

export interface McpRouteDeps {
  serving: ServingApi;
  config: HttpConfig;
  validators: Validators;
  /** Bound to module "mcp" by the server (a child of its "http" logger would repeat the key). */
  logger: Logger;
  auth: ApiKeyAuth;
  /** Take this POST's rate-limit tokens, or throw the 429 (server.ts; onRequest takes none for /mcp, route flag `chargeAfterBody`). */
  chargeRateLimit?: (req: FastifyRequest, reply: FastifyReply, cost: number, calls: number) => void;
  /** Throw the 503 when load shedding refuses new work (server.ts); called once the body shows it holds a request. */
  shed?: (reply: FastifyReply) => void;
}

// One for every POST's server: the SDK builds a new Ajv instance per Server otherwise (the most
// costly part of a POST's server setup), for schemas that only elicitation uses, which no tool here does.
const jsonSchemaValidator = new AjvJsonSchemaValidator();

export function registerMcpRoute(app: FastifyInstance, deps: McpRouteDeps): void {
  const tools = toolDefinitions(deps.config);
  const validate = new Map(tools.map((t) => [t.name, argumentsChecker(deps.validators, t)]));
  // outputSchema: what a successful call's structuredContent holds (2025-06-18); older clients read the same JSON as text.
  // Built per tools/list: the forecast tools' descriptions state the serving model's window and horizon (./tools.ts).
  const listing = () => toolDefinitions(deps.config, deps.serving.modelInfo().spec).map((t) => ({ name: t.name, title: t.title, description: t.description, inputSchema: t.inputSchema, outputSchema: t.outputSchema, annotations: annotations(t) }));
  const inFlight = new McpInFlightCalls(); // the tool calls in flight, for notifications/cancelled

  function createServer(post: PostContext): Server {
    const { signal, authorization, crossSite, scope } = post;
    // The protocol-level Server, not McpServer: McpServer declares `tools.listChanged: true`, which a
    // stateless endpoint with a fixed tool list never sends (and has no stream to send it on).
    const mcp = new Server({ name: 'tickcast', title: 'tickcast forecasting and anomaly detection', version: BUILD_INFO.version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS, jsonSchemaValidator });
    mcp.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: listing() }));
    // With the full CallToolRequestSchema here the SDK's protocol layer parses first and answers a
    // malformed call with -32603 (internal error); with a schema that matches the method only, the
    // SDK Server's own tools/call check runs first and answers -32602 (Invalid params), and the
    // request reaching this handler has passed that check.
    mcp.setRequestHandler(CALL_TOOL_METHOD, async (raw, extra) => {
      const request = raw as unknown as CallToolRequest;
      const tool = tools.find((t) => t.name === request.params.name);
      // The spec lists an unknown tool among the protocol errors (-32602), not the tool's own failures (isError).
      if (tool === undefined) throw rpcError(ErrorCode.InvalidParams, `Unknown tool: ${shortName(request.params.name)}; tools: ${tools.map((t) => t.name).join(', ')}`);
      // Refused before its arguments are read, as the REST twin's onRequest hook refuses before validation.
      const who = authorizeTool(tool, deps.auth, authorization, crossSite);
      if ('refused' in who) return errorResult(who.refused);
      // A copy for the validator's defaults (top-level fields only); not structuredClone, whose recursion
      // overflows the stack on deeply nested arguments (an internal error -32603 until 6 Dec 2026).
      const args = { ...request.params.arguments } as Record<string, unknown>;
      const refused = validate.get(tool.name)!(args);
      if (refused !== null) return errorResult(refused);
      if (post.cancelledHere.has(idKey(extra.requestId))) throw rpcError(REQUEST_CANCELLED, 'Request cancelled: a cancellation in the same batch names it');
      const cancel = new AbortController();
      const untrack = inFlight.track(scope, extra.requestId, cancel);
      try {
        return await runTool(deps, tool, args, AbortSignal.any([signal, cancel.signal]), who.caller);
      } finally {
        untrack();
      }
    });
    handleCancellation(mcp, inFlight, post, deps.logger);
    return mcp;
  }

  const charged = new WeakSet<FastifyRequest>(); // POSTs that took their rate-limit tokens (or were refused them)
  const errorHandler = parseErrorHandler(app, charged, deps.chargeRateLimit);
  app.post('/mcp', { config: { work: true, shedAfterBody: true, chargeAfterBody: true }, schema: { hide: true }, errorHandler }, async (req, reply) => {
    const refused = checkMcpPost(deps.config.allowedHosts, req.headers, req.body, deps.config.corsOrigins);
    const requests = chargeRequests(deps, req, reply, refused === null, charged);
    if (refused !== null) return reply.code(refused.status).type('application/json').send(refused.answers !== undefined ? JSON.stringify(refused.answers) : jsonRpcErrorBody(refused.code, refused.message, refused.data, refused.id));
    if (requests > 0) deps.shed?.(reply);
    const mcp = createServer(postContext(deps.auth, req, reply));
    const transport = clarifyingTransport(new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true }), req.body);
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void mcp.close();
    });
    try {
      await mcp.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
    } catch (err) {
      deps.logger.error({ err }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        // The request's id where one message's could be read (JSON-RPC 2.0 § 5; until 7 Dec 2026 always null).
        reply.raw.end(jsonRpcErrorBody(-32603, 'internal error', undefined, readableId(req.body)));
      }
    }
  });

  registerNotAllowed(app);
}

/**
 * Charges a POST once its body is read: each JSON-RPC request costs a rate-limit token (a batch of up
 * to 100 cannot multiply the limit); notifications (a cancellation above all: it frees work) and
 * responses cost none and are never refused 429 (nor shed 503). A body refused by ./mcp-checks.ts
 * costs one, as any request does. Returns how many requests the body holds.
 */
function chargeRequests(deps: McpRouteDeps, req: FastifyRequest, reply: FastifyReply, valid: boolean, charged: WeakSet<FastifyRequest>): number {
  const body = Array.isArray(req.body) ? (req.body as unknown[]) : [req.body];
  const requests = valid ? body.filter((m) => typeof m === 'object' && m !== null && 'method' in m && 'id' in m).length : 1;
  charged.add(req);
  if (requests > 0) deps.chargeRateLimit?.(req, reply, requests, requests);
  return requests;
}

/** Stateless mode has no server-initiated stream and no sessions to delete. */
function registerNotAllowed(app: FastifyInstance): void {
  const notAllowed = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'OPTIONS, POST')
      .send({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; use POST', data: POST_ONLY_DATA }, id: null });
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

/**
 * A JSON-RPC error the SDK answers with this code and exactly this message: it sends a thrown
 * error's `code` and `message`, and an McpError's message is "MCP error <code>: <message>", which
 * an SDK client wraps in an McpError of its own ("MCP error -32602: MCP error -32602: Unknown
 * tool…", until 7 Dec 2026).
 */
function rpcError(code: number, message: string): Error & { code: number } {
  return Object.assign(new Error(message), { code });
}

/** Matches every tools/call request, valid or not (the SDK Server checks params before the handler runs). */
const CALL_TOOL_METHOD = CallToolRequestSchema.pick({ method: true }).passthrough();

/** The tool's run: its result, or its refusal as an isError result; a run stopped by the client's cancellation is the JSON-RPC error -32800. */
async function runTool(deps: McpRouteDeps, tool: ToolDefinition, args: Record<string, unknown>, signal: AbortSignal, caller: string | undefined) {
  const log = deps.logger;
  try {
    const result = (await tool.run(deps.serving, args, signal, caller)) as Record<string, unknown>;
    // The audit line of a state change, as REST writes one: what was done and who the key says did it.
    if (tool.mutating === true) log.info({ tool: tool.name, alertId: args.alertId, verdict: args.verdict, actor: caller ?? 'anonymous' }, 'alert feedback');
    return { content: [{ type: 'text' as const, text: JSON.stringify(result) }], structuredContent: result };
  } catch (err) {
    if (err instanceof McpCancelledError) throw rpcError(REQUEST_CANCELLED, `Request cancelled: the tool call was stopped (${err.message})`);
    const { statusCode, body } = toErrorResponse(err);
    if (statusCode >= 500 && !(err instanceof ClientGoneError)) log.error({ err, tool: tool.name }, 'tool failed');
    return errorResult(inToolWords(body));
  }
}

/** `notifications/cancelled`, replacing the SDK's handler, which looks on this POST's server only (and skips request id 0). */
function handleCancellation(mcp: Server, inFlight: McpInFlightCalls, post: PostContext, log: Logger): void {
  mcp.setNotificationHandler(CancelledNotificationSchema, (n) => {
    const { requestId, reason } = n.params;
    if (requestId === undefined) return;
    const outcome = post.cancelledHere.has(idKey(requestId)) ? 'batch' : inFlight.cancel(post.scope, requestId, reason);
    log.debug({ requestId, reason: reason?.slice(0, 200), outcome }, 'MCP cancellation');
  });
}

/** One POST /mcp: `signal` aborts when its client goes; `authorization`: its header, for the tools that change state; `crossSite`: a browser page of another site sent it; `scope`: whose cancellations reach its calls; `cancelledHere`: its requests a cancellation in the same batch names. */
interface PostContext {
  signal: AbortSignal;
  authorization: string | undefined;
  crossSite: boolean;
  scope: string;
  cancelledHere: Set<string>;
}

/** JSON-RPC error code of a tools/call stopped by `notifications/cancelled` (LSP's RequestCancelled; JSON-RPC leaves codes outside -32768…-32000 to applications). */
export const REQUEST_CANCELLED = -32800;

function postContext(auth: ApiKeyAuth, req: FastifyRequest, reply: FastifyReply): PostContext {
  return {
    signal: clientGoneSignal(reply),
    authorization: req.headers.authorization,
    crossSite: isCrossSiteBrowserRequest(req.headers),
    scope: cancelScope(auth, req),
    cancelledHere: cancelledInBatch(req.body),
  };
}

/** Whose cancellations may stop a call: the API key (its fingerprint) or anonymous, and the client address (./mcp-cancellation.ts). */
function cancelScope(auth: ApiKeyAuth, req: FastifyRequest): string {
  const presented = auth.check(req.headers.authorization);
  return `${presented.kind === 'valid' ? `key:${presented.fingerprint}` : 'anonymous'} ${req.ip}`;
}

/** A state-changing tool is authorised as a mutating route: who calls (a key fingerprint), or the 401 body; a read tool is told who calls when a valid key came. */
function authorizeTool(tool: ToolDefinition, auth: ApiKeyAuth, authorization: string | undefined, crossSite: boolean): { caller?: string } | { refused: ErrorBody } {
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
    return { refused: inToolWords(toErrorResponse(err).body) };
  }
}

/** initialize's `instructions` (2025-03-26+): how the tools fit together, for the model's context. */
const INSTRUCTIONS =
  'Probabilistic forecasts and anomaly alerts for the time series this service ingests. Find a series id with list_series, then ' +
  'call forecast (or explain_forecast) with {series} — or send your own {window} of recent values. recent_anomalies and list_incidents ' +
  'show what fired; give_alert_feedback (needs an API key) marks an alert false_positive, confirmed or expected. Results are JSON in ' +
  'structuredContent (each tool declares its outputSchema); a refused call is an isError result holding {error:{code,message,hint}}.';

/** A tool name as an error quotes it: at most 100 characters (a name can be as long as the body limit). */
function shortName(name: string): string {
  return JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name);
}

/**
 * A refused call: the REST error body, whose `retriable` (./errors.ts toErrorResponse) says whether the
 * same call may succeed later unchanged (a series still warming up, a saturated batcher) — which an
 * agent needs in the body, since a tool result has no HTTP status or Retry-After; false for arguments,
 * keys and anything not found.
 */
function errorResult(body: ErrorBody) {
  return { isError: true, content: [{ type: 'text' as const, text: JSON.stringify(body) }] };
}
