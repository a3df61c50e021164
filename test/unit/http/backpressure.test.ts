/**
 * Backpressure reaches HTTP callers through the one bounded batcher (real model, real listening
 * server): a caller that hangs up while its window is queued has the window dropped before the
 * model runs it, and a caller that arrives while the queue is above the high-water mark is refused
 * 503 TC_OVERLOADED with Retry-After instead of being queued.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildHttpServer } from '../../../src/adapters/http/server.ts';
import type { Predictor } from '../../../src/pipeline/ports.ts';
import { createModelServing, SMALL_SPEC } from './support/model-serving.ts';

/** Holds each model call until released; counts the windows the model actually saw. */
function gated() {
  const opens: Array<() => void> = [];
  const seen: number[] = [];
  const wrap = (p: Predictor): Predictor => ({
    get spec() {
      return p.spec;
    },
    get version() {
      return p.version;
    },
    get engine() {
      return p.engine;
    },
    get backend() {
      return p.backend;
    },
    predict: async (batch, o) => {
      seen.push(batch.batch);
      await new Promise<void>((r) => opens.push(r));
      return p.predict(batch, o);
    },
    dispose: () => p.dispose(),
  });
  return { wrap, seen, openAll: () => opens.splice(0).forEach((o) => o()), get held() {
    return opens.length;
  } };
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const window = Array.from({ length: SMALL_SPEC.window }, (_, i) => 100 + Math.sin(i / 4));
const post = (base: string, signal?: AbortSignal) =>
  fetch(`${base}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window }), signal });

async function setup(opts: { highWaterMark?: number; lowWaterMark?: number } = {}) {
  const g = gated();
  const ms = await createModelServing({ maxBatchSize: 1, maxWaitMs: 0, maxInFlightBatches: 1, wrap: g.wrap, ...opts });
  const logs: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, new Writable({ write: (c, _e, cb) => (logs.push(JSON.parse(String(c))), cb()) }));
  const app = await buildHttpServer({ serving: ms.serving, registry: new Registry(), logger, config: { host: '127.0.0.1', port: 0, rateLimit: { enabled: false }, loadShedding: { enabled: false } } });
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  return { g, ms, app, base, logs, close: async () => (await app.close(), await ms.close()) };
}

test('a client that hangs up while queued: its window is dropped and never reaches the model', async () => {
  const { g, ms, base, logs, close } = await setup();
  try {
    const first = post(base); // runs (held at the gate)
    await until('the first batch to run', () => g.held === 1);
    const ac = new AbortController();
    const second = post(base, ac.signal).catch((e: Error) => e);
    await until('the second window to be queued', () => ms.inference.queued === 1);
    ac.abort();
    assert.ok((await second) instanceof Error, 'the client side gave up');
    await until('the abandoned window to leave the queue', () => ms.inference.queued === 0);
    g.openAll();
    const r = await first;
    assert.equal(r.status, 200);
    await ms.inference.close();
    assert.deepEqual(g.seen, [1], 'the model ran only the first window');
    // A client going away is not a server failure: no error-level "request failed" (TC_INTERNAL) line for it.
    assert.deepEqual(logs.filter((l) => l.level >= 50).map((l) => l.msg), []);
    assert.ok(logs.some((l) => /client closed the connection before the answer/.test(l.msg)), 'noted at debug level');
  } finally {
    g.openAll();
    await close();
  }
});

test('above the high-water mark a caller gets 503 TC_OVERLOADED + Retry-After, not a place in the queue', async () => {
  const { g, ms, base, close } = await setup({ highWaterMark: 2, lowWaterMark: 0 });
  try {
    const pending = [post(base)];
    await until('the first batch to run', () => g.held === 1);
    // Fill the queue to the mark from the stream side (stream submits wait, never refused).
    const x = new Float32Array(SMALL_SPEC.window);
    const stream = [1, 2, 3].map(() => ms.inference.submit({ x }));
    assert.equal(ms.inference.queued, 3);
    assert.equal(ms.inference.saturated, true);
    const refused = await post(base);
    assert.equal(refused.status, 503);
    assert.match(refused.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'TC_OVERLOADED');
    while (g.held > 0 || ms.inference.queued > 0) {
      g.openAll();
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all(stream);
    assert.equal((await pending[0]).status, 200);
    assert.equal(ms.inference.saturated, false);
    const ok = post(base);
    await until('the model call', () => g.held === 1);
    g.openAll();
    assert.equal((await ok).status, 200, 'accepted again once drained');
  } finally {
    g.openAll();
    await close();
  }
});
