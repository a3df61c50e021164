/**
 * Fuzz: hostile requests to the feedback routes (POST/DELETE /v1/anomalies/:id/feedback, GET
 * /v1/feedback), the prediction routes by series (POST /v1/predict, GET /v1/series/:id) and the MCP
 * endpoint's tools/call arguments, seeded. Properties: never a 5xx (nor JSON-RPC's -32603 internal
 * error); a REST refusal is a 4xx with a TC_ code and a message that names the field or id; a tool's
 * refusal is an isError result with the same body; Object.prototype is untouched afterwards.
 * (Windows sent to POST /v1/predict: fuzz.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rand } from '../../helpers/fuzz.ts';
import { build, KEY } from './support/build.ts';
import { servingWithFeedback } from './support/feedback-serving.ts';

const COUNT = 1500;
const auth = { authorization: `Bearer ${KEY}` };
const mcpHeaders = { ...auth, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/** Raw JSON texts of hostile values (raw, so that 1e400 and -0 reach the parser as sent). */
function hostileValue(r: Rand, depth = 0): string {
  const simple = ['1e400', '-1e400', '-0', '0', '-1', '1.5', '9007199254740993', 'null', 'true', '""', '" "', '"\\u0000"', '"\\ud800"', '"NaN"', '"Infinity"', '"1e3"', '"confirmed"', '"false_positive"', '"expected"', '"clear"', '"0000000000000001"', '"web-1"', '"__proto__"', '"constructor"', '"toString"', '[]', '{}'];
  const k = r.int(10);
  if (k < 6 || depth > 2) return r.pick(simple);
  if (k === 6) return JSON.stringify('x'.repeat(r.pick([129, 257, 501, 5000, 40_000])));
  if (k === 7) {
    const d = 200 + r.int(3000);
    return '['.repeat(d) + ']'.repeat(d);
  }
  if (k === 8) return `[${Array.from({ length: 1 + r.int(5) }, () => hostileValue(r, depth + 1)).join(',')}]`;
  return hostileObject(r, ['a', 'window', 'verdict', 'toString', 'valueOf', 'hasOwnProperty'], depth + 1);
}

function hostileObject(r: Rand, names: readonly string[], depth = 0): string {
  const n = r.int(5);
  const fields = Array.from({ length: n }, () => `${JSON.stringify(r.chance(0.85) ? r.pick(names) : r.pick(['', 'x'.repeat(300), 'Verdict', 'note ', '\u0000']))}:${hostileValue(r, depth)}`);
  return `{${fields.join(',')}}`;
}

const ID_PATHS = ['0000000000000001', '0000000000000002', '__proto__', 'constructor', 'toString', '%00', '%ff', 'a%2Fb', '..', '%2e', 'x'.repeat(300), '0000000000000001%20', 'ZZZZZZZZZZZZZZZZ', 'valueOf'];
const FEEDBACK_FIELDS = ['verdict', 'note', 'by', 'durationMs', 'actor', 'series', 'ts', 'score', 'view', 'alertId'];

interface Req {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  payload?: string;
  headers: Record<string, string>;
  mcp?: boolean;
}

function nextRequest(r: Rand, tools: Array<{ name: string; props: string[] }>): Req {
  const json = { ...auth, 'content-type': 'application/json' };
  switch (r.int(6)) {
    case 0:
    case 1:
      return { method: 'POST', url: `/v1/anomalies/${r.pick(ID_PATHS)}/feedback`, payload: r.chance(0.9) ? hostileObject(r, FEEDBACK_FIELDS) : hostileValue(r), headers: json };
    case 2:
      return r.chance(0.5)
        ? { method: 'DELETE', url: `/v1/anomalies/${r.pick(ID_PATHS)}/feedback`, headers: auth }
        : { method: 'GET', url: `/v1/feedback?${r.pick(['series', 'verdict', 'limit', 'series[__proto__]', '__proto__', 'limit[]'])}=${encodeURIComponent(r.pick(['1e400', '-1', '0', '__proto__', 'confirmed', 'clear', 'x'.repeat(300), '%', 'NaN']))}`, headers: auth };
    case 3:
      return r.chance(0.5)
        ? { method: 'POST', url: '/v1/predict', payload: hostileObject(r, ['series', 'horizon', 'explain', 'window']), headers: json }
        : { method: 'GET', url: `/v1/series/${r.pick(ID_PATHS)}`, headers: auth };
    default: {
      const tool = r.chance(0.95) ? r.pick(tools) : { name: r.pick(['__proto__', 'constructor', '', 'x'.repeat(300)]), props: [] };
      const args = r.chance(0.9) ? hostileObject(r, tool.props) : hostileValue(r);
      return { method: 'POST', url: '/mcp', payload: `{"jsonrpc":"2.0","id":${r.int(1000)},"method":"tools/call","params":{"name":${JSON.stringify(tool.name)},"arguments":${args}}}`, headers: mcpHeaders, mcp: true };
    }
  }
}

/** Why the answer breaks the standard, or null. */
function judge(req: Req, status: number, body: string): string | null {
  if (status >= 500) return `status ${status}`;
  let parsed: Record<string, any>;
  try {
    parsed = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  if (/\.ts:\d+|\bat [\w.<>]+ \(/.test(body)) return 'a stack trace in the body';
  if (req.mcp) {
    if (parsed.error) return [-32700, -32600, -32602].includes(parsed.error.code) && typeof parsed.error.message === 'string' ? null : `JSON-RPC error ${parsed.error.code}`;
    const res = parsed.result;
    if (res?.isError !== true) return res && Array.isArray(res.content) ? null : 'neither a result nor an error';
    const inner = JSON.parse(res.content[0].text).error;
    return typeof inner?.code === 'string' && inner.code.startsWith('TC_') && inner.message.length > 0 ? null : `tool error without a TC_ code: ${res.content[0].text}`;
  }
  if (status < 400) return null;
  const err = parsed.error;
  if (typeof err?.code !== 'string' || !err.code.startsWith('TC_') || typeof err.message !== 'string') return 'no TC_ code and message';
  // A 400 says which field (body./querystring./params., an unknown field) or that the JSON itself is bad.
  if (status === 400 && !/body|querystring|params|field|JSON|URL|\bid\b|series/.test(err.message)) return `a 400 that names nothing: ${err.message}`;
  return null;
}

test(`fuzz: ${COUNT} hostile feedback, series and MCP tools/call requests — 4xx with a reason, never 5xx, no prototype pollution`, async () => {
  const protoBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  const { app } = await build({ apiKeys: [KEY], rateLimit: { enabled: false } }, servingWithFeedback());
  const listed = await app.inject({ method: 'POST', url: '/mcp', headers: mcpHeaders, payload: '{"jsonrpc":"2.0","id":0,"method":"tools/list"}' });
  const tools = (listed.json().result.tools as Array<{ name: string; inputSchema: { properties?: Record<string, unknown> } }>).map((t) => ({ name: t.name, props: Object.keys(t.inputSchema.properties ?? {}) }));
  assert.ok(tools.some((t) => t.name === 'give_alert_feedback'));
  const r = new Rand(20261206);
  const failures: string[] = [];
  const statuses = new Map<string, number>();
  try {
    for (let sent = 0; sent < COUNT; sent += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          const req = nextRequest(r, tools);
          const res = await app.inject({ method: req.method, url: req.url, headers: req.headers, payload: req.payload });
          const tag = `${req.method} ${req.url.replace(/\/(?!v1|feedback|series|anomalies|predict|mcp)[^/?]+/g, '/:x').split('?')[0]} ${res.statusCode}`;
          statuses.set(tag, (statuses.get(tag) ?? 0) + 1);
          const why = judge(req, res.statusCode, res.body);
          if (why && failures.length < 10) failures.push(`${why} <- ${req.method} ${req.url.slice(0, 80)} ${req.payload?.slice(0, 160)} -> ${res.body.slice(0, 200)}`);
        }),
      );
    }
    // Still serving: a good feedback call and a good tool call after all of it.
    const ok = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000002/feedback', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"verdict":"confirmed"}' });
    assert.equal(ok.statusCode, 200, ok.body);
  } finally {
    await app.close();
  }
  assert.deepEqual(failures, []);
  assert.ok(statuses.size >= 12, [...statuses.keys()].join(', '));
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoBefore, 'Object.prototype unchanged');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(typeof ({} as Record<string, unknown>).toString, 'function');
});
