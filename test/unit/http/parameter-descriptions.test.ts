/**
 * A new user reads what a parameter means where the interface lists it: the OpenAPI document
 * (/docs) for the REST routes' query and path parameters, and tools/list for the MCP tools'
 * arguments (an agent reads the description more than the bounds). Before 6 Dec 2026 11 REST
 * parameters (series, limit, verdict, state, group, id) and the arguments of recent_anomalies,
 * list_alert_feedback, list_incidents, band_quality and give_alert_feedback's alertId/note had none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';

test('every REST query and path parameter in /docs/json and every MCP tool argument has a description', async () => {
  const { app } = await build();
  try {
    const spec = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string; description?: string }> }>> };
    const bare: string[] = [];
    for (const [path, ops] of Object.entries(spec.paths)) {
      for (const [method, op] of Object.entries(ops)) for (const p of op.parameters ?? []) if (!p.description) bare.push(`${method.toUpperCase()} ${path} ${p.in} ${p.name}`);
    }
    const listed = await app.inject({ method: 'POST', url: '/mcp', headers: { accept: 'application/json, text/event-stream' }, payload: { jsonrpc: '2.0', id: 1, method: 'tools/list' } });
    const tools = listed.json().result.tools as Array<{ name: string; inputSchema: { properties?: Record<string, { description?: string }> } }>;
    assert.ok(tools.length >= 8, listed.body.slice(0, 300));
    for (const t of tools) for (const [name, s] of Object.entries(t.inputSchema.properties ?? {})) if (!s.description) bare.push(`tool ${t.name} ${name}`);
    assert.deepEqual(bare, []);
  } finally {
    await app.close();
  }
});
