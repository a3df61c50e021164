/**
 * A query number that is not one (`?offset=abc`): the 400 quotes what came and its hint's example
 * names the field that failed. Until 7 Dec 2026 it said "querystring.offset must be an integer" and
 * hinted "e.g. ?limit=100" whatever the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';

test('?offset=abc is 400 quoting "abc", hinting ?offset=…, not ?limit=', async () => {
  const { app } = await build();
  try {
    const r = await app.inject({ url: '/v1/series?offset=abc' });
    assert.equal(r.statusCode, 400);
    const e = r.json().error;
    assert.equal(e.code, 'TC_HTTP_BAD_REQUEST');
    assert.equal(e.message, 'querystring.offset must be an integer; got "abc"');
    assert.equal(e.hint, 'write a plain decimal number, e.g. ?offset=100');
    const limit = (await app.inject({ url: '/v1/series?limit=ten' })).json().error;
    assert.equal(limit.message, 'querystring.limit must be an integer; got "ten"');
    assert.match(limit.hint, /e\.g\. \?limit=\d+$/);
    // A long value is quoted cut short.
    const long = (await app.inject({ url: `/v1/series?offset=${'x'.repeat(500)}` })).json().error;
    assert.equal(long.message, `querystring.offset must be an integer; got "${'x'.repeat(40)}…"`);
  } finally {
    await app.close();
  }
});
