/**
 * One clear line for a `tools/call` whose params the SDK refuses (-32602). The SDK Server checks
 * params against its zod schema before our handler runs and answers with zod's multi-line JSON
 * dump ("[\n  {\n    \"expected\": \"record\", …"); a model reads a sentence better. The answer
 * keeps its code and id; only its message is rewritten, from the request the body held.
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

/** Has `transport` send every answer through clarifyInvalidCall (the POST's body: where the requests are). */
export function clarifyingTransport(transport: StreamableHTTPServerTransport, body: unknown): StreamableHTTPServerTransport {
  const send = transport.send.bind(transport);
  transport.send = (message, options) => send(clarifyInvalidCall(message, body), options);
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
