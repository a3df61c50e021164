/**
 * Query strings are UTF-8: a parameter whose percent-decoded bytes are not is a 400 naming it, on
 * every route, as the same bytes are in a path ("the URL is malformed") or a JSON body. Before,
 * `?series=caf%E9` (Latin-1) was taken as the text "caf%E9": 200 with an empty list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';
import { queryNotUtf8 } from '../../../src/adapters/http/query-utf8.ts';

const headers = { authorization: `Bearer ${KEY}` };

test('a query parameter that is not UTF-8 is a 400 naming it, on every route', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    for (const url of ['/v1/anomalies?series=caf%E9', '/v1/series?prefix=caf%E9&limit=5', '/v1/anomalies?limit=5&series=caf%C3%A9%E9', '/healthz?x=%FF']) {
      const r = await app.inject({ url, headers });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      const e = r.json().error;
      assert.equal(e.code, 'TC_HTTP_BAD_REQUEST', url);
      assert.match(e.message, /^query parameter "(series|prefix|x)": its value is not valid UTF-8 \(byte 0x(e9|ff) at offset \d+\)$/, url);
      assert.match(e.hint, /UTF-8/);
    }
    const name = await app.inject({ url: '/v1/anomalies?s%E9ries=1', headers });
    assert.equal(name.statusCode, 400, name.body);
    assert.match(name.json().error.message, /^query parameter "s%E9ries": its name is not valid UTF-8 \(byte 0xe9 at offset 1\)$/);

    // UTF-8 (percent-encoded or not), '+' and a stray '%' are taken as before.
    for (const url of ['/v1/anomalies?series=caf%C3%A9', '/v1/anomalies?series=a+b', '/v1/anomalies?series=100%', '/v1/anomalies']) {
      const r = await app.inject({ url, headers });
      assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
    }
    // Auth comes first: a write without its key gets its 401.
    const noKey = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000001/feedback?x=%E9', payload: { verdict: 'confirmed' } });
    assert.equal(noKey.statusCode, 401, noKey.body);
  } finally {
    await app.close();
  }
});

test('queryNotUtf8 reports the first offending parameter and its byte', () => {
  assert.equal(queryNotUtf8('/x'), null);
  assert.equal(queryNotUtf8('/x?a=%C3%A9&b=%F0%9F%98%80'), null);
  assert.deepEqual(queryNotUtf8('/x?a=1&b=%C3')?.parameter, 'b');
  assert.match(queryNotUtf8('/x?a=ok%ED%A0%80')!.why, /byte 0xed at offset 2/, 'a surrogate is not UTF-8');
});
