/**
 * A trailing slash (`/v1/predict/`, added by a proxy rewrite or a base URL ending in "/") is a 404
 * that names the route it missed; until 7 Dec 2026 it was the generic "see /docs" 404.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';

test('a served path with a trailing slash is a 404 that names the route without it and its methods', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  try {
    const post = await app.inject({ method: 'POST', url: '/v1/predict/?x=1', headers, payload: '{"window":[1,2,3,4]}' });
    assert.equal(post.statusCode, 404, post.body);
    const e = post.json().error;
    assert.equal(e.code, 'TC_HTTP_NOT_FOUND');
    assert.equal(e.message, 'no route POST /v1/predict/ (paths here have no trailing slash)');
    assert.match(e.hint, /^send it to \/v1\/predict; /);
    assert.deepEqual(e.details, { route: '/v1/predict', allow: ['OPTIONS', 'POST'] });

    // A method the bare path does not take: the hint says which it does.
    const get = await app.inject({ method: 'GET', url: '/v1/predict//', headers });
    assert.match(get.json().error.hint, /^send it to \/v1\/predict \(it takes POST\)/);

    // Unchanged: an unknown path keeps the generic hint, and /v1/series/ is still the empty-id 400.
    const unknown = await app.inject({ method: 'GET', url: '/v1/nothing/', headers });
    assert.equal(unknown.json().error.hint, 'see /docs for the routes this server offers');
    assert.equal(unknown.json().error.details, undefined);
    const series = await app.inject({ method: 'GET', url: '/v1/series/', headers });
    assert.equal(series.statusCode, 400, series.body);
  } finally {
    await app.close();
  }
});
