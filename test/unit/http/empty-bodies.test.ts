/**
 * Every POST/DELETE route called as `curl -X POST -H 'content-type: application/json' -d ''` does:
 * a route whose body is optional (rollback; DELETE feedback has none) takes the empty body as no
 * body; a route that needs one answers 400 saying that it needs one (docs/http-api.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';

const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

test('an empty JSON body: accepted where the body is optional, a 400 that says a body is needed elsewhere', async () => {
  const { app, serving } = await build({ apiKeys: [KEY] });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    for (const body of ['', ' \n', undefined]) {
      serving.version = 'trend-v2';
      const rollback = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers, body });
      assert.equal(rollback.status, 200, `rollback with body ${JSON.stringify(body)}: ${await rollback.clone().text()}`);
      assert.equal((await rollback.json()).version, 'trend-v1', 'rolled back to the previous version');
    }

    // `curl -X POST -d ''` sends Content-Type application/x-www-form-urlencoded: an empty body has no media type to refuse.
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      serving.version = 'trend-v2';
      const res = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers: { ...headers, 'content-type': type }, body: '' });
      assert.equal(res.status, 200, `${type}: ${await res.clone().text()}`);
      const full = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers: { ...headers, 'content-type': type }, body: 'version=v1' });
      assert.equal(full.status, 415, `${type} with a body is still not JSON`);
    }

    // DELETE has no body: it reaches the handler (feedback is off on this server: its 404).
    const del = await fetch(`${base}/v1/anomalies/0123456789abcdef/feedback`, { method: 'DELETE', headers, body: '' });
    assert.equal(del.status, 404, await del.clone().text());
    assert.match((await del.json()).error.message, /alert feedback is off/);

    for (const url of ['/v1/predict', '/v1/anomalies/0123456789abcdef/feedback', '/mcp']) {
      const res = await fetch(`${base}${url}`, { method: 'POST', headers: { ...headers, accept: 'application/json, text/event-stream' }, body: '' });
      assert.equal(res.status, 400, url);
      const e = (await res.json()).error;
      assert.equal(e.code, 'TC_HTTP_BAD_REQUEST', url);
      assert.match(e.message, /needs a JSON body/, url);
      assert.doesNotMatch(e.hint, /drop the Content-Type/, `${url}: dropping the header does not help a route that needs a body`);
    }
    // A body that is there but not JSON is still refused on the optional-body route.
    const junk = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers, body: 'v1' });
    assert.equal(junk.status, 400);
    assert.match((await junk.json()).error.message, /not valid JSON/);
    const proto = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers, body: '{"__proto__":{"pin":true}}' });
    assert.equal(proto.status, 400);
  } finally {
    await app.close();
  }
});
