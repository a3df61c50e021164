/**
 * One clear line for a request whose params the SDK refuses. The SDK Server checks a `tools/call`'s
 * params against its zod schema before our handler runs and answers -32602 with zod's multi-line
 * JSON dump ("[\n  {\n    \"expected\": \"record\", …"); a model reads a sentence better. The
 * answer keeps its id; its message is rewritten from the request the body held.
 *
 * Also (7 Dec 2026): the SDK's messages start "MCP error -32602: " (its McpError text), which an SDK
 * client's McpError prefixes again ("MCP error -32602: MCP error -32602: Invalid tools/call…"), so
 * the prefix is dropped; and params of another method that fail the SDK's schema (`initialize`
 * without a protocolVersion, `tools/list` with a number as cursor) were the internal error -32603
 * with the zod dump as message, a server fault for a client's slip: now -32602 Invalid params, one line.
 */
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

const SDK_PREFIX = 'Invalid tools/call request:';

/** What is wrong with these tools/call params, and what is expected; undefined when the name and arguments are fine. */
export function describeBadCallParams(params: unknown): string | undefined {
  if (!isPlainObject(params)) return `params must be an object {"name": "<tool>", "arguments": {…}}; got ${kind(params)}`;
  if (typeof params.name !== 'string') return `params.name must be the tool's name as a string (tools/list lists them); got ${kind(params.name)}`;
  const args = params.arguments;
  if (args !== undefined && !isPlainObject(args)) {
    const text = typeof args === 'string' ? ' (send the object itself, not JSON text)' : '';
    return `params.arguments must be a JSON object of named arguments, such as {"window": [1, 2, 3]}; got ${kind(args)}${text} — leave it out for a tool that takes none`;
  }
  return undefined;
}

/** zod's issues, when `text` is the dump of them the SDK sends as a message (a JSON array of {path, message}). */
function zodIssues(text: string): { path: unknown[]; message: string }[] | undefined {
  if (!text.startsWith('[')) return undefined;
  try {
    const issues: unknown = JSON.parse(text);
    const ok = Array.isArray(issues) && issues.length > 0 && issues.every((i) => isPlainObject(i) && Array.isArray(i.path) && typeof i.message === 'string');
    return ok ? (issues as { path: unknown[]; message: string }[]) : undefined;
  } catch {
    return undefined;
  }
}

/** A request's params that failed the SDK's schema: -32602 naming each field (the SDK said -32603, internal error, with zod's dump). */
function invalidParams(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message) || message.error.code !== -32603) return message;
  const issues = zodIssues(message.error.message);
  if (issues === undefined) return message;
  const text = issues.map((i) => `${i.path.join('.') || 'the message'}: ${i.message}`).join('; ');
  return { ...message, error: { code: -32602, message: `Invalid params: ${text}`.slice(0, 500) } };
}

/** An SDK McpError's message less its "MCP error <code>: " prefix, which an SDK client adds again. */
function withoutSdkPrefix(message: JSONRPCMessage): JSONRPCMessage {
  if (!('error' in message)) return message;
  const prefix = `MCP error ${message.error.code}: `;
  return message.error.message.startsWith(prefix) ? { ...message, error: { ...message.error, message: message.error.message.slice(prefix.length) } } : message;
}

/** Every answer's error in one line, with the code the spec gives it (see the top of this file); other messages pass unchanged. */
export function clarifyAnswer(message: JSONRPCMessage, body: unknown): JSONRPCMessage {
  return clarifyInvalidCall(withoutSdkPrefix(invalidParams(message)), body);
}

/** Rewrites the SDK's refusal of a tools/call's params into one line, naming what was wrong; other messages pass unchanged. */
export function clarifyInvalidCall(message: JSONRPCMessage, body: unknown): JSONRPCMessage {
  if (!('error' in message) || message.error.code !== -32602 || !message.error.message.includes(SDK_PREFIX)) return message;
  const id = JSON.stringify(message.id);
  const request = (Array.isArray(body) ? body : [body]).find((m) => isPlainObject(m) && m.method === 'tools/call' && JSON.stringify(m.id) === id);
  const why = isPlainObject(request) ? describeBadCallParams(request.params) : undefined;
  const sdk = message.error.message;
  // Anything else the SDK refuses (a malformed _meta, say): its own words, on one line.
  const at = sdk.indexOf(SDK_PREFIX) + SDK_PREFIX.length;
  const text = why ?? sdk.slice(at).replace(/\s+/g, ' ').trim();
  return { ...message, error: { ...message.error, message: `${sdk.slice(0, at)} ${text}`.slice(0, 500) } };
}

/** Has `transport` send every answer through clarifyAnswer (the POST's body: where the requests are). */
export function clarifyingTransport(transport: StreamableHTTPServerTransport, body: unknown): StreamableHTTPServerTransport {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(clarifyAnswer(message, body), options);
  return transport;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (v === undefined) return 'nothing';
  return `a ${typeof v}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
