/**
 * MCP cancellation through the whole app (real model, real micro-batcher, real /mcp over a
 * socket, the SDK client): a forecast waiting in the batcher's queue is dropped when the client
 * cancels it — it never reaches the model (no batch runs), the queue is empty again and the
 * call's POST is answered -32800 at once (docs/http-api.md § Agent tools, "Cancellation").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { TickSource } from '../../src/pipeline/ports.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

test('a cancelled MCP forecast leaves the batcher queue without running; its POST answers -32800 at once', { timeout: 60_000 }, async () => {
  // A batch waits up to 20 s for company: a lone window stays queued until then (or until cancelled).
  const app = await startTestApp({ batching: { maxWaitMs: 20_000, maxBatchSize: 64 } }, { source: idleSource });
  const metric = async (name: string) => (await app.metrics.registry.getSingleMetricAsString(name)).split('\n').filter((l) => l.startsWith(name) && !l.includes('_bucket'));
  const url = new URL('/mcp', app.address()!);
  const client = new Client({ name: 'agent', version: '1' });
  try {
    await client.connect(new StreamableHTTPClientTransport(url));
    const batchesBefore = await metric('tickcast_batch_size');
    const ac = new AbortController();
    const window = Array.from({ length: TEST_WINDOW }, (_, i) => 10 + Math.sin(i));
    const sdkCall = client.callTool({ name: 'forecast', arguments: { window } }, undefined, { signal: ac.signal }).catch((e: Error) => e);
    while (!(await metric('tickcast_inference_queue')).includes('tickcast_inference_queue 1')) await new Promise((r) => setTimeout(r, 10));
    ac.abort('user stopped');
    assert.ok((await sdkCall) instanceof Error);
    const deadline = Date.now() + 5_000;
    while ((await metric('tickcast_inference_queue')).includes('tickcast_inference_queue 1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(await metric('tickcast_inference_queue'), ['tickcast_inference_queue 0'], 'the window left the queue');

    // The same over hand-written JSON-RPC: the call's own POST is answered -32800 once the cancellation lands.
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: JSON.stringify(body) });
    const t0 = Date.now();
    const raw = post({ jsonrpc: '2.0', id: 'c1', method: 'tools/call', params: { name: 'forecast', arguments: { window } } });
    while (!(await metric('tickcast_inference_queue')).includes('tickcast_inference_queue 1')) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await post({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'c1' } })).status, 202);
    const answer = await (await raw).json();
    assert.equal(answer.error.code, -32800);
    assert.ok(Date.now() - t0 < 10_000, 'answered on cancellation, not when the 20 s batch wait ended');
    assert.deepEqual(await metric('tickcast_batch_size'), batchesBefore, 'no batch ran: the model never saw either window');
  } finally {
    await client.close();
    await app.stop();
  }
});
