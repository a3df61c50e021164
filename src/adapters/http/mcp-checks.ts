/**
 * What POST /mcp checks before the SDK transport sees a request, where the transport alone falls
 * short of the MCP streamable HTTP transport (versions 2025-03-26 … 2025-11-25) or of JSON-RPC 2.0:
 *
 * - Origin (the spec's "servers MUST validate the Origin header", against DNS rebinding): a browser
 *   page on a name that an attacker re-pointed at this service sends `Origin: http://that-name`,
 *   same-origin as far as the browser knows. A request without Origin (agents, curl, SDK clients
 *   outside a browser) passes; one with Origin passes when its host is localhost or an IP literal
 *   (neither can be rebound), a name in `http.allowedHosts` or an origin in `http.corsOrigins`; anything
 *   else, `null` included, is 403.
 * - Batches: JSON-RPC batching is part of 2025-03-26 and was removed in 2025-06-18. A client that
 *   says (MCP-Protocol-Version header) it speaks 2025-06-18 or later gets 400 -32600 for an array;
 *   without the header the spec has the server assume 2025-03-26, so batches are served.
 * - Message shape: an empty batch or a message that is not a JSON-RPC request, notification or
 *   response is JSON-RPC's "Invalid Request" (-32600); the SDK answers -32700 (parse error) for it.
 *   In a batch, an array of answers, one per member (invalidMembers, below).
 *   So is a batch in which two requests share an id (MCP: an id is never reused): the SDK keeps
 *   one answer per id, so one of them would run and never be answered.
 * - Accept and MCP-Protocol-Version, which the transport checks too (406, 400), are checked here first
 *   so that the refusal names the header to send and what came, and carries a tickcast code in the
 *   JSON-RPC error's `data` ({code, hint}, as the REST error body). The SDK's own answer was
 *   "Not Acceptable: Client must accept both application/json and text/event-stream", no data, no
 *   code a client can branch on (until 7 Dec 2026).
 */
import { isIP } from 'node:net';
import { isInitializeRequest, JSONRPCMessageSchema, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { ErrorCodes } from '../../errors/index.ts';
import { hostAllowed } from './allowed-hosts.ts';

/** The first protocol version without JSON-RPC batches. */
const NO_BATCH_VERSION = '2025-06-18';

export interface McpRefusal {
  status: number;
  code: number;
  message: string;
  /** JSON-RPC's `error.data`: the tickcast code and what to do (every refusal here since 7 Dec 2026; before, only Accept's and MCP-Protocol-Version's). */
  data?: { code: string; hint: string };
  /** The request's id when the body is one message whose id could be read (JSON-RPC 2.0 § 5: null only when it could not); null otherwise. */
  id: string | number | null;
  /** A batch with invalid members: the array to answer instead of one error (./mcp.ts sends it as is). */
  answers?: object[];
}

/** What the MCP streamable HTTP transport has a client send (both types; this endpoint answers application/json). */
export const MCP_ACCEPT = 'application/json, text/event-stream';

/** A JSON-RPC error answer; `id` null (the transport's own answers have no other) where the request's id could not be read. */
export function jsonRpcErrorBody(code: number, message: string, data?: McpRefusal['data'], id: string | number | null = null): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message, ...(data !== undefined ? { data } : {}) }, id });
}

/**
 * The id a refusal of this body answers: JSON-RPC 2.0 § 5 has an error answer carry the request's
 * id, null only "if there was an error in detecting the id". One message (not a batch: a batch's
 * refusal answers no single request) with a string or number id, not a response (whose id is one of
 * the server's own requests, not the client's). Until 7 Dec 2026 every refusal here said null, so a
 * client with several calls in flight could not tell which one was refused.
 */
export function readableId(body: unknown): string | number | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('id' in body)) return null;
  const id = (body as { id: unknown }).id;
  if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) return null;
  if (!('method' in body) && ('result' in body || 'error' in body)) return null;
  return id;
}

/** A header's value as the refusal quotes it (first 100 characters), or that none came. */
function shown(name: string, value: string | string[] | undefined): string {
  return value === undefined ? `no ${name} header came` : `got ${name}: ${JSON.stringify(String(value).slice(0, 100))}`;
}

/**
 * The transport's header checks, in its own order and by its own rules (Accept: both types named,
 * as substrings; MCP-Protocol-Version: one it supports, except on initialize, which negotiates),
 * refused in words that say which header to send.
 */
function checkMcpHeaders(headers: Record<string, string | string[] | undefined>, messages: unknown[]): Refusal | null {
  const accept = headers.accept;
  const text = Array.isArray(accept) ? accept.join(', ') : accept;
  if (!text?.includes('application/json') || !text.includes('text/event-stream')) {
    return {
      status: 406,
      code: -32000,
      message: `Not Acceptable: Client must accept both application/json and text/event-stream: send the header "Accept: ${MCP_ACCEPT}" (${shown('Accept', accept)})`,
      data: { code: ErrorCodes.HTTP_NOT_ACCEPTABLE, hint: `send Accept: ${MCP_ACCEPT} (answers are application/json either way)` },
    };
  }
  const version = headers['mcp-protocol-version'];
  if (version !== undefined && !SUPPORTED_PROTOCOL_VERSIONS.includes(String(version)) && !messages.some((m) => isInitializeRequest(m))) {
    return {
      status: 400,
      code: -32000,
      message: `Bad Request: Unsupported protocol version: ${String(version).slice(0, 100)} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      data: { code: ErrorCodes.HTTP_BAD_REQUEST, hint: `send MCP-Protocol-Version: one of ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')} (the version initialize agreed), or leave the header out (2025-03-26 is assumed)` },
    };
  }
  return null;
}

/** Whether a browser Origin may call /mcp (absent: not a browser page, allowed; listed in http.corsOrigins: allowed). */
export function originAllowed(allowedHosts: readonly string[], origin: string | undefined, corsOrigins: readonly string[] = []): boolean {
  if (origin === undefined || corsOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed frames, file: pages) and anything unparseable
  }
  const name = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === '' || url.host === '') return false;
  if (isIP(name) !== 0 || name === 'localhost') return true;
  return allowedHosts.length > 0 && hostAllowed(allowedHosts, url.host);
}

/** The first request id (as JSON) that two requests of a batch share, if any. */
function repeatedRequestId(batch: unknown[]): string | undefined {
  const seen = new Set<string>();
  for (const m of batch) {
    if (typeof m !== 'object' || m === null || !('method' in m) || !('id' in m)) continue;
    const id = JSON.stringify(m.id);
    if (seen.has(id)) return id;
    seen.add(id);
  }
  return undefined;
}

/** `data` of the -32700 parse error (./mcp.ts) and of the 405 to GET or DELETE /mcp: the tickcast code, as every refusal here (until 7 Dec 2026 none). */
export const PARSE_ERROR_DATA = { code: ErrorCodes.HTTP_BAD_REQUEST, hint: 'send one JSON-RPC message (an object) or a batch (an array) as UTF-8 JSON text' };
export const POST_ONLY_DATA = { code: ErrorCodes.HTTP_METHOD_NOT_ALLOWED, hint: 'send JSON-RPC messages with POST /mcp; this stateless server opens no GET stream and has no session to DELETE' };

/** JSON-RPC's -32600, with the tickcast code a client branches on in `data` (until 7 Dec 2026 none). */
function invalidRequest(what: string, hint: string): Refusal {
  return { status: 400, code: -32600, message: `Invalid Request: ${what}`, data: { code: ErrorCodes.HTTP_BAD_REQUEST, hint } };
}

/** Why this POST /mcp is refused before the transport, or null to hand it on; the refusal carries the request's id where it could be read. */
export function checkMcpPost(allowedHosts: readonly string[], headers: Record<string, string | string[] | undefined>, body: unknown, corsOrigins: readonly string[] = []): McpRefusal | null {
  const refused = refusal(allowedHosts, headers, body, corsOrigins);
  return refused === null ? null : { ...refused, id: readableId(body) };
}

type Refusal = Omit<McpRefusal, 'id'>;

const MESSAGE_SHAPE_HINT = 'each message is an object with "jsonrpc": "2.0" and a "method" (a request adds an "id", a string or number), or a response with "id" and "result" or "error"';

/**
 * A batch some of whose members are not JSON-RPC messages (JSON-RPC 2.0 § 6: an array back, one
 * answer per member): each invalid member its own -32600 with its id where it can be read, each
 * valid request a -32600 with its id saying it was not run, notifications and responses nothing.
 * The SDK transport refuses a batch whole when one member fails its schema, so the valid ones are
 * not served; the array tells the client which member to fix and that the rest may be sent again.
 * Until 7 Dec 2026 one -32600 with id null answered the whole batch.
 */
function invalidMembers(batch: unknown[], bad: number[]): Refusal {
  const answers = batch.flatMap((m, i) => {
    const data = { code: ErrorCodes.HTTP_BAD_REQUEST, hint: MESSAGE_SHAPE_HINT };
    if (bad.includes(i)) return [{ jsonrpc: '2.0', error: { code: -32600, message: `Invalid Request: message ${i} of the batch is not a JSON-RPC 2.0 request, notification or response`, data }, id: readableId(m) }];
    const id = readableId(m);
    if (id === null || !('method' in (m as object))) return [];
    const hint = `send the batch again without message${bad.length > 1 ? 's' : ''} ${bad.join(', ')}, or with ${bad.length > 1 ? 'them' : 'it'} fixed`;
    return [{ jsonrpc: '2.0', error: { code: -32600, message: `Invalid Request: not run: message ${bad.join(', ')} of the batch is invalid, and a batch is served whole or not at all`, data: { code: ErrorCodes.HTTP_BAD_REQUEST, hint } }, id }];
  });
  return { ...invalidRequest(`message ${bad[0]} of the batch is not a JSON-RPC 2.0 request, notification or response`, MESSAGE_SHAPE_HINT), answers };
}

function refusal(allowedHosts: readonly string[], headers: Record<string, string | string[] | undefined>, body: unknown, corsOrigins: readonly string[]): Refusal | null {
  const origin = headers.origin;
  if (!originAllowed(allowedHosts, typeof origin === 'string' ? origin : origin?.[0], corsOrigins)) {
    return {
      status: 403,
      code: -32000,
      message: `Forbidden: Origin ${JSON.stringify(String(origin).slice(0, 100))} may not call this MCP endpoint (DNS rebinding guard); ` +
        'browser pages may call it from localhost, an IP address, a name in http.allowedHosts or an origin in http.corsOrigins',
      data: { code: ErrorCodes.HTTP_HOST_NOT_ALLOWED, hint: 'call it from a page on localhost, an IP address or a name in http.allowedHosts, or add the page\'s origin to http.corsOrigins (an agent outside a browser sends no Origin)' },
    };
  }
  const headerRefusal = checkMcpHeaders(headers, Array.isArray(body) ? body : [body]);
  if (headerRefusal !== null) return headerRefusal;
  if (Array.isArray(body)) {
    const version = headers['mcp-protocol-version'];
    // An unsupported version was refused above (checkMcpHeaders).
    if (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version) && version >= NO_BATCH_VERSION) {
      return invalidRequest(`MCP-Protocol-Version ${version} has no JSON-RPC batches (removed in ${NO_BATCH_VERSION}); send one message per POST`, 'send each JSON-RPC message in a POST of its own, or leave MCP-Protocol-Version out (2025-03-26, with batches, is assumed)');
    }
    if (body.length === 0) return invalidRequest('an empty batch', 'send at least one JSON-RPC message in the array, or one message (not an array)');
  }
  const messages = Array.isArray(body) ? body : [body];
  const bad = messages.flatMap((m, i) => (JSONRPCMessageSchema.safeParse(m).success ? [] : [i]));
  if (bad.length > 0) {
    if (Array.isArray(body)) return invalidMembers(body, bad);
    return invalidRequest('the body is not a JSON-RPC 2.0 request, notification or response', MESSAGE_SHAPE_HINT);
  }
  const twice = Array.isArray(body) ? repeatedRequestId(body) : undefined;
  if (twice !== undefined) {
    return invalidRequest(`request id ${twice.slice(0, 100)} appears more than once in the batch; each request needs its own id (one answer per id)`, 'give every request of the batch an id of its own (MCP never reuses one)');
  }
  return null;
}
