import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { build, KEY } from './support/build.ts';

async function connect(base: string, headers: Record<string, string> = {}) {
  const client = new Client({ name: 'tickcast-test', version: '0.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers } });
  await client.connect(transport);
  return client;
}

test('MCP over streamable HTTP: the server names the package version; the SDK client lists the tools and calls them with real answers', async () => {
  const { app, serving } = await build({ apiKeys: [KEY], requireAuthForReads: true });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = await connect(base, { authorization: `Bearer ${KEY}` });
  try {
    // The service's version, as service.version and tickcast_build_info say (it was a fixed "1.0.0").
    const version = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
    assert.deepEqual(client.getServerVersion(), { name: 'tickcast', title: 'tickcast forecasting and anomaly detection', version });
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ['band_quality', 'explain_forecast', 'forecast', 'give_alert_feedback', 'list_alert_feedback', 'list_incidents', 'list_series', 'recent_anomalies', 'snapshot_status']);
    const fc = tools.find((t) => t.name === 'forecast')!;
    assert.equal(fc.inputSchema.type, 'object');
    assert.ok(fc.inputSchema.properties && 'window' in fc.inputSchema.properties);
    // Same schemas as GET /v1/tools
    const rest = (await app.inject({ url: '/v1/tools', headers: { authorization: `Bearer ${KEY}` } })).json();
    for (const t of tools) {
      const r = rest.tools.find((x: { function: { name: string } }) => x.function.name === t.name);
      assert.deepEqual(r.function.parameters, t.inputSchema, t.name);
    }

    const res = await client.callTool({ name: 'forecast', arguments: { window: [5, 7, 9, 11], horizon: 2 } });
    assert.equal(res.isError, undefined);
    const sc = res.structuredContent as { horizon: { p50: number }[]; model: string };
    assert.deepEqual(sc.horizon.map((s) => Math.round(s.p50 * 1e6) / 1e6), [13, 15]);
    assert.equal(sc.model, 'trend-v2');
    const text = JSON.parse((res.content as { type: string; text: string }[])[0].text);
    assert.deepEqual(text, sc);

    for (let i = 0; i < 20; i++) serving.ingest('EURUSD', i * 1000, 1 + i * 0.01);
    serving.ingest('EURUSD', 20_000, 9);
    const ls = (await client.callTool({ name: 'list_series', arguments: {} })).structuredContent as { total: number; items: { id: string; anomalyState: string }[] };
    assert.equal(ls.total, 1);
    assert.equal(ls.items[0].anomalyState, 'firing');
    const an = (await client.callTool({ name: 'recent_anomalies', arguments: { series: 'EURUSD', limit: 3 } })).structuredContent as { items: { value: number }[] };
    assert.deepEqual(an.items.map((a) => a.value), [9]);

    const ex = (await client.callTool({ name: 'explain_forecast', arguments: { window: [1, 2, 3, 4] } })).structuredContent as {
      attention: number[];
      mostAttended: { index: number; stepsAgo: number }[];
    };
    assert.equal(ex.attention.length, 4);
    assert.equal(ex.mostAttended[0].index, 3);
    assert.equal(ex.mostAttended[0].stepsAgo, 1);

    const bad = await client.callTool({ name: 'forecast', arguments: { window: ['1', 2] } });
    assert.equal(bad.isError, true);
    const err = JSON.parse((bad.content as { text: string }[])[0].text).error;
    assert.equal(err.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(err.message, /arguments\.window\[0\] must be a number/);
    const nf = await client.callTool({ name: 'forecast', arguments: { series: 'NOPE' } });
    assert.equal(nf.isError, true);
    assert.match((nf.content as { text: string }[])[0].text, /TC_SERIES_NOT_FOUND/);
    const snapOff = await client.callTool({ name: 'snapshot_status', arguments: {} });
    assert.equal(snapOff.isError, true);
    assert.match((snapOff.content as { text: string }[])[0].text, /series-state snapshots are off/);
    const status = { file: 'f', intervalMs: 60_000, last: null, failures: 0, lastError: null, start: { loaded: false, reason: 'no snapshot file', series: 0, detectors: 0, loadMs: 0, restoreMs: 0 }, replayed: { full: 0, window: 12 } };
    (serving as unknown as { snapshotStatus: () => unknown }).snapshotStatus = () => status;
    const snapOn = await client.callTool({ name: 'snapshot_status', arguments: {} });
    assert.equal(snapOn.isError, undefined);
    assert.deepEqual(snapOn.structuredContent, status);
  } finally {
    await client.close();
    await app.close();
  }
});

test('MCP follows the read auth policy: without the key the client cannot connect', async () => {
  const { app } = await build({ apiKeys: [KEY], requireAuthForReads: true });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    await assert.rejects(connect(base), /401|Unauthorized|API key/i);
    const get = await fetch(new URL('/mcp', base), { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(get.status, 405);
    await get.body?.cancel();
  } finally {
    await app.close();
  }
});

test('MCP tools that change state need the API key their REST twin needs; the listing marks them not read-only', async () => {
  const errorCode = (res: unknown) => {
    const r = res as { isError?: boolean; content: { text: string }[] };
    return r.isError ? JSON.parse(r.content[0].text).error.code : 'ok';
  };
  const call = { name: 'give_alert_feedback', arguments: { alertId: '0123456789abcdef', verdict: 'expected', durationMs: 604_800_000 } };
  // Keys configured, reads open (the default): reads need no key, the feedback tool does.
  const keyed = await build({ apiKeys: [KEY] });
  const base = await keyed.app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const anonymous = await connect(base);
    const { tools } = await anonymous.listTools();
    assert.deepEqual(tools.filter((t) => t.annotations?.readOnlyHint === false).map((t) => t.name), ['give_alert_feedback']);
    assert.ok(tools.filter((t) => t.name !== 'give_alert_feedback').every((t) => t.annotations?.readOnlyHint === true));
    // Every hint stated (the spec's defaults assume an open-world, destructive, non-idempotent tool), and a title to show people.
    for (const t of tools) {
      assert.ok(typeof t.title === 'string' && t.title.length > 0 && t.title === t.annotations?.title, `${t.name} has a title`);
      assert.equal(t.annotations?.openWorldHint, false, `${t.name} works on this service's state only`);
    }
    const fb = tools.find((t) => t.name === 'give_alert_feedback')!.annotations!;
    assert.deepEqual([fb.destructiveHint, fb.idempotentHint], [true, true], 'replaces earlier feedback; the same call twice changes nothing more');
    assert.equal(errorCode(await anonymous.callTool({ name: 'list_series', arguments: {} })), 'ok');
    const refused = await anonymous.callTool(call);
    assert.equal(errorCode(refused), 'TC_HTTP_UNAUTHORIZED');
    assert.match((refused.content as { text: string }[])[0].text, /needs an API key/);
    // Refused before the arguments are read, as REST refuses before validating the body.
    assert.equal(errorCode(await anonymous.callTool({ name: 'give_alert_feedback', arguments: { verdict: 'nope' } })), 'TC_HTTP_UNAUTHORIZED');
    await anonymous.close();
    const wrongKey = await connect(base, { authorization: 'Bearer not-the-key' }).catch((e: Error) => e);
    assert.ok(wrongKey instanceof Error, 'a wrong key is refused at the route, as for every route');
    const keyedClient = await connect(base, { authorization: `Bearer ${KEY}` });
    // Past auth: this test server has no feedback store, so the tool itself answers 404.
    assert.equal(errorCode(await keyedClient.callTool(call)), 'TC_HTTP_NOT_FOUND');
    await keyedClient.close();
  } finally {
    await keyed.app.close();
  }
  // No keys configured: state-changing tools are off, as the REST routes are.
  const open = await build();
  const openBase = await open.app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const client = await connect(openBase);
    const refused = await client.callTool(call);
    assert.equal(errorCode(refused), 'TC_HTTP_UNAUTHORIZED');
    assert.match((refused.content as { text: string }[])[0].text, /no API keys are configured/);
    await client.close();
  } finally {
    await open.app.close();
  }
});

test('a malformed tools/call is -32602 Invalid params naming the field, not an internal error', async () => {
  const { app } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const post = async (params: unknown) => {
      const res = await fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params }),
      });
      return (await res.json()) as { error?: { code: number; message: string }; result?: unknown };
    };
    for (const [params, field] of [[{ name: 'forecast', arguments: [1, 2] }, 'arguments'], [{}, 'name'], [{ name: 7 }, 'name']] as const) {
      const r = await post(params);
      assert.equal(r.error?.code, -32602, JSON.stringify(r));
      assert.match(r.error!.message, /Invalid tools\/call request/);
      assert.match(r.error!.message, new RegExp(`params\\.${field} must be`), "names the field and what it must be");
    }
    const ok = await post({ name: 'forecast', arguments: { window: [1, 2, 3, 4], horizon: 1 } });
    assert.equal(ok.error, undefined, JSON.stringify(ok));
  } finally {
    await app.close();
  }
});

test('list_series pages as GET /v1/series does: same arguments and bound, same answer with offset, limit, total and where the next page starts', async () => {
  const { app, serving } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = await connect(base);
  try {
    for (let s = 0; s < 5; s++) serving.ingest(`S${s}`, 1000, 1);
    type Page = { total: number; offset: number; limit: number; nextOffset: number | null; items: { id: string }[] };
    const call = async (args: Record<string, unknown>) => (await client.callTool({ name: 'list_series', arguments: args })).structuredContent as Page;
    const first = await call({ limit: 2 });
    assert.deepEqual({ ...first, items: first.items.map((i) => i.id) }, { total: 5, offset: 0, limit: 2, nextOffset: 2, items: ['S0', 'S1'] });
    const last = await call({ offset: 4, limit: 2 });
    assert.deepEqual({ ...last, items: last.items.map((i) => i.id) }, { total: 5, offset: 4, limit: 2, nextOffset: null, items: ['S4'] });
    const rest = (await app.inject({ url: '/v1/series?offset=4&limit=2' })).json();
    assert.deepEqual(rest, last, 'the tool and the REST route answer the same page');
    assert.deepEqual(await call({}), (await app.inject({ url: '/v1/series' })).json(), 'same defaults');

    const tool = (await client.listTools()).tools.find((t) => t.name === 'list_series')!;
    const limit = (tool.inputSchema.properties as Record<string, { maximum?: number; description?: string }>).limit;
    assert.equal(limit.maximum, 1000, 'the page size is bounded');
    assert.match(limit.description ?? '', /at most 1000/);
    const tooBig = await client.callTool({ name: 'list_series', arguments: { limit: 1001 } });
    assert.equal(tooBig.isError, true);
    assert.match((tooBig.content as { text: string }[])[0].text, /limit must be <= 1000/);
  } finally {
    await client.close();
    await app.close();
  }
});

test('a JSON-RPC batch on /mcp costs one rate-limit token per call: it cannot multiply the limit', async () => {
  const { app } = await build({ rateLimit: { perKeyPerSecond: 0.01, burst: 5 } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'forecast', arguments: { window: [1, 2, 3, 4], horizon: 1 } } });
    const post = (n: number) =>
      fetch(new URL('/mcp', base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify(Array.from({ length: n }, (_, i) => call(i))),
      });
    const three = await post(3);
    assert.equal(three.status, 200, 'a batch within the burst runs');
    assert.equal(((await three.json()) as unknown[]).length, 3);
    const fifty = await post(50);
    assert.equal(fifty.status, 429, 'a batch of 50 calls is 50 requests against a burst of 5');
    const body = (await fifty.json()) as { error: { code: string; message: string; hint: string } };
    assert.equal(body.error.code, 'TC_HTTP_RATE_LIMITED');
    assert.match(body.error.message, /carries 50 calls/);
    assert.match(body.error.hint, /at most 5 calls/);
    const next = await post(3);
    assert.equal(next.status, 429, 'the 3-call batch spent 3 of the 5 tokens and the refused one none: 2 left, 3 needed');
  } finally {
    await app.close();
  }
});

test('allowUnauthenticatedMutations: the feedback tool, like its REST twin, is refused to a page of another site without a key', async () => {
  const { app } = await build({ allowUnauthenticatedMutations: true });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const call = (headers: Record<string, string>) =>
    fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'give_alert_feedback', arguments: { alertId: '0123456789abcdef', verdict: 'confirmed' } } }),
    }).then(async (r) => {
      const body = await r.json();
      // An Origin that may not call /mcp at all is refused before any tool (mcp-checks.ts): 403, JSON-RPC error.
      return (r.status === 403 ? { code: `HTTP 403 ${body.error.code}`, message: body.error.message } : JSON.parse(body.result.content[0].text).error) as { code: string; message: string };
    });
  try {
    for (const headers of [{ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } as Record<string, string>, { origin: 'null' }]) {
      const refused = await call(headers);
      assert.equal(refused.code, 'HTTP 403 -32000', JSON.stringify(headers));
      assert.match(refused.message, /may not call this MCP endpoint/);
    }
    // A page on this machine (an Origin /mcp lets in) of another site, e.g. another port: the tool itself refuses it without a key.
    for (const headers of [{ origin: 'http://localhost:3000', 'sec-fetch-site': 'same-site' }, { origin: 'http://127.0.0.1:3000' }] as Record<string, string>[]) {
      const refused = await call(headers);
      assert.equal(refused.code, 'TC_HTTP_UNAUTHORIZED', JSON.stringify(headers));
      assert.match(refused.message, /from another site \(Origin\) needs an API key/);
    }
    // This host's own clients (no Origin: curl, an agent) still pass auth (404 here: this test server has no feedback).
    assert.equal((await call({})).code, 'TC_HTTP_NOT_FOUND');
  } finally {
    await app.close();
  }
});

test('tools/call params of the wrong type: -32602 with one line saying what was wrong and what is expected (not the SDK validation dump)', async () => {
  const { app } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const post = async (body: unknown) => {
    const r = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(body) });
    return (await r.json()) as { id: unknown; error?: { code: number; message: string } } & Array<{ id: unknown; error: { code: number; message: string } }>;
  };
  const call = (id: number, params: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/call', params });
  try {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: 'forecast', arguments: null }, /params\.arguments must be a JSON object of named arguments.*got null/],
      [{ name: 'forecast', arguments: [1, 2, 3] }, /params\.arguments must be a JSON object.*got an array/],
      [{ name: 'forecast', arguments: '{"window":[1,2,3]}' }, /got a string \(send the object itself, not JSON text\)/],
      [{ arguments: { window: [1, 2, 3] } }, /params\.name must be the tool's name as a string.*got nothing/],
    ];
    for (const [i, [params, expected]] of cases.entries()) {
      const r = await post(call(i, params));
      assert.equal(r.id, i);
      assert.equal(r.error!.code, -32602);
      assert.match(r.error!.message, expected);
      assert.doesNotMatch(r.error!.message, /\n|"expected"|invalid_type/, `one line, not the zod dump: ${r.error!.message}`);
    }
    // In a 2025-03-26 batch, each answer is matched to its own request by id.
    const batch = await post([call(7, { name: 'forecast', arguments: [] }), call(8, { name: 'forecast', arguments: null })]);
    assert.deepEqual(batch.map((a) => [a.id, /got (an array|null)/.exec(a.error.message)?.[1]]), [[7, 'an array'], [8, 'null']]);
  } finally {
    await app.close();
  }
});

test('the usual agent slips — numbers as strings, "NaN", a field the tool does not take — say what came and what to send, over MCP and REST', async () => {
  const { app } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const tool = async (name: string, args: unknown) => {
    const r = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } }) });
    const body = (await r.json()) as { result: { isError?: boolean; content: Array<{ text: string }> } };
    assert.equal(body.result.isError, true);
    return (JSON.parse(body.result.content[0].text) as { error: { message: string; hint?: string } }).error;
  };
  try {
    let e = await tool('forecast', { window: [1, 2, 3], horizon: '2' });
    assert.deepEqual([e.message, e.hint], ['arguments.horizon must be an integer; got the string "2"', 'send the JSON number 2, not "2" (no quotes)']);
    e = await tool('forecast', { window: ['1.5', 2, 3] });
    assert.deepEqual([e.message, e.hint], ['arguments.window[0] must be a number; got the string "1.5"', 'send the JSON number 1.5, not "1.5" (no quotes)']);
    e = await tool('forecast', { window: [1, 'Infinity', 3] });
    assert.match(e.message, /window\[1\] must be a number; got the string "Infinity"/);
    assert.match(e.hint!, /NaN and Infinity are not JSON numbers.*finite numbers only/);
    e = await tool('recent_anomalies', { since: '2026-01-01T00:00:00Z' });
    assert.deepEqual([e.message, e.hint], ['arguments has an unknown field "since"', 'remove it; the accepted fields are series, limit']);
    // REST reads bodies with the same validator.
    const rest = await fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window: [1, 2, 3], horizon: '2' }) });
    const restBody = (await rest.json()) as { error: { message: string; hint: string } };
    assert.deepEqual([rest.status, restBody.error.message, restBody.error.hint], [400, 'body.horizon must be an integer; got the string "2"', 'send the JSON number 2, not "2" (no quotes)']);
  } finally {
    await app.close();
  }
});
