/**
 * Polling GET /v1/anomalies?series= (and MCP recent_anomalies) asks only whether the series is
 * tracked. Until 7 Dec 2026 both answered that with getSeries, which copies the series' whole
 * window (WindowStore.recent, one array per feature) and builds its forecast, feedback and fusion
 * views, on every poll, only to compare the result with null. Counted on the real ServingService
 * and WindowStore: the window is read for the series view alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { build } from './support/build.ts';
import { createModelServing } from './support/model-serving.ts';

test('polling anomalies of a tracked or unknown series copies no window; the series view still does', async () => {
  const ms = await createModelServing();
  const built = await build({ rateLimit: { enabled: false } }, ms.serving);
  let windowCopies = 0;
  const recent = ms.store.recent.bind(ms.store);
  ms.store.recent = (series: string) => (windowCopies++, recent(series));
  const client = new Client({ name: 'agent', version: '0.0.0' });
  try {
    for (let i = 0; i < 40; i++) ms.store.push('plant-7', 1_000 * i, [10 + (i % 5)], 1_000 * i);
    const base = await built.app.listen({ host: '127.0.0.1', port: 0 });
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
    for (let poll = 0; poll < 5; poll++) {
      assert.deepEqual((await built.app.inject({ url: '/v1/anomalies?series=plant-7' })).json(), { items: [], seriesTracked: true });
      assert.deepEqual((await built.app.inject({ url: '/v1/anomalies?series=plant-8' })).json(), { items: [], seriesTracked: false });
      const tracked = await client.callTool({ name: 'recent_anomalies', arguments: { series: 'plant-7' } });
      assert.notEqual(tracked.isError, true, JSON.stringify(tracked));
      const unknown = await client.callTool({ name: 'recent_anomalies', arguments: { series: 'plant-8' } });
      assert.equal(unknown.isError, true, 'an unknown series is still TC_SERIES_NOT_FOUND');
      assert.match(JSON.stringify(unknown.content), /TC_SERIES_NOT_FOUND/);
    }
    assert.equal(windowCopies, 0, 'ten REST polls and ten tool calls copied the window this many times');
    assert.equal((await built.app.inject({ url: '/v1/series/plant-7' })).statusCode, 200);
    assert.equal(windowCopies, 1, 'GET /v1/series/{id} shows the window: one copy');
  } finally {
    await client.close();
    await built.app.close();
    await ms.close();
  }
});
