/**
 * The OpenAPI document (/docs/json) against what the server answers: every route that reads a body
 * lists 413 and 415, which it does answer (until 7 Dec 2026 none did); the probes need no key and
 * reads need one only with requireAuthForReads (until then the document's default, a required
 * bearer key, covered /healthz and every read on a server that answers them without one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, KEY } from './support/build.ts';

type Op = { requestBody?: unknown; responses?: Record<string, unknown>; security?: unknown };
type Spec = { paths: Record<string, Record<string, Op>>; security?: unknown };

async function spec(config = {}): Promise<Spec> {
  const { app } = await build(config);
  try {
    return (await app.inject({ url: '/docs/json' })).json() as Spec;
  } finally {
    await app.close();
  }
}

/** The security requirements that apply to an operation (its own, else the document's). */
const securityOf = (doc: Spec, op: Op) => op.security ?? doc.security;

test('every route with a request body documents the 413 and 415 it answers', async () => {
  const doc = await spec({ bodyLimitBytes: 64 });
  const withBody = Object.entries(doc.paths).flatMap(([p, ops]) => Object.entries(ops).filter(([, op]) => op.requestBody !== undefined).map(([m, op]) => [`${m} ${p}`, op] as const));
  assert.deepEqual(withBody.map(([name]) => name).sort(), ['post /v1/anomalies/{id}/feedback', 'post /v1/model/rollback', 'post /v1/predict']);
  for (const [name, op] of withBody) {
    for (const status of ['413', '415']) assert.ok(op.responses?.[status] !== undefined, `${name} lists ${status}`);
  }
  // And the server does answer them there.
  const { app } = await build({ bodyLimitBytes: 64, apiKeys: [KEY] });
  try {
    const auth = { authorization: `Bearer ${KEY}` };
    for (const url of ['/v1/predict', '/v1/model/rollback', '/v1/anomalies/a1/feedback']) {
      const big = await app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ note: 'x'.repeat(100) }) });
      assert.equal(big.statusCode, 413, url);
      const text = await app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'text/plain' }, payload: 'x' });
      assert.equal(text.statusCode, 415, url);
    }
  } finally {
    await app.close();
  }
});

test('the document says which routes need a key: probes none, reads only with requireAuthForReads, mutations always', async () => {
  const open = await spec();
  assert.deepEqual(securityOf(open, open.paths['/healthz'].get), []);
  assert.deepEqual(securityOf(open, open.paths['/readyz'].get), []);
  assert.deepEqual(securityOf(open, open.paths['/v1/series'].get), [], 'no keys: a read takes none (a key sent is refused)');
  assert.deepEqual(securityOf(open, open.paths['/v1/model/rollback'].post), [{ bearer: [] }]);

  const keyed = await spec({ apiKeys: [KEY] });
  assert.deepEqual(securityOf(keyed, keyed.paths['/v1/series'].get), [{ bearer: [] }, {}], 'a read without a key is answered, and with a valid one');

  const closed = await spec({ apiKeys: [KEY], requireAuthForReads: true });
  assert.deepEqual(securityOf(closed, closed.paths['/v1/series'].get), [{ bearer: [] }]);
  assert.deepEqual(securityOf(closed, closed.paths['/healthz'].get), []);
});

test('with allowUnauthenticatedMutations and no keys, the document says a mutation is answered without a key (as the server does)', async () => {
  const doc = await spec({ allowUnauthenticatedMutations: true });
  assert.deepEqual(securityOf(doc, doc.paths['/v1/model/rollback'].post), []);
  assert.deepEqual(securityOf(doc, doc.paths['/v1/anomalies/{id}/feedback'].post), []);
  // What the document describes: the same-site call without a key is not refused for want of one.
  const { app } = await build({ allowUnauthenticatedMutations: true });
  try {
    const r = await app.inject({ method: 'POST', url: '/v1/model/rollback', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.notEqual(r.statusCode, 401, r.body);
  } finally {
    await app.close();
  }
  // With a key configured the flag opens nothing: a mutation needs the key.
  const keyed = await spec({ allowUnauthenticatedMutations: true, apiKeys: [KEY] });
  assert.deepEqual(securityOf(keyed, keyed.paths['/v1/model/rollback'].post), [{ bearer: [] }]);
});

// Until 7 Dec 2026 a server with no keys listed its reads (and, with allowUnauthenticatedMutations,
// its mutations) as a key or none, yet refused any key sent with 401 "the API key is not valid".
test('a server with no keys: the document lists no key for what it answers without one, and a key sent is refused saying why', async () => {
  const { app } = await build({ allowUnauthenticatedMutations: true });
  try {
    const doc = (await app.inject({ url: '/docs/json' })).json() as Spec;
    for (const [path, method] of [['/v1/series', 'get'], ['/v1/model/rollback', 'post']] as const) {
      assert.deepEqual(securityOf(doc, doc.paths[path][method]), [], `${method} ${path}`);
      const r = await app.inject({ method: method === 'get' ? 'GET' : 'POST', url: path, headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, payload: method === 'get' ? undefined : '{}' });
      assert.equal(r.statusCode, 401, path);
      assert.equal(r.json().error.message, 'this server has no API keys configured, so no key is valid');
      assert.match(r.json().error.hint, /send the request without an Authorization header/);
      const none = await app.inject({ method: method === 'get' ? 'GET' : 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: method === 'get' ? undefined : '{}' });
      assert.notEqual(none.statusCode, 401, `${path} without a key`);
    }
  } finally {
    await app.close();
  }
  // A keys file re-read may bring a key later: there a key or none stays documented.
  const dir = await mkdtemp(join(tmpdir(), 'tickcast-keys-'));
  try {
    await writeFile(join(dir, 'keys'), '');
    const filed = await spec({ apiKeysFile: join(dir, 'keys'), apiKeysReloadMs: 60_000 });
    assert.deepEqual(securityOf(filed, filed.paths['/v1/series'].get), [{ bearer: [] }, {}]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
