import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { build } from './support/build.ts';
import { HTTP_DEFAULTS } from '../../../src/adapters/http/config.ts';

/** Open a socket, send `head` and part of a body, then nothing: resolves with what came back and when the socket ended. */
function stall(port: number, head: string): Promise<{ text: string; afterMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let text = '';
    const s = connect(port, '127.0.0.1', () => s.write(head));
    s.setEncoding('utf8');
    s.on('data', (d) => (text += d));
    s.on('error', () => {});
    s.on('close', () => resolve({ text, afterMs: Date.now() - t0 }));
    setTimeout(() => {
      s.destroy();
      reject(new Error(`the server kept a stalled request open for 5 s; got ${JSON.stringify(text)}`));
    }, 5000).unref();
  });
}

test('a request whose body stalls is answered 408 in the usual error body and its connection closed (http.requestTimeoutMs)', async () => {
  const { app } = await build({ requestTimeoutMs: 400 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  try {
    const r = await stall(port, 'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"window":[1,');
    assert.match(r.text, /^HTTP\/1\.1 408 /);
    // Its own code (until 7 Dec 2026 TC_HTTP_BAD_REQUEST, shared with every malformed request): send it again, it is not wrong.
    assert.match(r.text, /"code":"TC_HTTP_REQUEST_TIMEOUT"/);
    assert.match(r.text, /"retriable":true/);
    assert.match(r.text, /did not arrive in time/);
    assert.ok(r.afterMs < 2000, `answered after ${r.afterMs} ms`);
    // Headers that never end are cut off the same way.
    assert.match((await stall(port, 'GET /v1/model HTTP/1.1\r\nHost: x\r\n')).text, /^HTTP\/1\.1 408 /);
  } finally {
    await app.close();
  }
});

test('the default bounds a request at 30 s (fastify alone would wait for ever)', async () => {
  assert.equal(HTTP_DEFAULTS.requestTimeoutMs, 30_000);
  const { app } = await build();
  try {
    assert.equal(app.server.requestTimeout, 30_000);
  } finally {
    await app.close();
  }
});
