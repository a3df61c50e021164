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
import { isDeepStrictEqual } from 'node:util';
import { Ajv } from 'ajv';
import { build, KEY } from './support/build.ts';
import { forecastArrives } from './support/in-handler.ts';
import { closeBegun, halfSent } from './support/half-sent.ts';

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

type Operation = { method: string; path: string; url: string; op: Op };

/** Every operation of the document that is not open (a probe): each answers the refusals below before its handler runs. */
function guardedOperations(doc: Spec): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => !isDeepStrictEqual(securityOf(doc, op), []))
      .map(([method, op]) => ({ method: method.toUpperCase(), path, url: path.replace(/\{[^}]+\}/g, 'x'), op })),
  );
}

/** Assert the answer's status is `want` and that the operation's document lists it, with the Retry-After header where the answer sends one. */
function documented(o: Operation, status: number, want: number, body: string, retryAfter?: string): void {
  assert.equal(status, want, `${o.method} ${o.path}: ${body.slice(0, 200)}`);
  const listed = o.op.responses?.[String(status)] as { headers?: Record<string, { schema?: { type?: string } }> } | undefined;
  assert.ok(listed !== undefined, `${o.method} ${o.path} answers ${status} but its responses list only ${Object.keys(o.op.responses ?? {}).join(', ')}`);
  if (retryAfter === undefined) return;
  assert.match(retryAfter, /^\d+$/, `${o.method} ${o.path}: ${status} sends Retry-After in seconds`);
  assert.equal(listed.headers?.['Retry-After']?.schema?.type, 'integer', `${o.method} ${o.path} answers ${status} with Retry-After: ${retryAfter}, which its document does not list`);
}

/** The Retry-After header of a raw HTTP/1.1 answer. */
const rawRetryAfter = (answer: string) => /\r\nretry-after: *([^\r]*)\r\n/i.exec(answer)?.[1];

// Until 7 Dec 2026 /metrics, /v1/tools and /v1/events listed only a 200 (each answers all of these).
test('every guarded route documents what it answers before its handler: 400, 401, 403 (allowedHosts), 429, 503 (closing)', async () => {
  const { app } = await build({ apiKeys: [KEY], allowedHosts: ['api.example'], rateLimit: { burst: 1, perKeyPerSecond: 0.001 } });
  try {
    const doc = (await app.inject({ url: '/docs/json' })).json() as Spec;
    const ops = guardedOperations(doc);
    assert.ok(ops.some((o) => o.path === '/metrics') && ops.some((o) => o.path === '/v1/events') && ops.some((o) => o.path === '/v1/tools'));
    // One token a client (its IP: a key that is not valid is no client): the second request is the 429.
    for (const [i, o] of ops.entries()) {
      const send = (headers: Record<string, string>, remoteAddress = `10.0.0.${i + 1}`) =>
        app.inject({ method: o.method as 'GET', url: o.url, remoteAddress, headers: { 'content-type': 'application/json', ...headers }, payload: o.method === 'GET' ? undefined : '{}' });
      const bad = await send({ authorization: 'Bearer not-the-key' });
      documented(o, bad.statusCode, 401, bad.body);
      const limited = await send({ authorization: 'Bearer not-the-key' });
      // Until 7 Dec 2026 the 429's Retry-After (and the 503's) was in no operation's document.
      documented(o, limited.statusCode, 429, limited.body, String(limited.headers['retry-after']));
      const host = await send({ host: 'rebound.attacker.example' }, `10.0.1.${i + 1}`);
      documented(o, host.statusCode, 403, host.body);
    }
  } finally {
    await app.close();
  }

  const served = await build({ apiKeys: [KEY] });
  const ops = guardedOperations((await served.app.inject({ url: '/docs/json' })).json() as Spec);
  for (const o of ops) {
    const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const latin1 = await served.app.inject({ method: o.method as 'GET', url: `${o.url}?q=caf%E9`, headers: auth, payload: o.method === 'GET' ? undefined : '{}' });
    documented(o, latin1.statusCode, 400, latin1.body);
  }
  served.serving.delayMs = 200;
  const inHandler = forecastArrives(served.serving);
  const base = await served.app.listen({ host: '127.0.0.1', port: 0 });
  const inflight = fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` }, body: '{"window":[1,2,3,4,5]}' });
  const pending = await Promise.all(
    ops.map((o) => halfSent(Number(new URL(base).port), `${o.method} ${o.url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${KEY}\r\n${o.method === 'GET' ? '' : 'Content-Type: application/json\r\nContent-Length: 2\r\n'}`)),
  );
  await inHandler;
  const closing = served.app.close();
  await closeBegun(served.app);
  ops.forEach((o, i) => pending[i].sock.write(o.method === 'GET' ? '\r\n' : '\r\n{}'));
  const answers = await Promise.all(pending.map((p) => p.answer));
  assert.equal((await inflight).status, 200);
  await closing;
  ops.forEach((o, i) => documented(o, Number(/^HTTP\/1\.1 (\d{3}) /.exec(answers[i])?.[1]), 503, answers[i], rawRetryAfter(answers[i]) ?? 'none'));
});

// Until 7 Dec 2026 the document said "exactly one of window or series" in prose only: a client
// generated from it typed {} (and both) as a valid body, and the server answered 400.
test('POST /v1/predict: the documented body refuses what the server refuses (neither or both of window and series)', async () => {
  const { app } = await build();
  try {
    const doc = (await app.inject({ url: '/docs/json' })).json() as Spec & { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: object }> } }>> };
    const valid = new Ajv({ strict: false }).compile(doc.paths['/v1/predict'].post.requestBody!.content['application/json'].schema);
    for (const [body, fits] of [[{}, false], [{ window: [1, 2, 3, 4], series: 'A' }, false], [{ horizon: 2 }, false], [{ window: [1, 2, 3, 4] }, true], [{ series: 'A', horizon: 2 }, true]] as const) {
      assert.equal(valid(body), fits, `the document ${fits ? 'refuses' : 'accepts'} ${JSON.stringify(body)}`);
      const r = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
      if (!fits) assert.equal(r.statusCode, 400, JSON.stringify(body));
      else assert.notEqual(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
    }
    // Generators type a oneOf from its branches (openapi-typescript 7.13 wrote the body as
    // `{window?, series?, horizon?, explain?} & (unknown | unknown)` for branches that held only
    // `required`, so `{}` still type-checked): each branch is a whole object with the fields it takes.
    const body = doc.paths['/v1/predict'].post.requestBody!.content['application/json'].schema as { properties?: object; oneOf?: Array<{ type?: string; required?: string[]; properties?: Record<string, unknown> }> };
    assert.equal(body.properties, undefined, 'the fields are in the branches, not beside them');
    assert.deepEqual(body.oneOf?.map((b) => [b.type, b.required, Object.keys(b.properties ?? {}).sort()]),
      [['object', ['window'], ['explain', 'horizon', 'window']], ['object', ['series'], ['explain', 'horizon', 'series']]]);
    // Validation is not the document's: neither still gets its one sentence.
    const neither = await app.inject({ method: 'POST', url: '/v1/predict', headers: { 'content-type': 'application/json' }, payload: '{}' });
    assert.match(neither.json().error.message, /the body needs "window" \(your values\) or "series"/);
  } finally {
    await app.close();
  }
});

// Until 7 Dec 2026 every body was marked required (fastify-swagger's default), rollback's too,
// which the server answers without one; a generated client had to send one.
test('a body the server does without (rollback) is not marked required; the others are', async () => {
  const doc = (await spec()) as Spec & { paths: Record<string, Record<string, { requestBody?: { required?: boolean } }>> };
  assert.equal(doc.paths['/v1/model/rollback'].post.requestBody?.required, false);
  assert.equal(doc.paths['/v1/predict'].post.requestBody?.required, true);
  assert.equal(doc.paths['/v1/anomalies/{id}/feedback'].post.requestBody?.required, true);
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const none = await app.inject({ method: 'POST', url: '/v1/model/rollback', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(none.statusCode, 200, none.body);
    const predict = await app.inject({ method: 'POST', url: '/v1/predict', headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(predict.statusCode, 400, predict.body);
  } finally {
    await app.close();
  }
});

// Until 7 Dec 2026 no operation had one: each client generator named the methods from the paths.
test('every operation has an operationId, unique, for the method names of a generated client', async () => {
  const doc = (await spec({ apiKeys: [KEY] })) as Spec & { paths: Record<string, Record<string, { operationId?: string }>> };
  const ops = Object.entries(doc.paths).flatMap(([p, o]) => Object.entries(o).map(([m, op]) => [`${m} ${p}`, op.operationId] as const));
  assert.deepEqual(ops.filter(([, id]) => id === undefined).map(([name]) => name), [], 'operations without an operationId (name them in OPERATION_IDS, src/adapters/http/openapi-transforms.ts)');
  const ids = ops.map(([, id]) => id);
  assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.join(', ')}`);
  assert.equal(doc.paths['/v1/predict'].post.operationId, 'forecast');
  assert.equal(doc.paths['/v1/series/{id}'].get.operationId, 'getSeries');
});

// Until 7 Dec 2026 the probes listed only 200 and 503, yet the query check (query-utf8.ts) runs on
// every route and answers them 400: a generated client had no type for it.
test('the probes document the 400 they answer to a query that is not UTF-8', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const doc = (await app.inject({ url: '/docs/json' })).json() as Spec;
    for (const path of ['/healthz', '/readyz']) {
      const r = await app.inject({ url: `${path}?probe=caf%E9` });
      documented({ method: 'GET', path, url: path, op: doc.paths[path].get }, r.statusCode, 400, r.body);
    }
  } finally {
    await app.close();
  }
});

// Until 7 Dec 2026 every guarded operation listed 429 on a server built with rateLimit.enabled false,
// which never answers it: a generated client carried a retry path (and Retry-After type) for nothing.
test('429 is listed only where the server can answer it: with the rate limit on, and on /v1/events (its stream cap) always', async () => {
  const off = await build({ apiKeys: [KEY], rateLimit: { enabled: false, burst: 1, perKeyPerSecond: 0.001 } });
  try {
    const ops = guardedOperations((await off.app.inject({ url: '/docs/json' })).json() as Spec);
    const listing = ops.filter((o) => o.op.responses?.['429'] !== undefined).map((o) => `${o.method} ${o.path}`);
    assert.deepEqual(listing, ['GET /v1/events']);
    // And the server answers none: burst 1, yet the third request from one client is not refused.
    for (const o of ops.filter((x) => x.path !== '/v1/events')) {
      for (let i = 0; i < 3; i++) {
        const r = await off.app.inject({ method: o.method as 'GET', url: o.url, remoteAddress: '10.0.2.1', headers: { 'content-type': 'application/json' }, payload: o.method === 'GET' ? undefined : '{}' });
        assert.notEqual(r.statusCode, 429, `${o.method} ${o.path}`);
      }
    }
  } finally {
    await off.app.close();
  }
  const on = guardedOperations(await spec({ apiKeys: [KEY] }));
  assert.ok(on.length > 1);
  for (const o of on) assert.ok(o.op.responses?.['429'] !== undefined, `${o.method} ${o.path} lists 429 with the rate limit on`);
});

// Until 7 Dec 2026 HEAD and OPTIONS were answered on every path but the document said nothing of them.
test('the document says that GET operations answer HEAD and listed paths OPTIONS, and they do', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const doc = (await app.inject({ url: '/docs/json' })).json() as Spec & { info: { description: string } };
    assert.match(doc.info.description, /every GET operation also answers HEAD/);
    assert.match(doc.info.description, /every path listed here answers OPTIONS with 204 and an `Allow` header/);
    const headers = { authorization: `Bearer ${KEY}` };
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path.includes('{')) continue;
      const options = await app.inject({ method: 'OPTIONS', url: path, headers });
      assert.equal(options.statusCode, 204, `OPTIONS ${path}`);
      const allow = String(options.headers.allow).split(', ');
      for (const m of Object.keys(ops)) assert.ok(allow.includes(m.toUpperCase()), `OPTIONS ${path}: Allow ${allow.join(', ')} lacks ${m}`);
      if (ops.get === undefined || path === '/v1/events') continue;
      const [get, head] = [await app.inject({ url: path, headers }), await app.inject({ method: 'HEAD', url: path, headers })];
      assert.equal(head.statusCode, get.statusCode, `HEAD ${path}`);
      assert.equal(head.headers['content-type'], get.headers['content-type'], `HEAD ${path}`);
      assert.equal(head.body, '', `HEAD ${path}`);
    }
  } finally {
    await app.close();
  }
});

// Until the review of 7 Dec 2026 the document listed no 414, which a path parameter over 3,072 bytes is (the router's maxParamLength).
test('every route with a path parameter documents the 414 it answers to one too long, and answers it', async () => {
  const { app } = await build({ apiKeys: [KEY] });
  try {
    const doc = (await app.inject({ url: '/docs/json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };
    const withParams = Object.entries(doc.paths).filter(([path]) => path.includes('{'));
    assert.ok(withParams.length >= 2, 'series detail and alert feedback');
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) assert.equal('414' in op.responses, path.includes('{'), `${method} ${path}`);
    }
    const long = await app.inject({ url: `/v1/series/${'a'.repeat(4000)}` });
    assert.equal(long.statusCode, 414);
    assert.equal(long.json().error.code, 'TC_HTTP_URI_TOO_LONG');
  } finally {
    await app.close();
  }
});
