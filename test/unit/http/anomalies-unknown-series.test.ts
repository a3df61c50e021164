/**
 * GET /v1/anomalies?series= answers an id this instance does not track with 200 and an empty list
 * (kept for compatibility: pollers, the dashboard), and says so with `seriesTracked: false`; MCP
 * recent_anomalies answers it with TC_SERIES_NOT_FOUND. Before 6 Dec 2026 the REST answer for a
 * misspelt id and for a tracked series without alerts was the same `{"items":[]}`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';

test('GET /v1/anomalies?series=: seriesTracked tells an unknown id from a series without alerts; absent without ?series', async () => {
  const { app, serving } = await build();
  try {
    for (let i = 0; i < 3; i++) serving.ingest('A', i * 1000, 10 + i);
    const unknown = await app.inject({ url: '/v1/anomalies?series=nope' });
    assert.equal(unknown.statusCode, 200, 'compatible: still 200 with an empty list');
    assert.deepEqual(unknown.json(), { items: [], seriesTracked: false });
    assert.deepEqual((await app.inject({ url: '/v1/anomalies?series=A' })).json(), { items: [], seriesTracked: true });
    assert.deepEqual(Object.keys((await app.inject({ url: '/v1/anomalies' })).json()), ['items']);
  } finally {
    await app.close();
  }
});
