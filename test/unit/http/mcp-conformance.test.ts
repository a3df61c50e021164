/** /mcp against the MCP streamable HTTP transport and JSON-RPC 2.0: the answers the spec prescribes (docs/http-api.md § Agent tools). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';

const ACCEPT = 'application/json, text/event-stream';
type App = Awaited<ReturnType<typeof build>>['app'];

async function post(app: App, body: unknown, headers: Record<string, string> = {}) {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, payload });
  return { status: res.statusCode, body: res.body === '' ? undefined : res.json() };
}

const ping = (id: number) => ({ jsonrpc: '2.0', id, method: 'ping' });
const initialize = (protocolVersion: string) => ({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion, capabilities: {}, clientInfo: { name: 't', version: '1' } } });

test('initialize: the version asked for when supported, else the latest; tools without listChanged (the list never changes)', async () => {
  const { app } = await build();
  try {
    for (const v of ['2024-11-05', '2025-03-26', '2025-06-18']) {
      const r = await post(app, initialize(v));
      assert.equal(r.body.result.protocolVersion, v);
      assert.deepEqual(r.body.result.capabilities, { tools: {} }, 'no listChanged: no notification will ever come');
      assert.equal(r.body.result.serverInfo.name, 'tickcast');
      assert.equal(r.body.result.serverInfo.title, 'tickcast forecasting and anomaly detection');
      // How the tools fit together, for the model, in the tools' own names.
      const tools = (await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/list' })).body.result.tools.map((t: { name: string }) => t.name) as string[];
      const named = tools.filter((t) => new RegExp(`\\b${t}\\b`).test(r.body.result.instructions));
      assert.deepEqual(named, ['forecast', 'list_series', 'recent_anomalies', 'explain_forecast', 'give_alert_feedback', 'list_incidents']);
    }
    const unknown = await post(app, initialize('1999-01-01'));
    assert.match(unknown.body.result.protocolVersion, /^\d{4}-\d{2}-\d{2}$/);
    assert.notEqual(unknown.body.result.protocolVersion, '1999-01-01');
    const bad = await post(app, ping(2), { 'mcp-protocol-version': '1999-01-01' });
    assert.equal(bad.status, 400);
    assert.equal((await post(app, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
  } finally {
    await app.close();
  }
});

test('tools/call of an unknown tool is the JSON-RPC error -32602 naming the tools, not a tool result', async () => {
  const { app } = await build();
  try {
    const r = await post(app, { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'nope', arguments: {} } }, { 'mcp-protocol-version': '2025-06-18' });
    assert.equal(r.status, 200);
    assert.equal(r.body.result, undefined, JSON.stringify(r.body));
    assert.equal(r.body.id, 4);
    assert.equal(r.body.error.code, -32602);
    // The message as docs/http-api.md gives it: not the SDK's McpError text ("MCP error -32602: Unknown
    // tool…", until 7 Dec 2026), which an SDK client prefixes again ("MCP error -32602: MCP error -32602: …").
    assert.match(r.body.error.message, /^Unknown tool: "nope"; tools: forecast, /);
    // A tool's own failure stays a result with isError.
    const own = await post(app, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'snapshot_status', arguments: {} } });
    assert.equal(own.body.result.isError, true);
    assert.match(own.body.result.content[0].text, /snapshots are off/);
  } finally {
    await app.close();
  }
});

test('JSON-RPC errors: a body that is not JSON is -32700, one that is JSON but no JSON-RPC message (or an empty batch) is -32600', async () => {
  const { app } = await build();
  try {
    const parse = await post(app, '{"jsonrpc": "2.0", "id": 1, "method": ');
    assert.equal(parse.status, 400);
    assert.deepEqual(parse.body.error.message, 'Parse error: the body is not valid JSON (or holds a "__proto__" or "constructor" key)');
    assert.deepEqual([parse.body.error.code, parse.body.id], [-32700, null]);
    for (const body of [{ foo: 1 }, { jsonrpc: '1.0', id: 1, method: 'ping' }, 42, { jsonrpc: '2.0', id: null, method: 'ping' }, []]) {
      const r = await post(app, body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.error.code, -32600, JSON.stringify(r.body));
      assert.match(r.body.error.message, /^Invalid Request/);
      // null where no id could be read; the "1.0" request's id 1 was (the test below).
      assert.equal(r.body.id, JSON.stringify(body).startsWith('{"jsonrpc":"1.0"') ? 1 : null);
    }
    // Other refusals before the transport keep the service's error body (the spec allows any body on a 4xx).
    const tooBig = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'text/plain', accept: ACCEPT }, payload: 'x' });
    assert.equal(tooBig.json().error.code, 'TC_HTTP_UNSUPPORTED_MEDIA_TYPE');
  } finally {
    await app.close();
  }
});

test('batches: served to a 2025-03-26 client (or one that does not say), 400 -32600 to one that says 2025-06-18 or later', async () => {
  const { app } = await build();
  try {
    const batch = [ping(1), ping(2)];
    for (const headers of [{}, { 'mcp-protocol-version': '2025-03-26' }] as Record<string, string>[]) {
      const r = await post(app, batch, headers);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.map((m: { id: number }) => m.id), [1, 2]);
    }
    for (const v of ['2025-06-18', '2025-11-25']) {
      const r = await post(app, batch, { 'mcp-protocol-version': v });
      assert.equal(r.status, 400, v);
      assert.equal(r.body.error.code, -32600);
      assert.match(r.body.error.message, /no JSON-RPC batches/);
    }
    assert.equal((await post(app, ping(3), { 'mcp-protocol-version': '2025-06-18' })).status, 200, 'one message is fine');
    // Two requests with one id: one of them would run and never be answered (the SDK keeps one answer per id).
    for (const dup of [[ping(1), ping(1)], [ping(4), { jsonrpc: '2.0', id: 4, method: 'tools/list' }]]) {
      const r = await post(app, dup);
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, -32600);
      assert.match(r.body.error.message, /request id \d appears more than once in the batch/);
    }
    assert.deepEqual((await post(app, [ping(5), { jsonrpc: '2.0', method: 'notifications/initialized' }, ping(6)])).body.map((m: { id: number }) => m.id), [5, 6]);
  } finally {
    await app.close();
  }
});

test('Origin: a browser page on a name (DNS rebinding) is 403; no Origin, localhost, IP literals and http.allowedHosts names pass', async () => {
  const open = await build();
  try {
    for (const origin of ['http://evil.example:8080', 'null', 'https://tickcast.internal']) {
      const r = await post(open.app, ping(1), { origin, host: 'evil.example:8080' });
      assert.equal(r.status, 403, origin);
      assert.equal(r.body.error.code, -32000);
      assert.match(r.body.error.message, /Origin .* may not call this MCP endpoint/);
    }
    for (const origin of [undefined, 'http://localhost:6274', 'http://127.0.0.1:8080', 'http://[::1]:8080']) {
      const r = await post(open.app, ping(1), origin === undefined ? {} : { origin });
      assert.equal(r.status, 200, String(origin));
    }
  } finally {
    await open.app.close();
  }
  const listed = await build({ allowedHosts: ['.example.com'] });
  try {
    assert.equal((await post(listed.app, ping(1), { origin: 'https://mcp.example.com', host: 'mcp.example.com' })).status, 200);
    assert.equal((await post(listed.app, ping(1), { origin: 'https://example.org', host: 'mcp.example.com' })).status, 403);
  } finally {
    await listed.app.close();
  }
});

// Until 7 Dec 2026 only the Accept (406) and MCP-Protocol-Version (400) refusals carried error.data.code: the
// Origin 403, every -32600, the -32700 and the 405 to GET/DELETE had no code a client could branch on.
test('every /mcp refusal of the JSON-RPC shape carries a tickcast code and a hint in error.data', async () => {
  const { app } = await build();
  try {
    const cases: [string, { status: number; body: { error: { code: number; data?: { code: string; hint: string } } } }, number, string][] = [
      ['Origin', await post(app, ping(1), { origin: 'http://evil.example', host: 'evil.example' }), 403, 'TC_HTTP_HOST_NOT_ALLOWED'],
      ['batch under 2025-06-18', await post(app, [ping(1), ping(2)], { 'mcp-protocol-version': '2025-06-18' }), 400, 'TC_HTTP_BAD_REQUEST'],
      ['empty batch', await post(app, []), 400, 'TC_HTTP_BAD_REQUEST'],
      ['not JSON-RPC', await post(app, { foo: 1 }), 400, 'TC_HTTP_BAD_REQUEST'],
      ['id twice', await post(app, [ping(1), ping(1)]), 400, 'TC_HTTP_BAD_REQUEST'],
      ['not JSON', await post(app, '{"jsonrpc": '), 400, 'TC_HTTP_BAD_REQUEST'],
      ['not UTF-8', await (async () => {
        const res = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', accept: ACCEPT }, payload: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x7d]) });
        return { status: res.statusCode, body: res.json() };
      })(), 400, 'TC_HTTP_BAD_REQUEST'],
      ['Accept', await post(app, ping(1), { accept: 'application/json' }), 406, 'TC_HTTP_NOT_ACCEPTABLE'],
    ];
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await app.inject({ method, url: '/mcp' });
      cases.push([method, { status: res.statusCode, body: res.json() }, 405, 'TC_HTTP_METHOD_NOT_ALLOWED']);
    }
    for (const [what, r, status, code] of cases) {
      assert.equal(r.status, status, what);
      assert.equal(r.body.error.data?.code, code, `${what}: ${JSON.stringify(r.body)}`);
      assert.ok((r.body.error.data?.hint ?? '').length > 20, `${what}: a hint`);
    }
  } finally {
    await app.close();
  }
});

// JSON-RPC 2.0 § 5: an error answer's id is the request's, null only "if there was an error in detecting the id".
// Until 7 Dec 2026 every refusal before the transport said null, so a client with calls in flight could not tell which was refused.
test('a refusal before the transport answers the request\'s id when it could be read, null when not', async () => {
  const { app } = await build({ allowedHosts: ['tickcast.example'] });
  try {
    const refusals: [unknown, Record<string, string>, number][] = [
      [{ jsonrpc: '1.0', id: 7, method: 'ping' }, {}, 400], // -32600: not JSON-RPC 2.0, but its id is plain
      [{ jsonrpc: '2.0', id: 'call-8', method: 'ping', params: 5 }, {}, 400], // -32600: params not an object
      [{ jsonrpc: '2.0', id: 9 }, {}, 400], // -32600: neither method nor result
      [ping(10), { accept: '*/*' }, 406],
      [ping(11), { 'mcp-protocol-version': '1999-01-01' }, 400],
      [ping(12), { origin: 'http://rebound.example' }, 403],
    ];
    for (const [body, headers, status] of refusals) {
      const r = await post(app, body, { host: 'tickcast.example', ...headers });
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.id, (body as { id: unknown }).id, JSON.stringify(r.body));
    }
    // No id to read: a batch (its refusal answers no one request), an id that is no id, a response, a notification.
    const unread: [unknown, Record<string, string>][] = [
      [[ping(1), ping(2)], { 'mcp-protocol-version': '2025-06-18' }],
      [{ jsonrpc: '2.0', id: { n: 1 }, method: 'ping' }, {}],
      [{ jsonrpc: '2.0', id: true, method: 'ping' }, {}],
      [{ jsonrpc: '2.0', id: 3, result: {} }, { accept: '*/*' }],
      [{ jsonrpc: '2.0', method: 'notifications/initialized' }, { accept: '*/*' }],
    ];
    for (const [body, headers] of unread) {
      const r = await post(app, body, { host: 'tickcast.example', ...headers });
      assert.ok(r.status >= 400, JSON.stringify(r.body));
      assert.equal(r.body.id, null, JSON.stringify(body));
    }
  } finally {
    await app.close();
  }
});

// Until 7 Dec 2026: a tools/call with bad params said "MCP error -32602: Invalid tools/call request: …" (an SDK
// client prefixes its own "MCP error -32602: " again), and bad params of initialize or tools/list were the
// internal error -32603 with zod's multi-line dump as message.
test('params the SDK refuses are -32602 in one line, without the SDK\'s "MCP error" prefix', async () => {
  const { app } = await build();
  try {
    const call = await post(app, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 5 } });
    assert.deepEqual(call.body, { jsonrpc: '2.0', id: 2, error: { code: -32602, message: "Invalid tools/call request: params.name must be the tool's name as a string (tools/list lists them); got a number" } });
    const text = await post(app, { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'forecast', arguments: '{"window": [1]}' } });
    assert.match(text.body.error.message, /^Invalid tools\/call request: params\.arguments must be a JSON object .*got a string \(send the object itself, not JSON text\)/);
    const list = await post(app, { jsonrpc: '2.0', id: 5, method: 'tools/list', params: { cursor: 5 } });
    assert.deepEqual(list.body, { jsonrpc: '2.0', id: 5, error: { code: -32602, message: 'Invalid params: params.cursor: Invalid input: expected string, received number' } });
    const init = await post(app, { jsonrpc: '2.0', id: 4, method: 'initialize', params: { capabilities: {}, clientInfo: { name: 't', version: '1' } } });
    assert.equal(init.body.id, 4);
    assert.equal(init.body.error.code, -32602, JSON.stringify(init.body));
    assert.equal(init.body.error.message, 'Invalid params: params.protocolVersion: Invalid input: expected string, received undefined');
    // Other errors keep their words: an unknown method, a tool's own refusal.
    assert.deepEqual((await post(app, { jsonrpc: '2.0', id: 6, method: 'resources/list' })).body.error, { code: -32601, message: 'Method not found' });
  } finally {
    await app.close();
  }
});
