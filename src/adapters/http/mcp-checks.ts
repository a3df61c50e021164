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
  /** JSON-RPC's `error.data`: the tickcast code and what to do, where the refusal is about an HTTP header. */
  data?: { code: string; hint: string };
}

/** What the MCP streamable HTTP transport has a client send (both types; this endpoint answers application/json). */
export const MCP_ACCEPT = 'application/json, text/event-stream';

/** A JSON-RPC error answer with no id, as the transport writes its own (the spec: "a JSON-RPC error response that has no id"). */
export function jsonRpcErrorBody(code: number, message: string, data?: McpRefusal['data']): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message, ...(data !== undefined ? { data } : {}) }, id: null });
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
function checkMcpHeaders(headers: Record<string, string | string[] | undefined>, messages: unknown[]): McpRefusal | null {
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

/** Why this POST /mcp is refused before the transport, or null to hand it on. */
export function checkMcpPost(allowedHosts: readonly string[], headers: Record<string, string | string[] | undefined>, body: unknown, corsOrigins: readonly string[] = []): McpRefusal | null {
  const origin = headers.origin;
  if (!originAllowed(allowedHosts, typeof origin === 'string' ? origin : origin?.[0], corsOrigins)) {
    return {
      status: 403,
      code: -32000,
      message: `Forbidden: Origin ${JSON.stringify(String(origin).slice(0, 100))} may not call this MCP endpoint (DNS rebinding guard); ` +
        'browser pages may call it from localhost, an IP address, a name in http.allowedHosts or an origin in http.corsOrigins',
    };
  }
  const headerRefusal = checkMcpHeaders(headers, Array.isArray(body) ? body : [body]);
  if (headerRefusal !== null) return headerRefusal;
  if (Array.isArray(body)) {
    const version = headers['mcp-protocol-version'];
    // An unsupported version was refused above (checkMcpHeaders).
    if (typeof version === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(version) && version >= NO_BATCH_VERSION) {
      return { status: 400, code: -32600, message: `Invalid Request: MCP-Protocol-Version ${version} has no JSON-RPC batches (removed in ${NO_BATCH_VERSION}); send one message per POST` };
    }
    if (body.length === 0) return { status: 400, code: -32600, message: 'Invalid Request: an empty batch' };
  }
  const messages = Array.isArray(body) ? body : [body];
  const bad = messages.findIndex((m) => !JSONRPCMessageSchema.safeParse(m).success);
  if (bad >= 0) {
    const where = Array.isArray(body) ? `message ${bad} of the batch is` : 'the body is';
    return { status: 400, code: -32600, message: `Invalid Request: ${where} not a JSON-RPC 2.0 request, notification or response` };
  }
  const twice = Array.isArray(body) ? repeatedRequestId(body) : undefined;
  if (twice !== undefined) {
    return { status: 400, code: -32600, message: `Invalid Request: request id ${twice.slice(0, 100)} appears more than once in the batch; each request needs its own id (one answer per id)` };
  }
  return null;
}
