/**
 * Every POST/DELETE route called as `curl -X POST -H 'content-type: application/json' -d ''` does:
 * a route whose body is optional (rollback; DELETE feedback has none) takes the empty body as no
 * body; a route that needs one answers 400 saying that it needs one (docs/http-api.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { build, KEY } from './support/build.ts';

const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };

test('an empty JSON body: accepted where the body is optional, a 400 that says a body is needed elsewhere', async () => {
  const { app, serving } = await build({ apiKeys: [KEY] });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    for (const body of ['', ' \n', undefined]) {
      serving.version = 'trend-v2';
      const rollback = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers, body });
      assert.equal(rollback.status, 200, `rollback with body ${JSON.stringify(body)}: ${await rollback.clone().text()}`);
      assert.equal((await rollback.json()).version, 'trend-v1', 'rolled back to the previous version');
    }

    // `curl -X POST -d ''` sends Content-Type application/x-www-form-urlencoded: an empty body has no media type to refuse.
    for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
      serving.version = 'trend-v2';
      const res = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers: { ...headers, 'content-type': type }, body: '' });
      assert.equal(res.status, 200, `${type}: ${await res.clone().text()}`);
      const full = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers: { ...headers, 'content-type': type }, body: 'version=v1' });
      assert.equal(full.status, 415, `${type} with a body is still not JSON`);
    }

    // DELETE has no body: it reaches the handler (feedback is off on this server: its 404).
    const del = await fetch(`${base}/v1/anomalies/0123456789abcdef/feedback`, { method: 'DELETE', headers, body: '' });
    assert.equal(del.status, 404, await del.clone().text());
    assert.match((await del.json()).error.message, /alert feedback is off/);

    for (const url of ['/v1/predict', '/v1/anomalies/0123456789abcdef/feedback', '/mcp']) {
      const res = await fetch(`${base}${url}`, { method: 'POST', headers: { ...headers, accept: 'application/json, text/event-stream' }, body: '' });
      assert.equal(res.status, 400, url);
      const e = (await res.json()).error;
      assert.equal(e.code, 'TC_HTTP_BAD_REQUEST', url);
      assert.match(e.message, /needs a JSON body/, url);
      assert.doesNotMatch(e.hint, /drop the Content-Type/, `${url}: dropping the header does not help a route that needs a body`);
    }
    // A body that is there but not JSON is still refused on the optional-body route.
    const junk = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers, body: 'v1' });
    assert.equal(junk.status, 400);
    assert.match((await junk.json()).error.message, /not valid JSON/);
    const proto = await fetch(`${base}/v1/model/rollback`, { method: 'POST', headers, body: '{"__proto__":{"pin":true}}' });
    assert.equal(proto.status, 400);
  } finally {
    await app.close();
  }
});

/** One request over a raw socket (fetch cannot send `Content-Length: 00` or an empty chunked body); the status and the error body. */
async function rawPost(base: string, path: string, headers: string, body = ''): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  const request = `POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nConnection: close\r\n${headers}\r\n${body}`;
  const out = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.end(request));
    let text = '';
    socket.on('data', (d) => (text += String(d)));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(out)?.[1]), body: out.slice(out.indexOf('\r\n\r\n') + 4) };
}

// Until 7 Dec 2026 an empty chunked body counted as a body for Content-Encoding (415) and on rollback for
// a form or missing Content-Type (415), where `Content-Length: 0` did not; `Content-Length: 00` was a body too.
test('no body is no body however it is framed: Content-Length 0 or 00, or a chunked body with no chunk, on every route', async () => {
  const { app, serving } = await build({ apiKeys: [KEY] });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const framings = { 'Content-Length: 0': 'Content-Length: 0\r\n', 'Content-Length: 00': 'Content-Length: 00\r\n', chunked: 'Transfer-Encoding: chunked\r\n' };
  const empty = (framing: string) => (framing.startsWith('Transfer') ? '0\r\n\r\n' : '');
  try {
    const types = ['', 'Content-Type: application/json\r\n', 'Content-Type: application/x-www-form-urlencoded\r\n'];
    for (const encoding of ['', 'Content-Encoding: gzip\r\n']) {
      for (const type of types) {
        const answers = new Map<string, string>();
        for (const [name, framing] of Object.entries(framings)) {
          serving.version = 'trend-v2';
          const rollback = await rawPost(base, '/v1/model/rollback', encoding + type + framing, empty(framing));
          assert.equal(rollback.status, 200, `rollback, ${encoding}${type}${name}: ${rollback.body}`);
          const predict = await rawPost(base, '/v1/predict', encoding + type + framing, empty(framing));
          answers.set(name, `${predict.status} ${JSON.parse(predict.body).error.message}`);
        }
        assert.equal(new Set(answers.values()).size, 1, `predict answers an empty body alike however framed (${encoding}${type}): ${JSON.stringify([...answers])}`);
        assert.doesNotMatch([...answers.values()][0]!, /Content-Encoding/, 'no body, nothing encoded');
      }
    }
    // A body that is there is still read, and still refused when compressed, chunked or not.
    const chunked = (s: string) => `${s.length.toString(16)}\r\n${s}\r\n0\r\n\r\n`;
    const window = JSON.stringify({ window: [1, 2, 3, 4] });
    const json = 'Content-Type: application/json\r\n';
    assert.equal((await rawPost(base, '/v1/predict', `${json}Transfer-Encoding: chunked\r\n`, chunked(window))).status, 200);
    const gz = await rawPost(base, '/v1/predict', `${json}Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n`, chunked('\x1f\x8b'));
    assert.equal(gz.status, 415);
    assert.match(JSON.parse(gz.body).error.message, /Content-Encoding "gzip" is not accepted/);
    const form = await rawPost(base, '/v1/model/rollback', 'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n', chunked('version=v1'));
    assert.equal(form.status, 415, 'a form body that is there is not JSON');
  } finally {
    await app.close();
  }
});
