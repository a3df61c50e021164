/**
 * Feedback `actor` (and `by` when it defaults to it) is an API key's fingerprint: shown to callers
 * with a valid key, left out for everyone else while reads are open (src/adapters/http/feedback-view.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { build, KEY } from './support/build.ts';
import { servingWithFeedback } from './support/feedback-serving.ts';
const auth = { authorization: `Bearer ${KEY}` };

async function giveFeedback(app: Awaited<ReturnType<typeof build>>['app']): Promise<string> {
  // One with the default `by` (the key's fingerprint), one with the caller's own words.
  const a = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000001/feedback', headers: auth, payload: { verdict: 'confirmed' } });
  assert.equal(a.statusCode, 200, a.body);
  const b = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000002/feedback', headers: auth, payload: { verdict: 'confirmed', by: 'oncall-alice' } });
  assert.equal(b.statusCode, 200, b.body);
  return a.json().feedback.actor;
}

test('GET /v1/feedback and GET /v1/series/:id name who gave feedback only to a caller with a valid key', async () => {
  const { app } = await build({ apiKeys: [KEY] }, servingWithFeedback());
  try {
    const actor = await giveFeedback(app);
    assert.match(actor, /^key:[0-9a-f]{12}$/);

    const keyed = (await app.inject({ url: '/v1/feedback', headers: auth })).json().items;
    assert.deepEqual(keyed.map((e: { actor: string; by: string }) => [e.actor, e.by]), [[actor, 'oncall-alice'], [actor, actor]]);

    const open = await app.inject({ url: '/v1/feedback' });
    assert.equal(open.statusCode, 200);
    assert.doesNotMatch(open.body, /key:[0-9a-f]{12}/, 'no key fingerprint reaches a caller without a key');
    assert.deepEqual(open.json().items.map((e: { alertId: string; actor?: string; by?: string; verdict: string }) => [e.alertId, e.actor, e.by, e.verdict]), [
      ['0000000000000002', undefined, 'oncall-alice', 'confirmed'],
      ['0000000000000001', undefined, undefined, 'confirmed'],
    ]);

    const detailKeyed = (await app.inject({ url: '/v1/series/web-1', headers: auth })).json();
    assert.equal(detailKeyed.feedback.confirmed.length, 2);
    assert.ok(detailKeyed.feedback.confirmed.every((e: { actor: string }) => e.actor === actor));
    const detailOpen = await app.inject({ url: '/v1/series/web-1' });
    assert.equal(detailOpen.statusCode, 200);
    assert.equal(detailOpen.json().feedback.confirmed.length, 2);
    assert.doesNotMatch(detailOpen.body, /key:[0-9a-f]{12}/);
  } finally {
    await app.close();
  }
});

test('the MCP tool list_alert_feedback shows actors to a caller with a key, not to one without', async () => {
  const { app } = await build({ apiKeys: [KEY] }, servingWithFeedback());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const list = async (headers: Record<string, string>) => {
    const client = new Client({ name: 't', version: '0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } }));
    try {
      const r = await client.callTool({ name: 'list_alert_feedback', arguments: {} });
      assert.equal(r.isError, undefined, JSON.stringify(r));
      return JSON.stringify(r.structuredContent);
    } finally {
      await client.close();
    }
  };
  try {
    const actor = await giveFeedback(app);
    assert.ok((await list(auth)).includes(`"actor":"${actor}"`));
    const open = await list({});
    assert.match(open, /oncall-alice/);
    assert.doesNotMatch(open, /key:[0-9a-f]{12}/);
  } finally {
    await app.close();
  }
});
