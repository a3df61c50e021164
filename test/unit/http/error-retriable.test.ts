/**
 * `retriable` in REST error bodies (docs/errors.md, docs/http-api.md): the error's own flag, from the
 * same place (errors.ts toErrorResponse) as the MCP tool error's, so the two agree. Until 6 Dec 2026
 * only MCP tool errors carried it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import { build, KEY } from './support/build.ts';

const ACCEPT = 'application/json, text/event-stream';
type App = Awaited<ReturnType<typeof build>>['app'];
type Body = { error: { code: string; message: string; hint?: string; retriable: boolean } };

async function toolError(app: App, name: string, args: unknown): Promise<Body['error']> {
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', accept: ACCEPT, authorization: `Bearer ${KEY}` }, payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } } });
  const r = res.json().result;
  assert.equal(r.isError, true, JSON.stringify(r));
  return JSON.parse(r.content[0].text).error;
}

test('every REST error body says retriable: true where the same request may succeed later, false otherwise; the MCP tool error agrees', async () => {
  const { app, serving } = await build({ apiKeys: [KEY], rateLimit: { burst: 8, perKeyPerSecond: 0.001 } });
  try {
    serving.ingest('WARMING', 0, 1);
    const cases: { what: string; req: InjectOptions; status: number; code: string; retriable: boolean; tool?: [string, unknown] }[] = [
      { what: 'series warming up', req: { method: 'POST', url: '/v1/predict', payload: { series: 'WARMING' } }, status: 409, code: 'TC_SERIES_NOT_READY', retriable: true, tool: ['forecast', { series: 'WARMING' }] },
      { what: 'series not tracked', req: { method: 'POST', url: '/v1/predict', payload: { series: 'NOPE' } }, status: 404, code: 'TC_SERIES_NOT_FOUND', retriable: false, tool: ['forecast', { series: 'NOPE' }] },
      { what: 'invalid body', req: { method: 'POST', url: '/v1/predict', payload: { window: ['x'] } }, status: 400, code: 'TC_HTTP_BAD_REQUEST', retriable: false, tool: ['forecast', { window: ['x'] }] },
      { what: 'body not JSON', req: { method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json' }, payload: '{' }, status: 400, code: 'TC_HTTP_BAD_REQUEST', retriable: false },
      { what: 'no such route', req: { method: 'GET', url: '/v1/nope' }, status: 404, code: 'TC_HTTP_NOT_FOUND', retriable: false },
      { what: 'method not served', req: { method: 'DELETE', url: '/v1/series' }, status: 405, code: 'TC_HTTP_METHOD_NOT_ALLOWED', retriable: false },
      { what: 'wrong key', req: { method: 'POST', url: '/v1/model/rollback', headers: { authorization: 'Bearer wrong' }, payload: {} }, status: 401, code: 'TC_HTTP_UNAUTHORIZED', retriable: false },
    ];
    for (const c of cases) {
      const res = await app.inject(c.req);
      assert.equal(res.statusCode, c.status, `${c.what}: ${res.body}`);
      const body = res.json() as Body;
      assert.equal(body.error.code, c.code, c.what);
      assert.equal(body.error.retriable, c.retriable, `${c.what}: ${res.body}`);
      if (c.tool) {
        const tool = await toolError(app, ...c.tool);
        assert.deepEqual([tool.code, tool.retriable], [body.error.code, body.error.retriable], `${c.what}: REST and MCP disagree`);
      }
    }
    // The rate limit: 429, retriable (after Retry-After).
    let limited: Awaited<ReturnType<App['inject']>> | undefined;
    for (let i = 0; i < 20 && limited === undefined; i++) {
      const res = await app.inject({ method: 'GET', url: '/v1/series', headers: { authorization: `Bearer ${KEY}` } });
      if (res.statusCode === 429) limited = res;
    }
    assert.ok(limited, 'the rate limit answered 429');
    assert.deepEqual([(limited.json() as Body).error.code, (limited.json() as Body).error.retriable], ['TC_HTTP_RATE_LIMITED', true]);
  } finally {
    await app.close();
  }
});

test('the OpenAPI document declares retriable on ErrorBody (a field the response serialiser would otherwise drop)', async () => {
  const { app } = await build();
  try {
    const spec = (await app.inject({ url: '/docs/json' })).json();
    const errorBody = spec.components.schemas.ErrorBody ?? Object.values(spec.components.schemas).find((s) => (s as { description?: string }).description?.startsWith('Every 4xx/5xx answer'));
    assert.equal(errorBody.properties.error.properties.retriable.type, 'boolean');
    assert.ok(errorBody.properties.error.required.includes('retriable'));
  } finally {
    await app.close();
  }
});
