/**
 * Requests that reach the server's edges rather than a route's logic: coerced query numbers,
 * long or malformed paths, HTTP the parser refuses, compressed bodies, poisoned JSON keys, HEAD on
 * the event stream. Each gets the documented `{error:{code,message,hint}}` body over a real socket.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { build, KEY } from './support/build.ts';

async function raw(base: string, request: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(request));
    let out = '';
    socket.on('data', (d) => (out += String(d)));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.setTimeout(3000, () => socket.destroy(new Error(`no answer to ${JSON.stringify(request.slice(0, 40))}`)));
  });
}

test('non-finite query numbers are refused: ajv coerces "Infinity" and skips the range checks', async () => {
  const { app } = await build();
  try {
    for (const q of ['limit=Infinity', 'limit=-Infinity', 'limit=1e400', 'offset=Infinity']) {
      const res = await app.inject({ url: `/v1/series?${q}` });
      assert.equal(res.statusCode, 400, q);
      const e = res.json().error;
      assert.equal(e.code, 'TC_HTTP_BAD_REQUEST');
      assert.match(e.message, /^querystring\.(limit|offset) must be a finite number$/, q);
      assert.doesNotMatch(e.hint, /JSON/, 'a query string is not JSON');
    }
    assert.equal((await app.inject({ url: '/v1/anomalies?limit=Infinity' })).statusCode, 400);
    assert.equal((await app.inject({ url: '/v1/series?limit=1001' })).statusCode, 400);
    assert.equal((await app.inject({ url: '/v1/series?limit=7' })).json().limit, 7);
  } finally {
    await app.close();
  }
});

test('paths: ids up to 256 characters reach the route; longer or malformed paths get the error body', async () => {
  const { app } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const long = await fetch(`${base}/v1/series/${'a'.repeat(200)}`);
    assert.equal(long.status, 404, 'an unknown 200-character id is looked up, not refused');
    assert.equal((await long.json()).error.code, 'TC_SERIES_NOT_FOUND');
    const tooLong = await fetch(`${base}/v1/series/${'a'.repeat(257)}`);
    assert.equal(tooLong.status, 400, 'the route schema bounds the id');
    assert.equal((await tooLong.json()).error.code, 'TC_HTTP_BAD_REQUEST');
    const huge = await fetch(`${base}/v1/series/${'a'.repeat(4000)}`);
    assert.equal(huge.status, 414);
    assert.deepEqual(Object.keys((await huge.json()).error).sort(), ['code', 'hint', 'message', 'retriable']);
    const badUrl = await fetch(`${base}/v1/series/%ZZ`);
    assert.equal(badUrl.status, 400);
    assert.match((await badUrl.json()).error.message, /URL is malformed/);
  } finally {
    await app.close();
  }
});

test('HTTP the parser refuses, compressed bodies and __proto__ keys get a body that says what is wrong', async () => {
  const { app } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const framing = await raw(base, 'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}');
    assert.match(framing, /^HTTP\/1\.1 400 /);
    const body = JSON.parse(framing.slice(framing.indexOf('\r\n\r\n') + 4));
    assert.equal(body.error.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(body.error.message, /not valid HTTP/);

    const gz = await fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '\x1f\x8b' });
    assert.equal(gz.status, 415);
    assert.match((await gz.json()).error.message, /Content-Encoding "gzip" is not accepted/);
    const identity = await fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'identity' }, body: JSON.stringify({ window: [1, 2, 3, 4] }) });
    assert.equal(identity.status, 200);

    const proto = await fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"window":[1,2,3,4],"__proto__":{"x":1}}' });
    assert.equal(proto.status, 400);
    assert.match((await proto.json()).error.message, /__proto__/);
  } finally {
    await app.close();
  }
});

// Until 7 Dec 2026 these answers had no X-Request-Id (nothing to quote) and no nosniff.
test('a request the HTTP parser refuses (bad request line, headers too large, bad framing) gets a request id, nosniff and the error body', async () => {
  const { app, lines } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const cases = [
      ['GET /v1/series HTTP/1.1 extra\r\nHost: x\r\n\r\n', 400],
      ['NOT A REQUEST LINE\r\n\r\n', 400],
      [`GET /v1/series HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      ['POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}', 400],
    ] as const;
    for (const [request, status] of cases) {
      const answer = await raw(base, request);
      const [head, body] = [answer.slice(0, answer.indexOf('\r\n\r\n')), answer.slice(answer.indexOf('\r\n\r\n') + 4)];
      assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `), JSON.stringify(request.slice(0, 40)));
      const id = /\r\nx-request-id: ([0-9a-f-]{36})(\r\n|$)/i.exec(head)?.[1];
      assert.ok(id !== undefined, `a request id on ${JSON.stringify(head)}`);
      assert.match(head, /\r\nx-content-type-options: nosniff(\r\n|$)/i);
      assert.equal(JSON.parse(body).error.code, 'TC_HTTP_BAD_REQUEST');
      assert.ok(lines.some((l) => l.includes(id) && l.includes('refused by the HTTP parser')), 'the id is on the log line');
    }
  } finally {
    await app.close();
  }
});

/**
 * HEAD answers as GET would, without a body (RFC 9110 § 9.3.2): GET's headers, less Content-Length,
 * which § 8.6 allows in a HEAD answer only where it equals what GET would send — and GET sends an
 * endless stream with none. Until 7 Dec 2026 it said `Content-Length: 0` (fastify's HEAD handler).
 */
test('HEAD /v1/events answers the stream headers at once, without Content-Length, and holds no stream slot', async () => {
  const { app, serving } = await build({ sse: { maxClients: 1 } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    for (let i = 0; i < 3; i++) {
      const head = await fetch(`${base}/v1/events`, { method: 'HEAD', signal: AbortSignal.timeout(2000) });
      assert.equal(head.status, 200);
      assert.match(head.headers.get('content-type') ?? '', /^text\/event-stream/);
      assert.equal(head.headers.get('cache-control'), 'no-cache, no-transform');
      assert.equal(head.headers.get('content-length'), null, 'GET sends no Content-Length; HEAD must not claim 0');
    }
    assert.equal(serving.listenerCount, 0, 'no subscription for a HEAD');
    const stream = await fetch(`${base}/v1/events`);
    assert.equal(stream.status, 200, 'the one slot is still free');
    assert.equal(stream.headers.get('content-length'), null);
    await stream.body?.cancel();
  } finally {
    await app.close();
  }
});

test('series ids "." and "..": served when the path arrives as sent; when a client resolved them away, a 4xx that says so', async () => {
  const { app, serving } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    for (const id of ['.', '..', '../../etc/passwd', 'a/..']) serving.ingest(id, 1000, 1);
    // Sent as-is (curl --path-as-is, raw sockets), or percent-encoded where the client keeps it: the series.
    for (const [path, id] of [['/v1/series/.', '.'], ['/v1/series/..', '..'], ['/v1/series/%2E%2E', '..'], ['/v1/series/..%2F..%2Fetc%2Fpasswd', '../../etc/passwd'], ['/v1/series/a%2F..', 'a/..']]) {
      const out = await raw(base, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.match(out, /^HTTP\/1\.1 200 /, path);
      assert.equal(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)).id, id, path);
    }
    // fetch (WHATWG URL) resolves "." and ".." segments, encoded or not, before sending.
    for (const id of ['.', '%2E', '%2e']) {
      const res = await fetch(`${base}/v1/series/${id}`);
      assert.equal(res.status, 400, id);
      const e = (await res.json()).error;
      assert.equal(e.code, 'TC_HTTP_BAD_REQUEST');
      assert.equal(e.message, 'the series id in the path is empty');
      assert.match(e.hint, /"\." and "\.\." cannot be sent as a path segment/);
    }
    for (const id of ['..', '%2E%2E']) {
      const res = await fetch(`${base}/v1/series/${id}`);
      assert.equal(res.status, 404, id);
      const e = (await res.json()).error;
      assert.equal(e.message, 'no route GET /v1/');
      assert.match(e.hint, /"\." and "\.\." cannot be sent as a path segment/, 'says why a series lookup ended at /v1/');
    }
    assert.match((await (await fetch(`${base}/v1/nope`)).json()).error.hint, /^see \/docs/, 'other unknown paths keep the plain hint');
  } finally {
    await app.close();
  }
});

// Until 7 Dec 2026 any request with Content-Encoding got 415, a GET too: a client or proxy that sets the
// header on every request had each read refused, with a status the OpenAPI document lists for no GET.
test('Content-Encoding refuses a body only: a request without one is answered, a compressed body still gets 415', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const auth = `Bearer ${KEY}`;
    const get = await fetch(`${base}/v1/series`, { headers: { 'content-encoding': 'gzip' } });
    assert.equal(get.status, 200, await get.text());
    const doc = (await (await fetch(`${base}/docs/json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    assert.equal(doc.paths['/v1/series'].get.responses['415'], undefined, 'the document lists no 415 for a GET');
    // Nor a GET that frames a body (fastify never reads a GET's body, so there is nothing to decode): until
    // 7 Dec 2026 Transfer-Encoding: chunked (an empty last chunk) or Content-Length on a GET got that 415.
    for (const framing of ['Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'Content-Length: 2\r\n\r\n{}']) {
      const framed = await raw(base, `GET /v1/series HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nConnection: close\r\n${framing}`);
      assert.match(framed, /^HTTP\/1\.1 200 /, framing);
    }
    // A body-less POST (Content-Length: 0) is no body to decode either: rollback's optional body.
    const empty = await raw(base, `POST /v1/model/rollback HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Encoding: gzip\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    assert.doesNotMatch(empty, /^HTTP\/1\.1 415 /);
    const chunked = await raw(base, `POST /v1/predict HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n`);
    assert.match(chunked, /^HTTP\/1\.1 415 /);
  } finally {
    await app.close();
  }
});
