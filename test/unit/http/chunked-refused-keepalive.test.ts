/**
 * A chunked body refused after body-presence.ts has peeked at its first chunk (415 for a
 * Content-Type or Content-Encoding the server does not read) is still drained, so the next request
 * on the same keep-alive connection is answered. Until 7 Dec 2026 (the peek's first review) the
 * peek's read() marked the body as consumed and node no longer discarded it after the response: a
 * body larger than the stream buffers stopped the socket and the next request was never answered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { build, KEY } from './support/build.ts';

/** Write `request` on one connection; resolves with the status lines once `count` responses have started. */
async function statuses(base: string, request: string, count: number): Promise<string[]> {
  const { hostname, port } = new URL(base);
  const socket = connect({ host: hostname, port: Number(port) });
  let out = '';
  const found = () => out.match(/HTTP\/1\.1 \d+/g) ?? [];
  try {
    return await new Promise<string[]>((resolve, reject) => {
      // A connection that stops answering fails the test instead of holding it.
      socket.setTimeout(5000, () => reject(new Error(`the connection stopped answering after ${found().join(', ') || 'nothing'}`)));
      socket.on('error', reject);
      socket.on('close', () => reject(new Error(`closed after ${found().join(', ') || 'nothing'}`)));
      socket.on('data', (d) => {
        out += String(d);
        if (found().length >= count) resolve(found());
      });
      socket.on('connect', () => socket.write(request));
    });
  } finally {
    socket.destroy();
  }
}

test('a large chunked body refused with 415 is drained: the next request on the connection is answered', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const body = 'x'.repeat(200_000);
  const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const next = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';
  try {
    for (const media of ['Content-Type: text/csv', 'Content-Type: application/json\r\nContent-Encoding: gzip']) {
      const head = `POST /v1/predict HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\n${media}\r\nTransfer-Encoding: chunked\r\n\r\n`;
      assert.deepEqual(await statuses(base, head + chunked + next, 2), ['HTTP/1.1 415', 'HTTP/1.1 200'], media);
    }
    // A query refused before the peek (./query-utf8.ts, since 7 Dec 2026 ahead of the body's presence): its unread body is discarded too.
    const badQuery = `POST /v1/predict?series=caf%E9 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`;
    assert.deepEqual(await statuses(base, badQuery + chunked + next, 2), ['HTTP/1.1 400', 'HTTP/1.1 200']);
  } finally {
    // A connection stuck on an unread body would hold close() too.
    app.server.closeAllConnections();
    await app.close();
  }
});
