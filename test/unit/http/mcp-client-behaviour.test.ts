/**
 * /mcp as an agent's HTTP client meets it (raw JSON-RPC over a real socket, docs/http-api.md §
 * Agent tools, "Protocol conformance"): a wrong Accept header, cancellation, a window past the
 * limit, concurrent calls, API keys as REST takes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ForecastRequest } from '../../../src/pipeline/ports.ts';
import { build, KEY } from './support/build.ts';

const ACCEPT = 'application/json, text/event-stream';
const forecastCall = (id: number, args: Record<string, unknown>) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'forecast', arguments: args } });

async function listening(config: Parameters<typeof build>[0] = {}) {
  const built = await build(config);
  const base = await built.app.listen({ host: '127.0.0.1', port: 0 });
  const post = async (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) => {
    const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers }, body: JSON.stringify(body), signal });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), text, body: text === '' ? undefined : JSON.parse(text) };
  };
  return { ...built, post };
}

test('an Accept header without both application/json and text/event-stream is 406 with a JSON-RPC error saying what to send', async () => {
  const { app, post } = await listening();
  try {
    for (const accept of ['application/json', 'text/event-stream', '*/*', 'text/html']) {
      for (const msg of [{ jsonrpc: '2.0', id: 1, method: 'ping' }, { jsonrpc: '2.0', method: 'notifications/initialized' }]) {
        const r = await post(msg, { accept });
        assert.equal(r.status, 406, `${accept} ${JSON.stringify(msg)}`);
        assert.equal(r.body.error.code, -32000);
        assert.match(r.body.error.message, /must accept both application\/json and text\/event-stream/);
        // Which header to send, what came, and a tickcast code to branch on (until 7 Dec 2026 the SDK's words only, no data).
        assert.ok(r.body.error.message.includes(`send the header "Accept: application/json, text/event-stream" (got Accept: ${JSON.stringify(accept)})`), r.body.error.message);
        assert.deepEqual(r.body.error.data, { code: 'TC_HTTP_NOT_ACCEPTABLE', hint: 'send Accept: application/json, text/event-stream (answers are application/json either way)' });
        // The request's id where it has one (JSON-RPC 2.0 § 5; until 7 Dec 2026 always null).
        assert.equal(r.body.id, 'id' in msg ? msg.id : null);
        assert.match(r.type ?? '', /^application\/json/);
      }
    }
    // No Accept at all (fetch sends */* unless told otherwise; an empty value is as good as none here).
    const none = await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { accept: '' });
    assert.equal(none.status, 406);
    assert.equal(none.body.error.data.code, 'TC_HTTP_NOT_ACCEPTABLE');
    assert.deepEqual((await post({ jsonrpc: '2.0', id: 1, method: 'ping' }, { accept: 'application/json;q=0.9, text/event-stream;q=0.5' })).body.result, {});
  } finally {
    await app.close();
  }
});

test('an MCP-Protocol-Version the server does not speak is 400 naming the supported ones, with a tickcast code; initialize negotiates instead', async () => {
  const { app, post } = await listening();
  try {
    for (const msg of [{ jsonrpc: '2.0', id: 1, method: 'ping' }, [{ jsonrpc: '2.0', id: 1, method: 'ping' }], { jsonrpc: '2.0', method: 'notifications/initialized' }]) {
      const r = await post(msg, { 'mcp-protocol-version': '2099-01-01' });
      assert.equal(r.status, 400, JSON.stringify(msg));
      assert.equal(r.body.error.code, -32000);
      assert.match(r.body.error.message, /^Bad Request: Unsupported protocol version: 2099-01-01 \(supported versions: .*2025-06-18/);
      assert.equal(r.body.error.data.code, 'TC_HTTP_BAD_REQUEST');
      assert.match(r.body.error.data.hint, /^send MCP-Protocol-Version: one of .*2025-06-18.*, or leave the header out/);
    }
    const init = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2099-01-01', capabilities: {}, clientInfo: { name: 't', version: '1' } } }, { 'mcp-protocol-version': '2099-01-01' });
    assert.equal(init.status, 200, init.text);
    assert.equal(typeof init.body.result.protocolVersion, 'string');
  } finally {
    await app.close();
  }
});

test('cancellation: notifications/cancelled is accepted (202, no body); closing the connection aborts the tool call', async () => {
  const { app, serving, post } = await listening();
  try {
    const cancelled = await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 7, reason: 'user stopped' } }, { 'mcp-protocol-version': '2025-06-18' });
    assert.deepEqual([cancelled.status, cancelled.text], [202, '']);

    serving.delayMs = 5_000;
    const run = serving.forecast.bind(serving);
    let signal: AbortSignal | undefined;
    serving.forecast = (req: ForecastRequest, s?: AbortSignal) => ((signal = s), run(req, s));
    const ac = new AbortController();
    const call = post(forecastCall(7, { window: [1, 2, 3] }), {}, ac.signal).catch((e: Error) => e.name);
    while (signal === undefined) await new Promise((r) => setTimeout(r, 10));
    assert.equal(signal.aborted, false);
    ac.abort();
    assert.equal(await call, 'AbortError');
    const deadline = Date.now() + 2_000;
    while (!signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(signal.aborted, true, 'the tool is told the caller left');
  } finally {
    await app.close();
  }
});

test('a window past the limit is a tool error naming the limit; a body past http.bodyLimitBytes is 413; the limit is in the schema and its description', async () => {
  const { app, post } = await listening({ apiKeys: [KEY] });
  try {
    const list = await post({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const window = list.body.result.tools.find((t: { name: string }) => t.name === 'forecast').inputSchema.properties.window;
    assert.deepEqual(window.anyOf.map((s: { maxItems: number }) => s.maxItems), [4096, 4096]);
    assert.match(window.description, /at most 4096 time steps of at most 64 features/, 'a model reads the description more than maxItems');

    const long = await post(forecastCall(2, { window: Array.from({ length: 5000 }, (_, i) => i) }));
    assert.equal(long.status, 200);
    assert.equal(long.body.result.isError, true);
    const err = JSON.parse(long.body.result.content[0].text).error;
    assert.equal(err.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(err.message, /arguments\.window has too many items \(at most 4096\)/);

    const huge = await post(forecastCall(3, { window: Array.from({ length: 200_000 }, (_, i) => i + 0.123456) }));
    assert.equal(huge.status, 413);
    assert.equal(huge.body.error.code, 'TC_HTTP_PAYLOAD_TOO_LARGE');
    assert.match(huge.body.error.hint, /"series"/);
  } finally {
    await app.close();
  }
});

test('concurrent calls each get their own answer; the API key goes where REST takes it (Authorization: Bearer), anything else is 401', async () => {
  const { app, serving, post } = await listening({ apiKeys: [KEY], requireAuthForReads: true });
  try {
    serving.delayMs = 20;
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(forecastCall(i, { window: [i, i + 1, i + 2], horizon: 1 }), { authorization: `Bearer ${KEY}` })));
    answers.forEach((a, i) => {
      assert.equal(a.body.id, i);
      assert.equal(Math.round(a.body.result.structuredContent.horizon[0].p50), i + 3);
    });
    // As every route: the key goes in `Authorization: Bearer`; an X-API-Key header is not read (REST answers 401 too).
    for (const headers of [{}, { 'x-api-key': KEY }, { authorization: 'Bearer nope' }, { authorization: KEY }] as Record<string, string>[]) {
      const r = await post(forecastCall(1, { window: [1, 2] }), headers);
      assert.equal(r.status, 401, JSON.stringify(headers));
      assert.equal(r.body.error.code, 'TC_HTTP_UNAUTHORIZED');
      assert.equal((await app.inject({ url: '/v1/series', headers })).statusCode, 401, `REST too: ${JSON.stringify(headers)}`);
    }
  } finally {
    await app.close();
  }
});

test('arguments nested 100,000 deep are a tool error naming the field, not an internal error; a 100 kB tool name is not echoed whole', async () => {
  const { app, post } = await listening();
  try {
    const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    const deep = async (open: string, close: string) => {
      const body = `{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"forecast","arguments":${open}${'['.repeat(100_000)}1${']'.repeat(100_000)}${close}}}`;
      const res = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT }, body });
      const answer = await res.json();
      assert.equal(answer.result?.isError, true, JSON.stringify(answer).slice(0, 200));
      return JSON.parse(answer.result.content[0].text).error;
    };
    const inWindow = await deep('{"window":[', ']}');
    assert.equal(inWindow.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(inWindow.message, /^arguments\.window\[0\]/);
    assert.match((await deep('{"window":[1,2],"x":', '}')).message, /unknown field "x"/);

    const name = await post({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'x'.repeat(100_000), arguments: {} } });
    assert.equal(name.body.error.code, -32602);
    assert.ok(name.text.length < 1_000, `${name.text.length} bytes`);
    assert.match(name.body.error.message, /Unknown tool: "x{100}…"; tools: forecast/);
  } finally {
    await app.close();
  }
});
