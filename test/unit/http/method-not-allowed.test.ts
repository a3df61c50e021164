import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';

test('a known path with a method it does not serve is 405 with Allow and the usual error body; unknown paths stay 404', async () => {
  const { app } = await build();
  try {
    const cases: Array<[string, string, string]> = [
      ['GET', '/v1/predict', 'OPTIONS, POST'],
      ['PUT', '/v1/predict', 'OPTIONS, POST'],
      ['HEAD', '/v1/predict', 'OPTIONS, POST'],
      ['DELETE', '/v1/series/fx%2FEURUSD', 'GET, HEAD, OPTIONS'],
      ['POST', '/healthz', 'GET, HEAD, OPTIONS'],
      ['PATCH', '/v1/anomalies/a1/feedback', 'DELETE, OPTIONS, POST'],
      ['PUT', '/mcp', 'OPTIONS, POST'],
    ];
    for (const [method, url, allow] of cases) {
      const r = await app.inject({ method: method as 'GET', url });
      assert.equal(r.statusCode, 405, `${method} ${url}: ${r.body}`);
      assert.equal(r.headers.allow, allow, `${method} ${url}`);
      if (method === 'HEAD') continue;
      assert.match(String(r.headers['content-type']), /^application\/json/);
      const e = r.json().error;
      assert.equal(e.code, 'TC_HTTP_METHOD_NOT_ALLOWED');
      assert.equal(e.message, `${method} is not allowed on ${url}`);
      assert.deepEqual(e.details.allow, allow.split(', '));
      assert.match(e.hint, /this path takes/);
    }
    for (const [method, url] of [['GET', '/v1/nope'], ['POST', '/v2/predict'], ['OPTIONS', '/nope'], ['GET', '/v1/series/a/b']]) {
      const r = await app.inject({ method: method as 'GET', url });
      assert.equal(r.statusCode, 404, `${method} ${url}`);
      assert.equal(r.headers.allow, undefined);
      assert.equal(r.json().error.code, 'TC_HTTP_NOT_FOUND');
    }
    // The methods a path serves still work; HEAD comes with every GET.
    assert.equal((await app.inject({ method: 'HEAD', url: '/healthz' })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/v1/model' })).statusCode, 200);
  } finally {
    await app.close();
  }
});

test('OPTIONS on a known path is 204 with Allow (no CORS headers); /mcp does not list the GET/DELETE it refuses', async () => {
  const { app } = await build();
  try {
    const p = await app.inject({ method: 'OPTIONS', url: '/v1/predict', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(p.statusCode, 204);
    assert.equal(p.headers.allow, 'OPTIONS, POST');
    assert.equal(p.headers['access-control-allow-origin'], undefined);
    assert.equal(p.body, '');
    assert.equal((await app.inject({ method: 'OPTIONS', url: '/v1/series' })).headers.allow, 'GET, HEAD, OPTIONS');
    const mcp = await app.inject({ method: 'OPTIONS', url: '/mcp' });
    assert.equal(mcp.statusCode, 204);
    assert.equal(mcp.headers.allow, 'OPTIONS, POST');
    const get = await app.inject({ method: 'GET', url: '/mcp' });
    assert.equal(get.statusCode, 405);
    assert.equal(get.headers.allow, 'OPTIONS, POST');
  } finally {
    await app.close();
  }
});

test('with requireAuthForReads a request without a key is 401 before any 405: the methods of a path are not told to strangers', async () => {
  const { app } = await build({ apiKeys: [KEY], requireAuthForReads: true });
  try {
    const anon = await app.inject({ method: 'GET', url: '/v1/predict' });
    assert.equal(anon.statusCode, 401);
    assert.equal(anon.headers.allow, undefined);
    const keyed = await app.inject({ method: 'GET', url: '/v1/predict', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(keyed.statusCode, 405);
    assert.equal(keyed.headers.allow, 'OPTIONS, POST');
  } finally {
    await app.close();
  }
});

test('a wrong method or an unknown path is 405 / 404 whatever body comes with it: an empty or bad JSON body is not read for a route that does not exist', async () => {
  // Clients and scripts that set `Content-Type: application/json` on every request (curl -H, fetch
  // wrappers) sent `DELETE /v1/series/x` with an empty JSON body and got 400 "this route needs a
  // JSON body" (found running docs/http-api.md's examples, 7 Dec 2026): the body of a request no
  // route takes was parsed before the 404/405 was chosen.
  const { app } = await build();
  try {
    const json = { 'content-type': 'application/json' };
    const cases: Array<[string, string, string, number, string | undefined]> = [
      ['DELETE', '/v1/series/a', '', 405, 'GET, HEAD, OPTIONS'],
      ['PUT', '/v1/predict', '', 405, 'OPTIONS, POST'],
      ['POST', '/v1/series', '{bad', 405, 'GET, HEAD, OPTIONS'],
      ['PATCH', '/v1/anomalies/a1/feedback', '   ', 405, 'DELETE, OPTIONS, POST'],
      ['POST', '/v1/nope', '', 404, undefined],
      ['POST', '/v2/predict', '{bad', 404, undefined],
      ['PUT', '/v1/nope', '{"a": 1}', 404, undefined],
    ];
    for (const [method, url, payload, status, allow] of cases) {
      const r = await app.inject({ method: method as 'GET', url, headers: json, payload });
      assert.equal(r.statusCode, status, `${method} ${url} ${JSON.stringify(payload)}: ${r.body}`);
      assert.equal(r.headers.allow, allow, `${method} ${url}`);
      assert.equal(r.json().error.code, status === 405 ? 'TC_HTTP_METHOD_NOT_ALLOWED' : 'TC_HTTP_NOT_FOUND');
    }
    for (const method of ['GET', 'DELETE']) {
      const r = await app.inject({ method: method as 'GET', url: '/mcp', headers: json, payload: '' });
      assert.equal(r.statusCode, 405, `${method} /mcp: ${r.body}`);
      assert.equal(r.headers.allow, 'OPTIONS, POST');
      assert.equal(r.json().error.code, -32000);
    }
    // A route that exists still reads (and refuses) its body as before.
    const empty = await app.inject({ method: 'POST', url: '/v1/predict', headers: json, payload: '' });
    assert.equal(empty.statusCode, 400);
    assert.match(empty.json().error.message, /needs a JSON body/);
    const bad = await app.inject({ method: 'POST', url: '/v1/predict', headers: json, payload: '{bad' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /not valid JSON/);
  } finally {
    await app.close();
  }
});
