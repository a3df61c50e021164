import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { build } from './support/build.ts';

async function readEvents(body: ReadableStream<Uint8Array>, want: number, timeoutMs = 5000) {
  const reader = body.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  const events: { type: string; data: unknown }[] = [];
  let buf = '';
  const deadline = Date.now() + timeoutMs;
  while (events.length < want && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const type = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (type && data) events.push({ type, data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return events;
}

test('GET /v1/events streams tick, forecast and anomaly events of the chosen series only', async () => {
  const { app, serving } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const res = await fetch(`${base}/v1/events?series=A`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    for (let i = 0; i < 30 && serving.listenerCount === 0; i++) await new Promise((r) => setTimeout(r, 10));
    serving.ingest('B', 0, 1); // other series: filtered out
    for (let i = 0; i < 16; i++) serving.ingest('A', i * 1000, 10 + i);
    serving.ingest('A', 16_000, 99); // spike
    const events = await readEvents(res.body!, 16 + 15 + 2);
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 3), ['tick', 'tick', 'forecast']);
    assert.ok(events.every((e) => JSON.stringify(e.data).includes('"A"')));
    assert.equal(events.filter((e) => e.type === 'tick').length, 17);
    const anomaly = events.find((e) => e.type === 'anomaly')!.data as { record: { value: number; series: string } };
    assert.equal(anomaly.record.value, 99);
    for (let i = 0; i < 50 && serving.listenerCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(serving.listenerCount, 0, 'a closed stream unsubscribes');
  } finally {
    await app.close();
  }
});

test('SSE streams are capped (503 with a code) and closed by app.close()', async () => {
  const { app, serving } = await build({ sse: { maxClients: 1 } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const first = await fetch(`${base}/v1/events`);
  assert.equal(first.status, 200);
  for (let i = 0; i < 30 && serving.listenerCount === 0; i++) await new Promise((r) => setTimeout(r, 10));
  const second = await fetch(`${base}/v1/events`);
  assert.equal(second.status, 503);
  assert.equal((await second.json()).error.code, 'TC_OVERLOADED');
  const started = Date.now();
  await app.close();
  assert.ok(Date.now() - started < 2000, 'close is not held up by the open stream');
  assert.equal(serving.listenerCount, 0);
  await first.body?.cancel().catch(() => undefined);
});

test('one client cannot take every SSE slot: 429 past sse.maxPerClient, while another client still gets a stream', async () => {
  const { app, serving } = await build({ sse: { maxClients: 10, maxPerClient: 2 }, trustProxy: true });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const open: Response[] = [];
  const from = (ip: string) => fetch(`${base}/v1/events`, { headers: { 'x-forwarded-for': ip } });
  try {
    for (let i = 0; i < 2; i++) open.push(await from('198.51.100.1'));
    assert.deepEqual(open.map((r) => r.status), [200, 200]);
    for (let i = 0; i < 30 && serving.listenerCount < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const third = await from('198.51.100.1');
    assert.equal(third.status, 429);
    const body = (await third.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'TC_HTTP_RATE_LIMITED');
    assert.match(body.error.message, /already holds 2 live event streams \(at most 2 each\)/);
    assert.equal(third.headers.get('retry-after'), '5');
    const other = await from('198.51.100.2');
    assert.equal(other.status, 200, 'another client is not refused');
    open.push(other);
    // A stream that ends gives its slot back.
    await open[0].body?.cancel();
    let again: Response | undefined;
    for (let i = 0; i < 50; i++) {
      again = await from('198.51.100.1');
      if (again.status === 200) break;
      await again.body?.cancel();
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(again?.status, 200, 'the slot came back when the stream ended');
    open.push(again!);
  } finally {
    await app.close();
    for (const r of open) await r.body?.cancel().catch(() => undefined);
  }
});

test('a client that stops reading is cut off and its socket destroyed: a dropped stream holds no buffered data on the server', async () => {
  const { app, serving, lines } = await build({ sse: { maxClients: 1, maxPerClient: 1 } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const sock = connect(Number(new URL(base).port), '127.0.0.1');
  try {
    await once(sock, 'connect');
    sock.write('GET /v1/events HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await once(sock, 'data');
    sock.pause(); // stops reading: the server's send buffer fills
    for (let i = 0; i < 100 && serving.listenerCount === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(serving.listenerCount, 1);
    for (let k = 0; serving.listenerCount > 0 && k < 500_000; k++) {
      serving.ingest(`S${k % 50}`, k * 1000, Math.sin(k));
      if (k % 500 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(serving.listenerCount, 0, 'the slow stream was dropped');
    assert.ok(lines.some((l) => l.includes('SSE client too slow')));
    // Ended gracefully, its socket would hold the ~1 MiB queued for a client that never reads, for
    // ever: a client could repeat this (its slot is free again) until the server runs out of memory.
    let conns = -1;
    for (let i = 0; i < 100 && conns !== 0; i++) {
      conns = await new Promise<number>((r) => app.server.getConnections((_e, n) => r(n)));
      if (conns !== 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(conns, 0, 'the stalled socket was destroyed, not left open with its buffer');
  } finally {
    sock.destroy();
    await app.close();
  }
});

test('many streams: an event is serialised once, not once per stream', async () => {
  const { app, serving } = await build({ sse: { maxClients: 10, maxPerClient: 10 } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const open: Response[] = [];
  const stringify = JSON.stringify;
  let serialised = 0;
  try {
    for (let i = 0; i < 5; i++) open.push(await fetch(`${base}/v1/events`));
    for (let i = 0; i < 100 && serving.listenerCount < 5; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(serving.listenerCount, 5);
    JSON.stringify = ((value: unknown, ...rest: []) => {
      if (typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'tick') serialised++;
      return stringify(value, ...rest);
    }) as typeof JSON.stringify;
    serving.ingest('A', 0, 1);
    JSON.stringify = stringify;
    assert.equal(serialised, 1, 'one tick event, serialised once for the five streams');
    const events = await Promise.all(open.map((r) => readEvents(r.body!, 1)));
    for (const e of events) assert.deepEqual(e[0], { type: 'tick', data: { type: 'tick', series: 'A', ts: 0, value: 1 } });
  } finally {
    JSON.stringify = stringify;
    await app.close();
    for (const r of open) await r.body?.cancel().catch(() => undefined);
  }
});
