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

test('a batch with invalid members answers an array: each member its own answer with its own id', async () => {
  const { app } = await build();
  try {
    const batch = [ping(1), { jsonrpc: '1.0', id: 'x', method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/initialized' }, { foo: 1 }, ping('b')];
    const r = await post(app, batch);
    assert.equal(r.status, 400);
    assert.ok(Array.isArray(r.body), JSON.stringify(r.body));
    assert.deepEqual(r.body.map((m: { id: unknown }) => m.id), [1, 'x', null, 'b'], 'the notification has no answer');
    for (const m of r.body) assert.equal(m.error.code, -32600);
    assert.match(r.body[1].error.message, /^Invalid Request: message 1 of the batch is not a JSON-RPC 2.0/);
    assert.match(r.body[2].error.message, /^Invalid Request: message 3 of the batch/);
    assert.match(r.body[0].error.message, /not run: message 1, 3 of the batch is invalid/);
    assert.equal(r.body[0].error.data.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(r.body[0].error.data.hint, /without messages 1, 3/);
    // The valid members, sent again alone, are served.
    const again = await post(app, [ping(1), ping('b')]);
    assert.deepEqual([again.status, again.body.map((m: { id: unknown }) => m.id)], [200, [1, 'b']]);
  } finally {
    await app.close();
  }
});

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
