import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';
import { TrendServing } from './support/trend-serving.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test('every answer names its request id in X-Request-Id: random per request, or the well-formed id the client sent', async () => {
  const { app } = await build();
  try {
    const a = await app.inject({ url: '/v1/model' });
    const b = await app.inject({ url: '/v1/model' });
    assert.match(String(a.headers['x-request-id']), UUID);
    assert.match(String(b.headers['x-request-id']), UUID);
    assert.notEqual(a.headers['x-request-id'], b.headers['x-request-id']);
    assert.equal((await app.inject({ url: '/v1/model', headers: { 'x-request-id': 'ingress-7f3a:01.2_x' } })).headers['x-request-id'], 'ingress-7f3a:01.2_x');
    for (const bad of ['has space', 'a"b', 'x'.repeat(129), '']) {
      assert.match(String((await app.inject({ url: '/v1/model', headers: { 'x-request-id': bad } })).headers['x-request-id']), UUID, JSON.stringify(bad));
    }
    // Errors at every layer carry it: validation, 404, 405, 401, a malformed path (fastify's frameworkErrors), probes.
    for (const [method, url] of [['GET', '/v1/series?limit=0'], ['GET', '/nope'], ['GET', '/v1/predict'], ['POST', '/v1/model/rollback'], ['GET', '/v1/series/%E0%A4%A'], ['GET', '/healthz']]) {
      const r = await app.inject({ method: method as 'GET', url });
      assert.match(String(r.headers['x-request-id']), UUID, `${method} ${url} (${r.statusCode})`);
    }
  } finally {
    await app.close();
  }
});

test('a 500 names its request id in the body and the header, and the log line that holds the cause has the same reqId', async () => {
  const serving = new TrendServing();
  serving.modelInfo = () => {
    throw new Error('disk exploded at /secret/path');
  };
  const { app, lines } = await build({}, serving);
  try {
    const r = await app.inject({ url: '/v1/model', headers: { 'x-request-id': 'trace-42' } });
    assert.equal(r.statusCode, 500);
    assert.equal(r.headers['x-request-id'], 'trace-42');
    assert.equal(r.json().error.code, 'TC_INTERNAL');
    assert.equal(r.json().error.details.requestId, 'trace-42');
    assert.doesNotMatch(r.body, /exploded|secret/);
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
    assert.equal(logged?.reqId, 'trace-42');
    assert.match(JSON.stringify(logged.err), /disk exploded/);
  } finally {
    await app.close();
  }
});

test('answers written outside reply.send (MCP over a listening server) carry X-Request-Id too', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const r = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'x-request-id': 'mcp-call-1' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(r.headers.get('x-request-id'), 'mcp-call-1');
    await r.text();
  } finally {
    await app.close();
  }
});
