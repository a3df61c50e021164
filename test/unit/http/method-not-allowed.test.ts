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
