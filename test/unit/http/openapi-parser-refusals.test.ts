/**
 * What node's HTTP parser answers before any route (src/adapters/http/errors.ts clientErrorHandler)
 * against the OpenAPI document: every operation answers 408 to a request not whole within
 * http.requestTimeoutMs (or headers not whole within node's headersTimeout, 60 s, which
 * http.requestTimeoutMs 0 leaves on) and 431 to headers over node's limit, so every operation lists both. Until 7 Dec 2026 neither was listed anywhere.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { build, KEY } from './support/build.ts';

type Spec = { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

/** Write `request` and resolve with everything the server sends until it closes the connection. */
function exchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const s = connect(port, '127.0.0.1', () => s.write(request));
    s.setEncoding('utf8');
    s.on('data', (d) => (text += d));
    s.on('error', () => {});
    s.on('close', () => resolve(text));
    // A server that neither answers nor closes fails the test instead of holding it.
    setTimeout(() => {
      s.destroy();
      reject(new Error(`no answer for ${JSON.stringify(request.slice(0, 60))}; got ${JSON.stringify(text)}`));
    }, 5000).unref();
  });
}

const operations = (doc: Spec) =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), url: path.replace(/\{[^}]+\}/g, 'x'), op })));

test('every operation lists the 408 and 431 it answers before any route', async () => {
  const { app } = await build({ apiKeys: [KEY], requestTimeoutMs: 400 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  try {
    const ops = operations((await app.inject({ url: '/docs/json' })).json() as Spec);
    assert.ok(ops.length >= 15 && ops.some((o) => o.url === '/healthz'));
    // A body that stalls (a POST) or headers that never end (the rest): each is the 408 once the timeout passes.
    const stalled = await Promise.all(
      ops.map((o) => exchange(port, o.method === 'GET' ? `GET ${o.url} HTTP/1.1\r\nHost: x\r\n` : `${o.method} ${o.url} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"window":[1,`)),
    );
    const huge = await Promise.all(ops.map((o) => exchange(port, `${o.method} ${o.url} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)));
    ops.forEach((o, i) => {
      for (const [answer, status] of [[stalled[i], 408], [huge[i], 431]] as const) {
        assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), `${o.method} ${o.url}`);
        assert.ok(String(status) in o.op.responses, `${o.method} ${o.url} answers ${status} but lists only ${Object.keys(o.op.responses).join(', ')}`);
      }
    });
  } finally {
    await app.close();
  }
});

test('with http.requestTimeoutMs 0 (no bound on the body) the headers still have node\'s 60 s, so the document lists the 408 too, and the 431', async () => {
  // Measured 7 Dec 2026 (night): with requestTimeoutMs 0, a request whose headers never end was
  // answered 408 after 60 s (node's headersTimeout); the document listed no 408 there.
  const { app } = await build({ requestTimeoutMs: 0 });
  try {
    await app.ready();
    assert.ok(app.server.headersTimeout > 0, `node bounds the headers (headersTimeout ${app.server.headersTimeout} ms): a 408 can come`);
    const ops = operations((await app.inject({ url: '/docs/json' })).json() as Spec);
    for (const o of ops) {
      assert.ok('408' in o.op.responses, `${o.method} ${o.url}`);
      assert.ok('431' in o.op.responses, `${o.method} ${o.url}`);
    }
  } finally {
    await app.close();
  }
});
