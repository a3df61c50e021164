/** What an agent reads in the tools' input schemas and in a refused call's error (docs/http-api.md § Agent tools). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { build, KEY } from './support/build.ts';
import { alert, servingWithFeedback } from './support/feedback-serving.ts';
import { TOOL_FOR_ROUTE } from '../../../src/adapters/http/tool-errors.ts';

const ACCEPT = 'application/json, text/event-stream';
type App = Awaited<ReturnType<typeof build>>['app'];

async function rpc(app: App, method: string, params: unknown) {
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', accept: ACCEPT, authorization: `Bearer ${KEY}` }, payload: { jsonrpc: '2.0', id: 1, method, params } });
  return res.json().result;
}

async function toolError(app: App, name: string, args: unknown) {
  const r = await rpc(app, 'tools/call', { name, arguments: args });
  assert.equal(r.isError, true, JSON.stringify(r));
  return JSON.parse(r.content[0].text).error as { code: string; message: string; hint?: string; retriable: boolean };
}

/** JSON Schema keywords that combine or condition schemas: none may stand at the top level of a tool's input schema. */
const COMPOSITION = ['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else'];

test('every tool\'s input schema is a plain object at its top level, on /mcp and on GET /v1/tools: no allOf/anyOf/oneOf/not/if/then/else', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    // The Anthropic API refuses oneOf/anyOf/allOf there (a 400 for every request listing the tool), Claude Code drops tools with a
    // root allOf/if/then (anthropics/claude-code#95504), and OpenAI strict function calling wants a plain object root.
    const mcp = (await rpc(app, 'tools/list', {})).tools as { name: string; inputSchema: Record<string, unknown> }[];
    const rest = (await app.inject({ url: '/v1/tools' })).json().tools as { function: { name: string; parameters: Record<string, unknown> } }[];
    const schemas = [...mcp.map((t) => [`mcp ${t.name}`, t.inputSchema] as const), ...rest.map((t) => [`/v1/tools ${t.function.name}`, t.function.parameters] as const)];
    assert.equal(schemas.length, 2 * mcp.length);
    const found = schemas.flatMap(([name, s]) => COMPOSITION.filter((k) => k in s).map((k) => `${name}: top-level ${k}`));
    assert.deepEqual(found, []);
    for (const [name, s] of schemas) {
      assert.equal(s.type, 'object', name);
      assert.equal(typeof s.properties, 'object', name);
      if ('required' in s) assert.ok(Array.isArray(s.required), name);
    }
  } finally {
    await app.close();
  }
});

test('forecast and explain_forecast: the rule "exactly one of window and series" is in the descriptions of the schema and of both properties', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const { tools } = await rpc(app, 'tools/list', {});
    for (const name of ['forecast', 'explain_forecast']) {
      const schema = tools.find((t: { name: string }) => t.name === name).inputSchema;
      assert.match(schema.description, /exactly one of `window`.*or `series`/);
      for (const field of ['window', 'series']) assert.match(schema.properties[field].description, /[Ee]xactly one of `window` or `series`.*never both/, `${name}.${field}`);
      // A plain schema cannot say "exactly one" without a combinator: it accepts neither and both, and the server refuses them (next test).
      const valid = new Ajv({ strict: false }).compile(schema);
      assert.equal(valid({ window: [1, 2] }), true);
      assert.equal(valid({ series: 'A', horizon: 2 }), true);
      assert.equal(valid({ windows: [1, 2] }), false);
    }
  } finally {
    await app.close();
  }
});

test('forecast with neither or both of window and series: one sentence about the arguments; a misspelt field is still named', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    for (const name of ['forecast', 'explain_forecast']) {
      const neither = await toolError(app, name, { horizon: 2 });
      assert.equal(neither.code, 'TC_HTTP_BAD_REQUEST');
      assert.equal(neither.message, 'arguments needs exactly one of "window" or "series"; got neither');
      assert.match(neither.hint!, /list_series lists them/);
      const both = await toolError(app, name, { window: [1, 2, 3], series: 'A' });
      assert.equal(both.message, 'arguments needs exactly one of "window" or "series"; got both');
      const typo = await toolError(app, name, { windows: [1, 2, 3] });
      assert.equal(typo.message, 'arguments has an unknown field "windows"');
    }
  } finally {
    await app.close();
  }
});

test('a series or alert not found names the tool to call next (list_series, recent_anomalies, list_alert_feedback), not a REST route', async () => {
  const { app } = await build({ apiKeys: [KEY] }, servingWithFeedback());
  try {
    for (const name of ['forecast', 'explain_forecast']) {
      const nf = await toolError(app, name, { series: 'NOPE' });
      assert.equal(nf.code, 'TC_SERIES_NOT_FOUND');
      assert.equal(nf.message, 'series "NOPE" is not tracked by this instance');
      // Until 6 Dec 2026: 'series "NOPE" is unknown; GET /v1/series lists known series'.
      assert.equal(nf.hint, 'the list_series tool lists the tracked series; series ids are case-sensitive');
    }
    const alert = await toolError(app, 'give_alert_feedback', { alertId: '00000000000000ff', verdict: 'confirmed' });
    assert.equal(alert.code, 'TC_ALERT_NOT_FOUND');
    assert.match(alert.hint!, /^take ids from the recent_anomalies tool \(the "id" of a firing record, or the "firingId" of a resolved one\)/);
    const clear = await toolError(app, 'give_alert_feedback', { alertId: '0000000000000001', verdict: 'clear' });
    assert.equal(clear.hint, 'the list_alert_feedback tool lists the feedback in effect');
    // Every route in the table is served, and its tool listed.
    const tools = (await rpc(app, 'tools/list', {})).tools.map((t: { name: string }) => t.name);
    for (const [route, tool] of Object.entries(TOOL_FOR_ROUTE)) {
      assert.ok(app.hasRoute({ method: 'GET', url: route.slice(4) }), route);
      assert.ok(tools.includes(tool), tool);
    }
    // REST keeps its routes.
    const rest = await app.inject({ method: 'POST', url: '/v1/predict', payload: { series: 'NOPE' } });
    assert.equal(rest.json().error.hint, 'GET /v1/series lists the tracked series; series ids are case-sensitive');
  } finally {
    await app.close();
  }
});

test('recent_anomalies for a series not tracked is TC_SERIES_NOT_FOUND like forecast; a tracked series without alerts is an empty list', async () => {
  const serving = servingWithFeedback();
  const { app } = await build({ apiKeys: [KEY] }, serving);
  try {
    // Until 6 Dec 2026: {items: []}, which an agent read as "no alerts" for a misspelt id.
    const nf = await toolError(app, 'recent_anomalies', { series: 'NOPE' });
    assert.equal(nf.code, 'TC_SERIES_NOT_FOUND');
    assert.equal(nf.message, 'series "NOPE" is not tracked by this instance');
    assert.equal(nf.hint, 'the list_series tool lists the tracked series; series ids are case-sensitive');
    assert.equal(nf.retriable, false);
    const known = await rpc(app, 'tools/call', { name: 'recent_anomalies', arguments: { series: 'web-1' } });
    assert.deepEqual(known.structuredContent, { items: [] });
    // An evicted series whose alerts are still among the recent ones: listed, not an error.
    serving.raise(alert('0000000000000003'));
    serving.evict('web-1');
    const gone = await rpc(app, 'tools/call', { name: 'recent_anomalies', arguments: { series: 'web-1' } });
    assert.deepEqual(gone.structuredContent.items.map((r: { id: string }) => r.id), ['0000000000000003']);
    assert.equal((await rpc(app, 'tools/call', { name: 'recent_anomalies', arguments: {} })).structuredContent.items.length, 1);
  } finally {
    await app.close();
  }
});

test('give_alert_feedback: a durationMs under a minute (seconds where milliseconds belong) is refused, naming the unit; its schema says milliseconds', async () => {
  const { app } = await build({ apiKeys: [KEY] }, servingWithFeedback());
  try {
    const schema = (await rpc(app, 'tools/list', {})).tools.find((t: { name: string }) => t.name === 'give_alert_feedback').inputSchema;
    assert.equal(schema.properties.durationMs.minimum, 60_000);
    assert.match(schema.properties.durationMs.description, /in milliseconds: 60000 \(1 minute\) to 604800000 \(7 days\)/);
    // Until 6 Dec 2026 durationMs 5 (meant as 5 s) was accepted: alerts held back for 5 ms.
    const secs = await toolError(app, 'give_alert_feedback', { alertId: '0000000000000001', verdict: 'expected', durationMs: 5 });
    assert.equal(secs.code, 'TC_HTTP_BAD_REQUEST');
    assert.equal(secs.message, 'arguments.durationMs must be >= 60000; got 5');
    assert.match(secs.hint!, /in milliseconds: 60000 \(1 minute\)/);
    // A duration with a unit: the number it means (until 6 Dec 2026 the hint was 'send a JSON number (1.5, not "1.5")').
    const hour = await toolError(app, 'give_alert_feedback', { alertId: '0000000000000001', verdict: 'expected', durationMs: '1h' });
    assert.deepEqual([hour.message, hour.hint], ['arguments.durationMs must be an integer; got the string "1h"', 'send milliseconds as a JSON number: "1h" is 3600000']);
    const restHour = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000001/feedback', headers: { authorization: `Bearer ${KEY}` }, payload: { verdict: 'expected', durationMs: '90 min' } });
    assert.equal(restHour.json().error.hint, 'send milliseconds as a JSON number: "90 min" is 5400000');
    const minute = await rpc(app, 'tools/call', { name: 'give_alert_feedback', arguments: { alertId: '0000000000000001', verdict: 'expected', durationMs: 60_000 } });
    assert.equal(minute.structuredContent.effect.suppressedUntil, 61_000);
  } finally {
    await app.close();
  }
});

test('a refused tool call says whether the same call may succeed later (retriable), as a tool result has no HTTP status', async () => {
  const { app, serving } = await build({ apiKeys: [KEY] });
  try {
    serving.ingest('WARMING', 0, 1);
    const warming = await toolError(app, 'forecast', { series: 'WARMING' });
    assert.equal(warming.code, 'TC_SERIES_NOT_READY');
    assert.equal(warming.retriable, true, 'more ticks will come');
    assert.equal((await toolError(app, 'forecast', { series: 'NOPE' })).retriable, false);
    assert.equal((await toolError(app, 'forecast', {})).retriable, false);
  } finally {
    await app.close();
  }
});

test('give_alert_feedback refused for want of a key says "this tool", not "this route" (the agent called no route)', async () => {
  for (const config of [{}, { apiKeys: [KEY] }]) {
    const { app } = await build(config);
    try {
      const res = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', accept: ACCEPT }, payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'give_alert_feedback', arguments: { alertId: 'abc', verdict: 'confirmed' } } } });
      const r = res.json().result;
      assert.equal(r.isError, true, res.body);
      const e = JSON.parse(r.content[0].text).error as { code: string; message: string };
      assert.equal(e.code, 'TC_HTTP_UNAUTHORIZED');
      assert.match(e.message, /^this tool changes server state/, e.message);
    } finally {
      await app.close();
    }
  }
});

test('a number that is not the number asked for: a fraction for an integer and a null (JSON.stringify\'s NaN) are named as such, on /mcp and REST', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    // Until 7 Dec 2026 both got the hint 'send JSON numbers (1.5, not "1.5")': the agent had sent a JSON number.
    const fraction = await toolError(app, 'forecast', { window: [1, 2, 3, 4], horizon: 2.5 });
    assert.equal(fraction.message, 'arguments.horizon must be an integer; got 2.5');
    assert.equal(fraction.hint, 'send a whole number, such as 2 or 3');
    const page = await toolError(app, 'list_series', { limit: 10.5 });
    assert.equal(page.message, 'arguments.limit must be an integer; got 10.5');
    const gap = await toolError(app, 'forecast', { window: [1, null, 3, 4] });
    assert.equal(gap.message, 'arguments.window[1] must be a number; got null');
    assert.match(gap.hint!, /null is what JSON\.stringify writes for NaN and Infinity/);
    // Steps keyed by feature name (a data frame's records): the shape the model reads, as on REST (routes.test.ts).
    const named = await toolError(app, 'forecast', { window: [{ bid: 101.2, ask: 101.3 }, { bid: 101.4, ask: 101.5 }] });
    assert.equal(named.message, 'arguments.window[0] must be a number; got an object (keys "bid", "ask")');
    assert.match(named.hint!, /not keyed by feature name/);
    const rest = await app.inject({ method: 'POST', url: '/v1/predict', headers: { authorization: `Bearer ${KEY}` }, payload: { window: [1, 2, 3, 4], horizon: 1.5 } });
    assert.equal(rest.statusCode, 400);
    assert.equal(rest.json().error.message, 'body.horizon must be an integer; got 1.5');
    assert.equal(rest.json().error.hint, 'send a whole number, such as 1 or 2');
  } finally {
    await app.close();
  }
});

// Until 7 Dec 2026 the ragged-window error told an agent to "see GET /v1/model", a REST route it cannot call.
test('a ragged window refused to the forecast tool points to tools/list, not to GET /v1/model', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const e = await toolError(app, 'forecast', { window: [[1, 2], [3]] });
    assert.equal(e.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(e.message, /ragged/);
    assert.doesNotMatch(`${e.message} ${e.hint}`, /GET \/v1\//);
    assert.match(e.hint ?? '', /see the forecast tool's description in tools\/list/);
    // REST keeps naming its route.
    const rest = await app.inject({ method: 'POST', url: '/v1/predict', headers: { authorization: `Bearer ${KEY}` }, payload: { window: [[1, 2], [3]] } });
    assert.match(rest.json().error.hint, /see GET \/v1\/model/);
  } finally {
    await app.close();
  }
});
