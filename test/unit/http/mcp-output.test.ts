/** Structured tool results against the declared outputSchema, through the SDK client (which validates them). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { build } from './support/build.ts';
import { TrendServing } from './support/trend-serving.ts';
import type { AnomalyRecord } from '../../../src/pipeline/ports.ts';

test('a forecast over a window holding a missing value: null quantiles, valid against the outputSchema as REST answers them', async () => {
  const { app, serving } = await build();
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 't', version: '1' });
  try {
    for (let i = 0; i < 5; i++) serving.ingest('N', i * 1000, i);
    serving.ingest('N', 5000, Number.NaN);
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
    await client.listTools(); // the client checks structuredContent against the listed outputSchema from here on
    // Was: MCP error -32602 "Structured content does not match the tool's output schema: data/horizon/0/p10 must be number".
    const res = await client.callTool({ name: 'forecast', arguments: { series: 'N', horizon: 1 } });
    const rest = (await app.inject({ method: 'POST', url: '/v1/predict', payload: { series: 'N', horizon: 1 } })).json();
    assert.deepEqual(rest.horizon[0], { step: 1, ts: 6000, p10: null, p50: null, p90: null });
    assert.deepEqual(res.structuredContent, rest);
  } finally {
    await client.close();
    await app.close();
  }
});

test('an alert sent late (heldUntilTs) of a tick stamped with a fraction of a millisecond: valid against recent_anomalies\' outputSchema', async () => {
  // docs/schemas.md: a ts of 1732060800123.5 is kept as sent and goes out on the outputs as it came; heldUntilTs is such a tick's ts.
  const held: AnomalyRecord = {
    series: 'S', feature: 'value', ts: 1732060800123.5, value: 9, expected: 1, lower: 0, upper: 2, score: 0.97, severity: 'critical',
    state: 'firing', model: 'v1', view: 'forecast', kind: 'alert', id: '0123456789abcdef', heldUntilTs: 1732060860123.5,
  };
  class HeldServing extends TrendServing {
    override recentAnomalies(): AnomalyRecord[] {
      return [held];
    }
  }
  const { app } = await build({}, new HeldServing());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 't', version: '1' });
  try {
    await client.connect(new StreamableHTTPClientTransport(new URL('/mcp', base)));
    await client.listTools();
    // Was: MCP error -32602 "Structured content does not match the tool's output schema: data/items/0/heldUntilTs must be integer".
    const res = await client.callTool({ name: 'recent_anomalies', arguments: {} });
    assert.deepEqual(res.structuredContent, { items: [held] });
  } finally {
    await client.close();
    await app.close();
  }
});
