/**
 * A 413 names the body limit and the size sent; a 415 names the Content-Type sent (or its absence).
 * Until 7 Dec 2026 they said "request body is larger than this server accepts" and "unsupported
 * Content-Type", on the REST routes and on /mcp alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build } from './support/build.ts';

const MCP_ACCEPT = 'application/json, text/event-stream';

test('413 names the limit in bytes and the size sent, on REST and /mcp', async () => {
  const { app } = await build({ bodyLimitBytes: 4096 });
  try {
    const payload = JSON.stringify({ window: Array.from({ length: 2000 }, () => 1.25) });
    const rest = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(rest.statusCode, 413);
    const e = rest.json().error;
    assert.equal(e.code, 'TC_HTTP_PAYLOAD_TOO_LARGE');
    assert.match(e.message, new RegExp(`at most 4096 bytes \\(4 KiB\\); this one is ${Buffer.byteLength(payload)} bytes`));
    assert.deepEqual(e.details, { limitBytes: 4096, sentBytes: Buffer.byteLength(payload) });
    assert.deepEqual(Object.keys(e), ['code', 'message', 'hint', 'details', 'retriable']);

    const rpc = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'forecast', arguments: { window: Array.from({ length: 2000 }, () => 1.25) } } });
    const mcp = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', accept: MCP_ACCEPT }, payload: rpc });
    assert.equal(mcp.statusCode, 413);
    assert.equal(mcp.json().error.details.limitBytes, 4096);
  } finally {
    await app.close();
  }
});

test('415 names the Content-Type sent, a +json type, or that there was none', async () => {
  const { app } = await build();
  try {
    const body = JSON.stringify({ window: [1, 2, 3, 4] });
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'content-type': 'text/plain' }, /^Content-Type "text\/plain" is not accepted; this route takes application\/json$/],
      [{ 'content-type': 'application/vnd.api+json' }, /"application\/vnd\.api\+json" is not accepted \(a \+json media type is not read as plain JSON here\)/],
      [{}, /^the request has a body but no Content-Type$/],
    ];
    for (const [headers, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/v1/predict', headers, payload: body });
      assert.equal(res.statusCode, 415, JSON.stringify(headers));
      assert.equal(res.json().error.code, 'TC_HTTP_UNSUPPORTED_MEDIA_TYPE');
      assert.match(res.json().error.message, message);
      assert.match(res.json().error.hint, /Content-Type: application\/json/);
    }
    // charset=utf-8, in any case, is JSON still (other charsets: body-utf8.test.ts).
    const charset = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'Application/JSON; Charset=UTF-8' }, payload: body });
    assert.equal(charset.statusCode, 200);
  } finally {
    await app.close();
  }
});
