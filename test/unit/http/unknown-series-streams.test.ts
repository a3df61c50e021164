/**
 * The routes that take a series id as a filter, for an id this instance does not track. Until 7 Dec
 * 2026 GET /v1/events?series= (a silent stream), GET /v1/feedback?series= and the list_alert_feedback
 * tool (an empty list) told a misspelt id from a quiet series in no way, where a forecast, GET
 * /v1/series/{id} and recent_anomalies say "did you mean". Decided per route (docs/http-api.md):
 * the stream stays 200 (a dashboard may subscribe before a series' first tick) and says so in a
 * comment; GET /v1/feedback stays 200 with `seriesTracked`, as GET /v1/anomalies; the tool is
 * TC_SERIES_NOT_FOUND with its suggestions, as recent_anomalies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { build, KEY } from './support/build.ts';
import { servingWithFeedback } from './support/feedback-serving.ts';

/** The stream's text up to its first blank line after the preamble (the comments before any event). */
async function preamble(url: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let text = '';
  while (!/\n\n/.test(text.slice(text.indexOf(': connected')))) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  controller.abort();
  return text;
}

test('GET /v1/events?series= of an untracked id: 200, and a comment that says so with the tracked ids close to it', async () => {
  const { app } = await build({ apiKeys: [KEY] }, servingWithFeedback());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    const misspelt = await preamble(`${base}/v1/events?series=web-2`);
    assert.match(misspelt, /^: series not tracked \(yet\): its events start with its first tick .*; did you mean "web-1"\?$/m, misspelt);
    assert.match(await preamble(`${base}/v1/events?series=zzz-unrelated`), /^: series not tracked \(yet\): [^\n]*GET \/v1\/series lists them\)$/m);
    for (const url of [`${base}/v1/events?series=web-1`, `${base}/v1/events`]) assert.doesNotMatch(await preamble(url), /not tracked/, url);
  } finally {
    await app.close();
  }
});

test('GET /v1/feedback?series= says seriesTracked; list_alert_feedback of an untracked id without feedback is TC_SERIES_NOT_FOUND with did-you-mean', async () => {
  const { app } = await build({ apiKeys: [KEY] }, servingWithFeedback());
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const client = new Client({ name: 't', version: '0' });
  const auth = { authorization: `Bearer ${KEY}` };
  try {
    const given = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000001/feedback', headers: auth, payload: { verdict: 'confirmed' } });
    assert.equal(given.statusCode, 200, given.body);
    const tracked = (await app.inject({ url: '/v1/feedback?series=web-1' })).json();
    assert.equal(tracked.items.length, 1);
    assert.equal(tracked.seriesTracked, true);
    assert.deepEqual((await app.inject({ url: '/v1/feedback?series=web-2' })).json(), { items: [], seriesTracked: false });
    assert.deepEqual(Object.keys((await app.inject({ url: '/v1/feedback' })).json()), ['items']);

    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    const unknown = await client.callTool({ name: 'list_alert_feedback', arguments: { series: 'web-2' } });
    assert.equal(unknown.isError, true, JSON.stringify(unknown));
    const error = JSON.parse((unknown.content as { text: string }[])[0].text).error;
    assert.equal(error.code, 'TC_SERIES_NOT_FOUND');
    assert.deepEqual(error.details.didYouMean, ['web-1']);
    const known = await client.callTool({ name: 'list_alert_feedback', arguments: { series: 'web-1' } });
    assert.equal(known.isError, undefined, JSON.stringify(known));
    assert.equal((known.structuredContent as { items: unknown[] }).items.length, 1);
  } finally {
    await client.close();
    await app.close();
  }
});
