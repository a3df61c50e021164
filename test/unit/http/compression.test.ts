import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip } from '../../../src/adapters/http/compression.ts';
import { build } from './support/build.ts';

test('acceptsGzip reads Accept-Encoding as RFC 9110 says: gzip/x-gzip or *, with q > 0', () => {
  for (const yes of ['gzip', 'gzip, deflate, br', 'br;q=1.0, gzip;q=0.5', 'x-gzip', '*', 'br, *;q=0.1', ' GZIP ;q=1']) assert.equal(acceptsGzip(yes), true, yes);
  for (const no of [undefined, '', 'identity', 'br', 'gzip;q=0', 'gzip;q=0.000, *', '*;q=0', 'deflate']) assert.equal(acceptsGzip(no), false, String(no));
});

test('large answers go out gzip-compressed to a client that asks, identical once decompressed; others get them plain; Vary names Accept-Encoding', async () => {
  const { app } = await build();
  try {
    const plain = await app.inject({ url: '/docs/json' });
    assert.equal(plain.statusCode, 200);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.match(String(plain.headers.vary), /Accept-Encoding/);
    assert.ok(plain.rawPayload.length >= 1024, `the OpenAPI document is large (${plain.rawPayload.length} bytes)`);

    const zipped = await app.inject({ url: '/docs/json', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    assert.equal(zipped.statusCode, 200);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.match(String(zipped.headers.vary), /Accept-Encoding/);
    assert.equal(Number(zipped.headers['content-length']), zipped.rawPayload.length);
    assert.ok(zipped.rawPayload.length < plain.rawPayload.length / 3, `${zipped.rawPayload.length} vs ${plain.rawPayload.length} bytes`);
    assert.deepEqual(gunzipSync(zipped.rawPayload), plain.rawPayload);

    // Prometheus scrapes with Accept-Encoding: gzip.
    const metrics = await app.inject({ url: '/metrics', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(metrics.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(metrics.rawPayload).toString(), /^# HELP /m);

    // Refused by q=0, and an encoding we do not offer: plain.
    for (const ae of ['gzip;q=0', 'br']) assert.equal((await app.inject({ url: '/docs/json', headers: { 'accept-encoding': ae } })).headers['content-encoding'], undefined, ae);
    // Small answers are not worth it: plain, and no Vary.
    const small = await app.inject({ url: '/healthz', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(small.headers['content-encoding'], undefined);
    assert.equal(small.headers.vary, undefined);
    // Errors too, when large enough; a small one stays plain.
    const err = await app.inject({ url: '/v1/series?limit=0', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(err.statusCode, 400);
    assert.equal(err.headers['content-encoding'], undefined);
    assert.equal(err.json().error.code, 'TC_HTTP_BAD_REQUEST');
  } finally {
    await app.close();
  }
});

test('compressMinBytes 0 turns compression off', async () => {
  const { app } = await build({ compressMinBytes: 0 });
  try {
    const r = await app.inject({ url: '/docs/json', headers: { 'accept-encoding': 'gzip' } });
    assert.equal(r.headers['content-encoding'], undefined);
    assert.equal(r.headers.vary, undefined);
    assert.equal(typeof r.json().openapi, 'string');
  } finally {
    await app.close();
  }
});

test('a real client over TCP gets compressed JSON and the dashboard page, and event streams stay uncompressed', async () => {
  const { app } = await build();
  try {
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    // fetch (undici) asks for gzip and decompresses: the body parses as if sent plain.
    const doc = await fetch(`${base}/docs/json`);
    assert.equal(doc.headers.get('content-encoding'), 'gzip');
    assert.equal(typeof ((await doc.json()) as { openapi: unknown }).openapi, 'string');
    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('content-encoding'), 'gzip');
    assert.match(await page.text(), /<html/i);
    const ac = new AbortController();
    const events = await fetch(`${base}/v1/events`, { signal: ac.signal, headers: { 'accept-encoding': 'gzip' } });
    assert.equal(events.status, 200);
    assert.match(String(events.headers.get('content-type')), /text\/event-stream/);
    assert.equal(events.headers.get('content-encoding'), null);
    ac.abort();
    await events.body?.cancel().catch(() => undefined);
  } finally {
    await app.close();
  }
});
