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
    for (const v of ['2025-03-26', '2025-06-18']) {
      const r = await post(app, initialize(v));
      assert.equal(r.body.result.protocolVersion, v);
      assert.deepEqual(r.body.result.capabilities, { tools: {} }, 'no listChanged: no notification will ever come');
      assert.equal(r.body.result.serverInfo.name, 'tickcast');
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
    assert.match(r.body.error.message, /Unknown tool: "nope"; tools: forecast, /);
    // A tool's own failure stays a result with isError.
    const own = await post(app, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'snapshot_status', arguments: {} } });
    assert.equal(own.body.result.isError, true);
    assert.match(own.body.result.content[0].text, /snapshots are off/);
  } finally {
    await app.close();
  }
});
