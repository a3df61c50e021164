/**
 * MCP cancellation across POSTs (docs/http-api.md § Agent tools, "Cancellation"): a
 * `notifications/cancelled` sent in its own POST stops the tools/call it names when the same
 * caller (key, address) has exactly that call in flight, and nothing else; over a real socket, with
 * hand-written JSON-RPC and with the SDK client's `callTool(…, {signal})`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ForecastRequest, ForecastResponse } from '../../../src/pipeline/ports.ts';
import { McpInFlightCalls } from '../../../src/adapters/http/mcp-cancellation.ts';
import { build, KEY } from './support/build.ts';

const KEY2 = 'test-key-fedcba9876543210';
const ACCEPT = 'application/json, text/event-stream';
const call = (id: number | string, window: number[] = [1, 2, 3]) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'forecast', arguments: { window } } });
const cancelled = (requestId: number | string) => ({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'user stopped' } });

/** The app listening, with forecasts that wait until released or aborted (as the micro-batcher drops a queued job on abort). */
async function holding(config: Parameters<typeof build>[0] = {}) {
  const built = await build(config);
  const base = await built.app.listen({ host: '127.0.0.1', port: 0 });
  const held: Array<{ signal: AbortSignal; release: () => void }> = [];
  built.serving.forecast = (_req: ForecastRequest, signal?: AbortSignal) =>
    new Promise<ForecastResponse>((resolve, reject) => {
      signal!.addEventListener('abort', () => reject(signal!.reason), { once: true });
      held.push({ signal: signal!, release: () => resolve({ model: 'm', horizon: [{ step: 1, ts: 0, p10: 1, p50: 2, p90: 3 }] }) });
    });
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  const heldCount = async (n: number) => {
    while (held.length < n) await new Promise((r) => setTimeout(r, 5));
  };
  const outcomes = () => built.lines.filter((l) => l.includes('"MCP cancellation"')).map((l) => JSON.parse(l).outcome);
  return { ...built, base, held, post, heldCount, outcomes };
}

test('a cancellation in its own POST stops the call it names: the tool signal aborts and the call answers -32800; request id 0 too', { timeout: 10_000 }, async () => {
  const { app, held, post, heldCount, outcomes } = await holding();
  try {
    for (const id of [7, 0, 'abc']) {
      const n = held.length;
      const answer = post(call(id));
      await heldCount(n + 1);
      const c = await post(cancelled(id));
      assert.deepEqual([c.status, c.body], [202, undefined]);
      const r = await answer;
      assert.equal(held[n].signal.aborted, true, `the work of ${JSON.stringify(id)} is told to stop`);
      assert.equal(r.status, 200);
      assert.equal(r.body.id, id);
      assert.equal(r.body.error.code, -32800);
      assert.match(r.body.error.message, /^Request cancelled.*user stopped/, 'no "MCP error -32800: " before it (an SDK client adds its own)');
    }
    // A 2025-03-26 batch holding the call and its cancellation: the call is stopped, not left hanging.
    // (The SDK answers a batch holding one request with that answer alone, not an array of one.)
    const batch = await post([call(11), cancelled(11)]);
    assert.deepEqual([batch.body.id, batch.body.error.code], [11, -32800]);
    assert.match(batch.body.error.message, /^Request cancelled: a cancellation in the same batch names it$/);
    assert.deepEqual(outcomes(), ['cancelled', 'cancelled', 'cancelled', 'batch']);
  } finally {
    await app.close();
  }
});

test('a cancellation from another key, for another id, after the answer, or naming a shared id does not stop anything', { timeout: 10_000 }, async () => {
  const { app, held, post, heldCount, outcomes } = await holding({ apiKeys: [KEY, KEY2] });
  const as = (key: string) => ({ authorization: `Bearer ${key}` });
  try {
    const a = post(call(5), as(KEY));
    await heldCount(1);
    await post(cancelled(5), as(KEY2)); // another caller's 5
    await post(cancelled(6), as(KEY)); // no such call
    await post(cancelled('5'), as(KEY)); // "5" is not 5
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(held[0].signal.aborted, false);
    held[0].release();
    assert.equal((await a).body.result.structuredContent.model, 'm');

    // The same caller with two calls 9 in flight (two agents behind one key and address): neither is stopped.
    const twins = [post(call(9), as(KEY)), post(call(9), as(KEY))];
    await heldCount(3);
    await post(cancelled(9), as(KEY));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([held[1].signal.aborted, held[2].signal.aborted], [false, false]);
    held[1].release();
    held[2].release();
    await Promise.all(twins);

    // A late cancellation (its call 9 just ended) does not land on someone else's call 9 still running.
    const other = post(call(9), as(KEY));
    await heldCount(4);
    await post(cancelled(9), as(KEY));
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(held[3].signal.aborted, false);
    held[3].release();
    assert.equal((await other).body.result.isError, undefined);
    assert.deepEqual(outcomes(), ['unknown', 'unknown', 'unknown', 'ambiguous', 'ambiguous']);
  } finally {
    await app.close();
  }
});

test('the SDK client: callTool with an AbortSignal stops the tool call on the server', { timeout: 10_000 }, async () => {
  const { app, base, held, heldCount } = await holding();
  const client = new Client({ name: 'agent', version: '1' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
    const ac = new AbortController();
    const pending = client.callTool({ name: 'forecast', arguments: { window: [1, 2, 3] } }, undefined, { signal: ac.signal }).catch((e: Error) => e);
    await heldCount(1);
    ac.abort('user stopped');
    assert.ok((await pending) instanceof Error);
    const deadline = Date.now() + 2_000;
    while (!held[0].signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(held[0].signal.aborted, true, 'the server stopped the work');
  } finally {
    await client.close();
    await app.close();
  }
});

test('the registry forgets every call once it ends, and remembers ended ids for a while only', () => {
  let now = 0;
  const reg = new McpInFlightCalls(() => now, 1_000);
  const ends = Array.from({ length: 50 }, (_, i) => reg.track('s', i, new AbortController()));
  assert.equal(reg.size, 50);
  ends.forEach((end) => end());
  assert.equal(reg.size, 0);
  const c = new AbortController();
  const end = reg.track('s', 3, c);
  assert.equal(reg.cancel('s', 3, undefined), 'ambiguous', 'call 3 just ended');
  now = 1_001;
  assert.equal(reg.cancel('t', 3, undefined), 'unknown');
  assert.equal(reg.cancel('s', 3, 'why'), 'cancelled');
  assert.equal(c.signal.aborted, true);
  end();
  assert.equal(reg.size, 0);
});

test('a saturated server sheds new tool calls (503) but still takes the cancellation that frees one', { timeout: 10_000 }, async () => {
  const { app, serving, held, post, heldCount } = await holding({ loadShedding: { enabled: true } });
  try {
    const answer = post(call(3));
    await heldCount(1);
    serving.saturated = true;
    const refused = await post(call(4));
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'TC_OVERLOADED');
    assert.equal((await post(cancelled(3))).status, 202, 'a notification costs no work');
    assert.equal((await answer).body.error.code, -32800);
    assert.equal(held[0].signal.aborted, true);
  } finally {
    await app.close();
  }
});

test('a client at its rate limit still gets its cancellation through (202), and a cancellation costs no token; calls are still counted', { timeout: 10_000 }, async () => {
  const { app, held, post, heldCount } = await holding({ rateLimit: { perKeyPerSecond: 0.001, burst: 3 } });
  try {
    const answers = [post(call(1))];
    await heldCount(1);
    assert.equal((await post(cancelled(1))).status, 202);
    assert.equal((await answers[0]).body.error.code, -32800);
    // The cancellation was free: two of the three tokens are left, for two more calls.
    answers.push(post(call(2)), post(call(3)));
    await heldCount(3);
    const refused = await post(call(4));
    assert.equal(refused.status, 429, 'the limit still holds for calls');
    assert.equal(refused.body.error.code, 'TC_HTTP_RATE_LIMITED');
    // At the limit, the cancellations that free the held calls are taken, not refused 429.
    for (const id of [2, 3]) assert.equal((await post(cancelled(id))).status, 202, `cancellation of ${id} at the limit`);
    for (const a of answers.slice(1)) assert.equal((await a).body.error.code, -32800);
    assert.deepEqual([held[1].signal.aborted, held[2].signal.aborted], [true, true]);
    // A batch of notifications only is free too; one holding a request pays for it (refused here, whole).
    const notes = [{ jsonrpc: '2.0', method: 'notifications/initialized' }, cancelled(99)];
    assert.equal((await post(notes)).status, 202);
    assert.equal((await post([...notes, call(5)])).status, 429);
  } finally {
    for (const h of held) h.release(); // a refused cancellation would leave its call held, and close() waiting on it
    await app.close();
  }
});

test('a POST /mcp refused before its handler still costs a token: a wrong key or a body that is not JSON meets the limit', { timeout: 10_000 }, async () => {
  const { app, base } = await holding({ apiKeys: [KEY], rateLimit: { perKeyPerSecond: 0.001, burst: 2 } });
  const raw = (body: string, authorization: string) =>
    fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, authorization }, body }).then((r) => r.status);
  try {
    assert.equal(await raw('{}', 'Bearer wrong-key-0000000000000000'), 401);
    assert.equal(await raw('{not json', 'Bearer wrong-key-0000000000000000'), 401);
    assert.equal(await raw('{}', 'Bearer wrong-key-0000000000000000'), 429, 'two refusals spent the burst of 2');
    // The key's own bucket: bodies that are not JSON (refused at parsing, before the handler) and not JSON-RPC.
    assert.equal(await raw('{not json', `Bearer ${KEY}`), 400);
    assert.equal(await raw('{}', `Bearer ${KEY}`), 400);
    assert.equal(await raw('{not json', `Bearer ${KEY}`), 429);
  } finally {
    await app.close();
  }
});
