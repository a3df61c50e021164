/**
 * JSON bodies are UTF-8 (RFC 8259): a body with a malformed byte inside a string is refused with
 * the offset of that byte, on every route that takes a JSON body, instead of being taken with
 * U+FFFD in its place (a Latin-1 feedback note was stored as "caf\uFFFD").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { build, KEY } from './support/build.ts';
import { servingWithFeedback } from './support/feedback-serving.ts';

const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
const latin1 = (before: string, after: string) => Buffer.concat([Buffer.from(before), Buffer.from([0xe9]), Buffer.from(after)]);

test('a body that is not UTF-8 is a 400 naming the offset of the first bad byte, on every JSON route', async () => {
  const serving = servingWithFeedback();
  const { app } = await build({ apiKeys: [KEY] }, serving);
  try {
    const head = '{"verdict":"confirmed","note":"caf';
    const fb = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000001/feedback', headers, payload: latin1(head, '"}') });
    assert.equal(fb.statusCode, 400, fb.body);
    const e = fb.json().error;
    assert.equal(e.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(e.message, new RegExp(`not valid UTF-8 \\(byte 0xe9 at offset ${head.length}\\)`));
    assert.match(e.hint, /UTF-8/);
    assert.deepEqual(serving.feedback.list({ limit: 10 }), [], 'nothing stored');

    const pre = '{"window":[1,2,3,4,5,6,7,8],"horizon":2,"series":"';
    const predict = await app.inject({ method: 'POST', url: '/v1/predict', headers, payload: latin1(pre, '"}') });
    assert.equal(predict.statusCode, 400, predict.body);
    assert.match(predict.json().error.message, new RegExp(`offset ${pre.length}\\)`));

    // MCP: JSON-RPC's parse error, as for a body that is not JSON, with the offset.
    const rpc = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_series","arguments":{"prefix":"';
    const mcp = await app.inject({ method: 'POST', url: '/mcp', headers, payload: latin1(rpc, '"}}}') });
    assert.equal(mcp.statusCode, 400, mcp.body);
    assert.equal(mcp.json().error.code, -32700);
    assert.match(mcp.json().error.message, new RegExp(`not valid UTF-8 \\(byte 0xe9 at offset ${rpc.length}\\)`));

    // UTF-8 text is taken as sent.
    const ok = await app.inject({ method: 'POST', url: '/v1/anomalies/0000000000000001/feedback', headers, payload: Buffer.from('{"verdict":"confirmed","note":"café"}') });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().feedback.note, 'café');
  } finally {
    await app.close();
  }
});
