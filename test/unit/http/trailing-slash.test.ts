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
    // The query sent is kept in the location to use (until 7 Dec 2026 it was dropped: "send it to /v1/predict").
    assert.match(e.hint, /^send it to \/v1\/predict\?x=1; /);
    assert.deepEqual(e.details, { location: '/v1/predict?x=1', allow: ['OPTIONS', 'POST'] });

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

test('a 404 for a path of many slashes is answered in linear time (the trailing-slash strip was a quadratic regex)', async () => {
  const { notFoundBody } = await import('../../../src/adapters/http/not-found.ts');
  // /\/+$/ tried every start in a run of slashes not at the end: 100,000 of them took seconds (16 KiB, the header bound, 110 ms a request).
  const path = `/${'/'.repeat(100_000)}x`;
  const started = performance.now();
  const body = notFoundBody('GET', path, { allowed: () => [] } as never);
  assert.ok(performance.now() - started < 1000, 'linear: about a millisecond; quadratic: several seconds');
  assert.equal(body.error.code, 'TC_HTTP_NOT_FOUND');
  // And the path is stripped of its trailing slashes as before.
  const named = notFoundBody('GET', '/v1/predict///', { allowed: (p: string) => (p === '/v1/predict' ? ['POST'] : []) } as never);
  assert.deepEqual(named.error.details, { location: '/v1/predict', allow: ['POST'] });
});

// Until 7 Dec 2026 the path came back whole three times (message, hint, details.route): a 16 KiB path (node's
// header bound) made a 48 KiB 404, and a long path's generic 404 repeated it whole once.
test('a 404 repeats the path sent once and the location to use once, each at most 256 characters', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  const series = 'a'.repeat(3000);
  try {
    for (const url of [`/v1/series/${series}/?x=1`, `/v1/predict${'/'.repeat(16_000)}`, `/v1/nothing${'x'.repeat(16_000)}`, `/v1/series/${'b'.repeat(3000)}/forecast`]) {
      const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${KEY}` } });
      assert.equal(r.statusCode, 404, url.slice(0, 40));
      assert.ok(r.body.length < 1600, `${url.slice(0, 40)}…: a ${r.body.length}-byte 404`);
      const e = r.json().error;
      assert.match(e.message, /^no route GET \/v1\/\w+\/?[a-z/]*… \(\d+ characters\)/, e.message);
    }
    // A long path with a trailing slash: the hint says what to do without repeating it.
    const long = (await app.inject({ method: 'GET', url: `/v1/series/${series}/?x=1` })).json().error;
    assert.match(long.hint, /^send it to the same URL without the "\/" before its query; /);
    assert.deepEqual(long.details, { allow: ['GET', 'HEAD', 'OPTIONS'] });
    // A short one: the location to use, query and all, once in the hint and once in details.
    const short = (await app.inject({ method: 'GET', url: '/v1/series/AAPL/?fields=window&x=%20' })).json().error;
    assert.equal(short.message, 'no route GET /v1/series/AAPL/ (paths here have no trailing slash)');
    assert.match(short.hint, /^send it to \/v1\/series\/AAPL\?fields=window&x=%20; /);
    assert.equal(short.details.location, '/v1/series/AAPL?fields=window&x=%20');
  } finally {
    await app.close();
  }
});
