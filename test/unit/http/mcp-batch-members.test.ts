/**
 * POST /mcp, a 2025-03-26 batch with an invalid member (JSON-RPC 2.0 § 6): an array back, one answer
 * per member — each invalid member a -32600 with its own id, each valid request a -32600 with its id
 * saying it was not run (the batch is served whole or not at all), notifications nothing. Until
 * 7 Dec 2026 one -32600 with id null answered the whole batch, so a client could not tell which member
 * to fix. And the transport's fallback 500 answers the request's id, not null.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { build } from './support/build.ts';

const ACCEPT = 'application/json, text/event-stream';
type App = Awaited<ReturnType<typeof build>>['app'];

async function post(app: App, body: unknown) {
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', accept: ACCEPT }, payload: JSON.stringify(body) });
  return { status: res.statusCode, body: res.json() };
}

const ping = (id: number | string) => ({ jsonrpc: '2.0', id, method: 'ping' });

test('the fallback 500 when the transport throws answers the request\'s id', async () => {
  const { app } = await build();
  const proto = StreamableHTTPServerTransport.prototype;
  const handle = proto.handleRequest;
  proto.handleRequest = () => Promise.reject(new Error('transport failed'));
  try {
    const r = await post(app, ping(42));
    assert.equal(r.status, 500);
    assert.deepEqual([r.body.error.code, r.body.id], [-32603, 42]);
  } finally {
    proto.handleRequest = handle;
    await app.close();
  }
});
