/**
 * A request that starts after close() began, on a keep-alive connection close() could not sweep
 * (it was mid-request), is refused with the error body every other answer has: 503
 * TC_SHUTTING_DOWN, Retry-After, X-Request-Id. Until 7 Dec 2026 fastify's return503OnClosing
 * answered it with {"error":"Service Unavailable","statusCode":503}: no code, no Retry-After.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';
import { forecastArrives } from './support/in-handler.ts';
import { closeBegun, halfSent } from './support/half-sent.ts';

test('a request begun after close() is 503 TC_SHUTTING_DOWN with Retry-After and a request id; probes still answer', async () => {
  const { app, serving } = await build();
  serving.delayMs = 200;
  const inHandler = forecastArrives(serving);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const port = Number(new URL(base).port);
  // One request in flight keeps close() waiting; two sockets each hold half a request head.
  const inflight = fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"window":[1,2,3,4,5]}' });
  const work = await halfSent(port, 'GET /v1/series HTTP/1.1\r\nHost: x\r\nX-Request-Id: late-1\r\n');
  const probe = await halfSent(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n');
  await inHandler;
  const closing = app.close();
  await closeBegun(app);
  work.sock.write('\r\n');
  probe.sock.write('\r\n');
  const [raw, probeRaw] = await Promise.all([work.answer, probe.answer]);
  assert.equal((await inflight).status, 200, 'the request in flight finishes');
  await closing;

  assert.match(raw, /^HTTP\/1\.1 503 /);
  const [head, body] = raw.split('\r\n\r\n');
  assert.match(head, /\r\nretry-after: 1\r\n/i);
  assert.match(head, /\r\nx-request-id: late-1\r\n/i);
  assert.match(head, /\r\nconnection: close\r\n/i);
  const e = JSON.parse(body).error;
  assert.equal(e.code, 'TC_SHUTTING_DOWN');
  assert.equal(e.retriable, true);
  assert.equal(e.details.retryAfterSeconds, 1);
  assert.match(probeRaw, /^HTTP\/1\.1 200 /, 'liveness answers while the process can (docs/http-api.md)');
});
