/**
 * CORS (`http.corsOrigins`, opt-in): a page on a listed origin can call the API and /mcp from a
 * browser — its preflight is answered before auth, every answer (errors and the hijacked MCP one
 * included) names the origin — and an origin not listed gets no CORS header at all. Before, no
 * answer carried Access-Control-* and a preflight to an authenticated server got 401: a browser
 * refused every cross-origin call.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';
import { loadConfig } from '../../../src/config/load.ts';
import { corsOriginProblem } from '../../../src/config/schema/cors-origin.ts';
import { resolveHttpConfig } from '../../../src/adapters/http/config.ts';

const CONSOLE = 'https://console.example.com';
const preflight = (url: string, origin: string, method = 'POST') => ({
  method: 'OPTIONS' as const,
  url,
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, mcp-protocol-version' },
});

describe('http.corsOrigins', () => {
  it('accepts origins written as origins; refuses *, paths, trailing slashes and other schemes with the reason', () => {
    assert.equal(corsOriginProblem(CONSOLE), null);
    assert.equal(corsOriginProblem('http://localhost:3000'), null);
    assert.match(corsOriginProblem('*')!, /list each origin/);
    assert.match(corsOriginProblem('https://console.example.com/')!, /use "https:\/\/console\.example\.com"/);
    assert.match(corsOriginProblem('https://console.example.com/app')!, /no path/);
    assert.match(corsOriginProblem('https://Console.Example.com:443')!, /use "https:\/\/console\.example\.com"/);
    assert.match(corsOriginProblem('ftp://files.example.com')!, /not an http\(s\) origin/);
    assert.match(corsOriginProblem('console.example.com')!, /not an origin/);
    assert.deepEqual(loadConfig({ env: { TICKCAST_HTTP_CORS_ORIGINS: `${CONSOLE},http://localhost:3000` } }).http.corsOrigins, [CONSOLE, 'http://localhost:3000']);
    assert.throws(() => loadConfig({ env: { TICKCAST_HTTP_CORS_ORIGINS: '*' } }), /corsOrigins[\s\S]*list each origin/);
    assert.throws(() => resolveHttpConfig({ corsOrigins: ['https://a.example/'] }), /http\.corsOrigins\[0\]: .*no trailing slash/);
  });

  it('answers a listed origin\'s preflight with 204 before auth; another origin and unknown paths get no CORS', async (t) => {
    const { app } = await build({ corsOrigins: [CONSOLE], apiKeys: [KEY], requireAuthForReads: true });
    t.after(() => app.close());
    const ok = await app.inject(preflight('/v1/predict', CONSOLE));
    assert.equal(ok.statusCode, 204, ok.body);
    assert.equal(ok.headers['access-control-allow-origin'], CONSOLE);
    assert.match(String(ok.headers['access-control-allow-methods']), /\bPOST\b/);
    for (const h of ['authorization', 'content-type', 'mcp-protocol-version']) assert.match(String(ok.headers['access-control-allow-headers']), new RegExp(`\\b${h}\\b`));
    assert.equal(ok.headers['access-control-max-age'], '600');
    assert.equal(ok.headers['access-control-allow-credentials'], undefined, 'bearer keys, never cookies');
    assert.match(String(ok.headers.vary), /Origin/);

    const other = await app.inject(preflight('/v1/predict', 'https://evil.example'));
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    assert.equal(other.statusCode, 401, 'an origin not listed goes the usual way: here a key is needed for everything');
    const unknown = await app.inject(preflight('/v1/nothing-here', CONSOLE));
    assert.equal(unknown.statusCode, 401, 'no preflight answer for a path no route serves');
    assert.equal(unknown.headers['access-control-allow-methods'], undefined);
  });

  it('a preflight allows the trace headers of every OTEL_PROPAGATORS choice (B3, Jaeger, baggage), and echoes Jaeger baggage names', async (t) => {
    // Before 7 Dec 2026 only traceparent and tracestate were allowed: under b3 or jaeger a browser refused to send its trace header.
    const { app } = await build({ corsOrigins: [CONSOLE], apiKeys: [KEY], requireAuthForReads: true });
    t.after(() => app.close());
    const asked = 'authorization, b3, x-b3-traceid, x-b3-spanid, x-b3-sampled, uber-trace-id, baggage, uberctx-tenant';
    const res = await app.inject({ method: 'OPTIONS', url: '/v1/predict', headers: { origin: CONSOLE, 'access-control-request-method': 'POST', 'access-control-request-headers': `${asked}, x-evil, uberctx-` } });
    assert.equal(res.statusCode, 204, res.body);
    const allowed = String(res.headers['access-control-allow-headers']).split(',').map((h) => h.trim());
    for (const h of asked.split(', ')) assert.ok(allowed.includes(h), `${h} not in ${allowed.join(', ')}`);
    for (const h of ['traceparent', 'tracestate', 'x-b3-parentspanid', 'x-b3-flags']) assert.ok(allowed.includes(h), h);
    assert.ok(!allowed.includes('x-evil') && !allowed.includes('uberctx-'), 'only what a propagator reads is allowed');
  });

  it('every answer to a listed origin names it and exposes the headers a client reads — 401 and 429 included', async (t) => {
    const { app } = await build({ corsOrigins: [CONSOLE], apiKeys: [KEY], requireAuthForReads: true, rateLimit: { burst: 1, perKeyPerSecond: 0.001 } });
    t.after(() => app.close());
    const get = () => app.inject({ method: 'GET', url: '/v1/series', headers: { origin: CONSOLE, authorization: `Bearer ${KEY}` } });
    const ok = await get();
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['access-control-allow-origin'], CONSOLE);
    for (const h of ['x-request-id', 'retry-after', 'mcp-session-id']) assert.match(String(ok.headers['access-control-expose-headers']), new RegExp(`\\b${h}\\b`));
    const limited = await get();
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.headers['access-control-allow-origin'], CONSOLE, 'a page must read the 429 to back off');
    const noKey = await app.inject({ method: 'GET', url: '/v1/series', headers: { origin: CONSOLE } });
    assert.equal(noKey.statusCode, 401);
    assert.equal(noKey.headers['access-control-allow-origin'], CONSOLE);
  });

  it('POST /mcp from a listed origin passes the Origin check and its hijacked answer carries CORS; an unlisted origin is 403 without it', async (t) => {
    const { app } = await build({ corsOrigins: [CONSOLE] });
    t.after(() => app.close());
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    const call = (origin: string) =>
      fetch(`${base}/mcp`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    const ok = await call(CONSOLE);
    assert.equal(ok.status, 200, await ok.clone().text());
    assert.equal(ok.headers.get('access-control-allow-origin'), CONSOLE);
    assert.ok(((await ok.json()) as { result: { tools: unknown[] } }).result.tools.length > 0);
    const refused = await call('https://evil.example');
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
  });

  it('off by default: no Access-Control-* header, and OPTIONS keeps its plain 204 with Allow', async (t) => {
    const { app } = await build();
    t.after(() => app.close());
    const res = await app.inject(preflight('/v1/predict', CONSOLE));
    assert.equal(res.statusCode, 204);
    assert.match(String(res.headers.allow), /POST/);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    const get = await app.inject({ method: 'GET', url: '/v1/series', headers: { origin: CONSOLE } });
    assert.equal(get.headers['access-control-allow-origin'], undefined);
    assert.equal(get.headers.vary, undefined);
  });
});
