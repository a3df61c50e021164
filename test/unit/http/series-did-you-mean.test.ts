/**
 * A forecast of a series not tracked names the tracked ids close to it ("did you mean"), on REST
 * and through the MCP forecast tool (in the tool's words: list_series, not GET /v1/series). Until
 * 7 Dec 2026 neither did: `aapl` for `AAPL` (ids are case-sensitive) read as "not tracked" only.
 * GET /v1/series/{id} and the recent_anomalies tool say the same through ServingApi.similarSeries
 * (until later that day they had no suggestion, and /v1/series/{id} its own hint).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';
import { createModelServing } from './support/model-serving.ts';
import { TrendServing } from './support/trend-serving.ts';
import { similarIds } from '../../../src/domain/similar-ids.ts';

test('similarIds: the same id in another case first, then ids within 2 edits, at most `limit`', () => {
  const known = ['AAPL', 'AAPLX', 'MSFT', 'aapl.us', 'GOOG'];
  assert.deepEqual(similarIds('aapl', known), ['AAPL', 'AAPLX']);
  assert.deepEqual(similarIds('MSTF', known), ['MSFT']);
  assert.deepEqual(similarIds('TSLA', known), []);
  assert.deepEqual(similarIds('AAPL', known, 1), ['AAPLX']);
});

test('a forecast of an id not tracked says which tracked ids are close to it, on REST and MCP', async () => {
  const ms = await createModelServing();
  const { app } = await build({ rateLimit: { enabled: false } }, ms.serving);
  try {
    ms.store.push('AAPL', 1_000, [1], 1_000);
    const rest = await app.inject({ method: 'POST', url: '/v1/predict', payload: { series: 'aapl' } });
    assert.equal(rest.statusCode, 404, rest.body);
    const e = rest.json().error;
    assert.equal(e.code, 'TC_SERIES_NOT_FOUND');
    assert.match(e.hint, /^did you mean "AAPL"\? GET \/v1\/series lists/);
    assert.deepEqual(e.details.didYouMean, ['AAPL']);

    const rpc = await app.inject({
      method: 'POST',
      url: '/mcp',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'forecast', arguments: { series: 'aapl' } } },
    });
    const tool = JSON.parse(rpc.json().result.content[0].text).error;
    assert.equal(tool.code, 'TC_SERIES_NOT_FOUND');
    assert.match(tool.hint, /^did you mean "AAPL"\? the list_series tool lists/);
    assert.deepEqual(tool.details.didYouMean, ['AAPL']);

    // Nothing close: the hint as before, no didYouMean.
    const none = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { series: 'ZZZZZZ' } })).json().error;
    assert.match(none.hint, /^GET \/v1\/series lists/);
    assert.equal(none.details, undefined);
  } finally {
    await app.close();
    await ms.close();
  }
});

/** A tools/call's error body (the tool's JSON text). */
async function toolError(app: Awaited<ReturnType<typeof build>>['app'], name: string, args: object) {
  const rpc = await app.inject({
    method: 'POST',
    url: '/mcp',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    payload: { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } },
  });
  return JSON.parse(rpc.json().result.content[0].text).error;
}

for (const [what, make] of [
  ['the real ServingService', async () => { const ms = await createModelServing(); return { serving: ms.serving, track: (id: string) => ms.store.push(id, 1_000, [1], 1_000), close: () => ms.close() }; }],
  ['the test TrendServing', async () => { const t = new TrendServing(); return { serving: t, track: (id: string) => t.ingest(id, 1_000, 1), close: async () => {} }; }],
] as const) {
  test(`GET /v1/series/{id} and the recent_anomalies tool name tracked ids close to an unknown one, as a forecast does (${what})`, async () => {
    const s = await make();
    const { app } = await build({ rateLimit: { enabled: false } }, s.serving);
    try {
      s.track('AAPL');
      s.track('AAPLX');
      const rest = await app.inject({ url: '/v1/series/aapl' });
      assert.equal(rest.statusCode, 404, rest.body);
      const e = rest.json().error;
      assert.equal(e.code, 'TC_SERIES_NOT_FOUND');
      assert.equal(e.hint, 'did you mean "AAPL" or "AAPLX"? GET /v1/series lists the tracked series; series ids are case-sensitive');
      assert.deepEqual(e.details.didYouMean, ['AAPL', 'AAPLX']);
      // The forecast's body, word for word: one error for one mistake.
      const predict = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { series: 'aapl' } })).json().error;
      assert.deepEqual({ ...e, requestId: undefined }, { ...predict, requestId: undefined });

      const tool = await toolError(app, 'recent_anomalies', { series: 'aapl' });
      assert.equal(tool.code, 'TC_SERIES_NOT_FOUND');
      assert.equal(tool.hint, 'did you mean "AAPL" or "AAPLX"? the list_series tool lists the tracked series; series ids are case-sensitive');
      assert.deepEqual(tool.details.didYouMean, ['AAPL', 'AAPLX']);

      // Nothing close: the hint as before, no didYouMean.
      const none = (await app.inject({ url: '/v1/series/ZZZZZZ' })).json().error;
      assert.equal(none.hint, 'GET /v1/series lists the tracked series; series ids are case-sensitive');
      assert.equal(none.details, undefined);
      assert.equal((await toolError(app, 'recent_anomalies', { series: 'ZZZZZZ' })).details, undefined);
    } finally {
      await app.close();
      await s.close();
    }
  });
}
