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

// Until 7 Dec 2026 the charset parameter was ignored: a declared Latin-1 "é" was 400 "not valid UTF-8", and Latin-1 "Ã©" was stored as "é".
test('a body declared charset=iso-8859-1 is decoded as Latin-1; another charset is 415 naming the ones read', async () => {
  const serving = servingWithFeedback();
  const { app } = await build({ apiKeys: [KEY] }, serving);
  const url = '/v1/anomalies/0000000000000001/feedback';
  const send = (charset: string, payload: Buffer) => app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': `application/json; charset=${charset}` }, payload });
  try {
    const cafe = await send('latin1', latin1('{"verdict":"confirmed","note":"caf', '"}'));
    assert.equal(cafe.statusCode, 200, cafe.body);
    assert.equal(cafe.json().feedback.note, 'café');
    // 0xc3 0xa9 is "é" in UTF-8 but two characters in Latin-1.
    const two = await send('"ISO-8859-1"', Buffer.from('{"verdict":"confirmed","note":"\u00c3\u00a9"}', 'latin1'));
    assert.equal(two.statusCode, 200, two.body);
    assert.equal(two.json().feedback.note, '\u00c3\u00a9');
    const utf8 = await send('UTF-8', Buffer.from('{"verdict":"confirmed","note":"café"}'));
    assert.equal(utf8.json().feedback.note, 'café');

    const utf16 = await send('utf-16', Buffer.from('{"verdict":"confirmed"}', 'utf16le'));
    assert.equal(utf16.statusCode, 415, utf16.body);
    const e = utf16.json().error;
    assert.equal(e.code, 'TC_HTTP_UNSUPPORTED_MEDIA_TYPE');
    assert.match(e.message, /charset "utf-16" is not supported/);
    assert.deepEqual(e.details.supportedCharsets, ['utf-8', 'us-ascii', 'iso-8859-1']);
  } finally {
    await app.close();
  }
});
