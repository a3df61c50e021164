/**
 * A compressed body sent to a path or method no route serves: the 404 or 405 says what is wrong,
 * as it does for a media type or charset not read (./body-presence.ts skips those for unrouted
 * requests). Until the review of 7 Dec 2026 the Content-Encoding check came first: 415 for each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';

test('a gzip body to an unknown path or a method a path does not take is 404 or 405, not 415', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const cases = [['POST', '/v1/nope', 404], ['PUT', '/v1/predict', 405], ['DELETE', '/mcp', 405]] as const;
    for (const [method, url, status] of cases) {
      const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'content-encoding': 'gzip' };
      const res = await app.inject({ method, url, headers, payload: '{"a":1}' });
      assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
    }
    // A route that reads the body still refuses it.
    const res = await app.inject({ method: 'POST', url: '/v1/predict', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'content-encoding': 'gzip' }, payload: '{"a":1}' });
    assert.equal(res.statusCode, 415);
  } finally {
    await app.close();
  }
});
