/**
 * ONNX serving threads (src/model/onnx/onnx-pool.ts): the same forecasts as the in-process
 * predictor, concurrent calls answered correctly, coded errors from the thread, a dead thread
 * failing only its own calls, dispose waiting for calls in flight, the engine choosing the pool
 * when `onnxWorkers` is set, a start-up failure that is coded and falls back, and a hung thread
 * replaced (a stand-in thread, ./hanging-thread.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Worker } from 'node:worker_threads';
import type { ModelSpec } from '../../../src/domain/types.ts';
import { TickcastError } from '../../../src/errors/index.ts';
import { resolveHybridConfig } from '../../../src/model/config.ts';
import { createInferenceEngine } from '../../../src/model/onnx/engine.ts';
import { exportOnnx } from '../../../src/model/onnx/export-hybrid.ts';
import { OnnxPoolPredictor } from '../../../src/model/onnx/onnx-pool.ts';
import { OnnxPredictor } from '../../../src/model/onnx/onnx-predictor.ts';
import { randomWeights, sineWindows } from './fixtures.ts';

const config = resolveHybridConfig({ dModel: 8, transformer: { layers: 1, heads: 2 } });
const spec: ModelSpec = { window: 12, features: ['a', 'b'], targets: ['b'], horizon: 3, quantiles: [0.1, 0.5, 0.9] };
const weights = randomWeights(config, spec, 5);
const bytes = exportOnnx(weights, config, spec, { version: 'p1' });

test('the pool forecasts exactly what the in-process predictor does, attention included, under concurrent calls', async () => {
  const busy: number[] = [];
  const threads: number[] = [];
  const pool = await OnnxPoolPredictor.create(bytes, { spec, version: 'p1', threads: 2, onBusy: (s) => busy.push(s), onThreads: (n) => threads.push(n) });
  const local = await OnnxPredictor.fromBytes(bytes, { spec, version: 'p1', intraOpThreads: 1 });
  try {
    assert.equal(pool.engine, 'onnx');
    assert.equal(pool.liveThreads, 2);
    assert.deepEqual(threads, [2], 'the live thread count is reported once the pool is up');
    const xs = [1, 2, 3, 4, 5, 6].map((seed) => sineWindows(40 + seed, 12, 2, seed));
    const [fromPool, fromLocal] = await Promise.all([
      Promise.all(xs.map((x) => pool.predict({ x, batch: x.length / 24 }, { attention: true }))),
      Promise.all(xs.map((x) => local.predict({ x, batch: x.length / 24 }, { attention: true }))),
    ]);
    for (let i = 0; i < xs.length; i++) {
      assert.deepEqual(fromPool[i].y, fromLocal[i].y, `call ${i}: forecasts`);
      assert.deepEqual(fromPool[i].attention, fromLocal[i].attention, `call ${i}: attention`);
    }
    const x = sineWindows(3, 12, 2, 9);
    const before = x.slice();
    await pool.predict({ x, batch: 3 });
    assert.deepEqual(x, before, "the caller's buffer is left as it was (a copy is transferred)");
    assert.equal(busy.length, xs.length + 1, 'busy time reported for every call answered');
    assert.ok(busy.every((s) => s >= 0 && s < 5) && busy.reduce((a, b) => a + b, 0) > 0, `seconds the threads were busy, reported with each answer: ${busy.join(', ')}`);
  } finally {
    await Promise.all([pool.dispose(), local.dispose()]);
  }
});

test('a bad batch gets the coded 400 error from the thread, and the pool goes on serving', async () => {
  const pool = await OnnxPoolPredictor.create(bytes, { spec, version: 'p1', threads: 1 });
  try {
    await assert.rejects(pool.predict({ x: new Float32Array(7), batch: 1 }), (e: unknown) => e instanceof TickcastError && e.code === 'TC_MODEL_INPUT_SHAPE' && e.statusCode === 400);
    const r = await pool.predict({ x: sineWindows(2, 12, 2, 1), batch: 2 });
    assert.equal(r.y.length, 2 * 3 * 1 * 3);
  } finally {
    await pool.dispose();
  }
});

test('a thread that dies fails only its own calls; the others serve the next ones, and a fresh thread takes its place', async () => {
  const pool = await OnnxPoolPredictor.create(bytes, { spec, version: 'p1', threads: 2 });
  try {
    const threads = (pool as unknown as { threads: Array<{ worker: Worker; pending: Map<number, unknown> }> }).threads;
    // Stop thread 0 while it is idle, then hand it a call before its exit is seen: a stopping thread
    // runs no more JavaScript, so the call can only fail. (Terminating a thread inside a native
    // session.run aborts the whole process in onnxruntime-node — "terminate called after throwing
    // Napi::Error" — which is why the test no longer stops it mid-run; the pool itself ends threads
    // only after their calls are answered, docs/inference.md.)
    const dead = threads[0].worker;
    const stopping = dead.terminate();
    const first = pool.predict({ x: sineWindows(2, 12, 2, 3), batch: 2 }); // goes to thread 0 (both idle, both still live)
    assert.equal(threads[0].pending.size, 1, 'the call went to the stopping thread');
    await stopping;
    await assert.rejects(first, (e: unknown) => e instanceof TickcastError && e.code === 'TC_ENGINE_UNAVAILABLE' && e.retriable);
    const r = await pool.predict({ x: sineWindows(2, 12, 2, 1), batch: 2 });
    assert.equal(r.y.length, 18);
    for (let i = 0; i < 100 && pool.liveThreads < 2; i++) await new Promise((res) => setTimeout(res, 50));
    assert.equal(pool.liveThreads, 2, 'a fresh thread took the dead one\'s place');
    assert.ok(threads.every((t) => t.worker !== dead), 'the dead thread left the pool');
  } finally {
    await pool.dispose();
  }
});

test('dispose waits for calls in flight, ends every thread, and later calls are refused with a retriable error', async () => {
  const pool = await OnnxPoolPredictor.create(bytes, { spec, version: 'p1', threads: 2 });
  const call = pool.predict({ x: sineWindows(500, 12, 2, 4), batch: 500 });
  const closed = pool.dispose();
  assert.equal((await call).y.length, 500 * 9, 'the call in flight is answered');
  await closed;
  // 503 like the tfjs predictor's (predictor.ts): an HTTP caller whose retry on the new model failed
  // too is told to come back (Retry-After), not given a 500 (until 7 Dec 2026).
  await assert.rejects(pool.predict({ x: sineWindows(1, 12, 2, 1), batch: 1 }), (e: unknown) => e instanceof TickcastError && e.code === 'TC_MODEL_NOT_LOADED' && e.retriable && e.statusCode === 503);
});

test('the engine serves from a pool when onnxWorkers is set, after the same parity check', async () => {
  const local = await OnnxPredictor.fromBytes(bytes, { spec, version: 'p1' });
  const eng = await createInferenceEngine({ engine: 'onnx', weights, config, spec, version: 'p2', onnxWorkers: 2, tfjs: () => local });
  try {
    assert.ok(eng.predictor instanceof OnnxPoolPredictor, eng.fallbackReason ?? 'no fallback');
    assert.ok(eng.parityMaxAbsDiff! <= 1e-6, `parity ${eng.parityMaxAbsDiff}`);
  } finally {
    await eng.predictor.dispose();
  }
  const inProcess = await createInferenceEngine({ engine: 'onnx', weights, config, spec, version: 'p3', parityWindows: 0, tfjs: () => local });
  assert.ok(inProcess.predictor instanceof OnnxPredictor, 'control: 0 workers serves in process');
  await inProcess.predictor.dispose();
});

test('a graph the serving threads cannot load fails start-up with a coded error, and the engine falls back to tfjs with the reason', async () => {
  const garbage = new Uint8Array([8, 7, 0, 1, 2, 3, 4, 5]);
  await assert.rejects(
    OnnxPoolPredictor.create(garbage, { spec, version: 'bad', threads: 2 }),
    (e: unknown) => e instanceof TickcastError && e.code === 'TC_ENGINE_UNAVAILABLE' && /serving thread/.test(e.message) && /onnxWorkers to 0/.test(e.message),
  );
  const local = await OnnxPredictor.fromBytes(bytes, { spec, version: 'p1' });
  const eng = await createInferenceEngine({ engine: 'onnx', weights, config, spec, version: 'p4', onnxWorkers: 2, onnxBytes: async () => garbage, tfjs: () => local });
  try {
    assert.equal(eng.predictor, local, 'the engine falls back to the tfjs predictor');
    assert.match(eng.fallbackReason ?? '', /onnxruntime unavailable: .*serving thread/);
  } finally {
    await local.dispose();
  }
});

test('onnxWorkers auto (poolOptional): serving threads that cannot start leave the model served in the main thread, with a warning', async () => {
  const local = await OnnxPredictor.fromBytes(bytes, { spec, version: 'p1' });
  const warnings: string[] = [];
  const poolEntry = new URL('./no-such-thread-module.ts', import.meta.url);
  const eng = await createInferenceEngine({ engine: 'onnx', weights, config, spec, version: 'p5', onnxWorkers: 1, poolOptional: true, poolEntry, tfjs: () => local, log: (level, msg) => level === 'warn' && warnings.push(msg) });
  try {
    assert.ok(eng.predictor instanceof OnnxPredictor, eng.fallbackReason ?? 'served in process');
    assert.equal(eng.fallbackReason, undefined);
    assert.ok(warnings.some((w) => /serving threads unavailable .*; serving in the main thread/.test(w)), warnings.join('; '));
  } finally {
    await eng.predictor.dispose();
  }
  // An explicit number is not optional: the same failure falls back to tfjs, as any ONNX failure.
  const strict = await createInferenceEngine({ engine: 'onnx', weights, config, spec, version: 'p6', onnxWorkers: 1, poolEntry, tfjs: () => local });
  assert.equal(strict.predictor, local);
  assert.match(strict.fallbackReason ?? '', /onnxruntime unavailable/);
  await local.dispose();
});

test('a call a thread leaves unanswered past callTimeoutMs (a hung run) fails retriable; the thread is replaced, and ended once it answers', async () => {
  const entry = new URL('./hanging-thread.ts', import.meta.url);
  const logs: string[] = [];
  const pool = await OnnxPoolPredictor.create(bytes, { spec, version: 'p1', threads: 2, callTimeoutMs: 300, entry, log: (msg) => logs.push(msg) });
  try {
    const threads = (pool as unknown as { threads: Array<{ worker: Worker; pending: Map<number, unknown> }> }).threads;
    const x = sineWindows(2, 12, 2, 3);
    x[0] = 999; // the stand-in thread stalls 2 s on this call
    const t0 = performance.now();
    const hung = pool.predict({ x, batch: 2 });
    const stalled = threads.find((t) => t.pending.size === 1)!;
    const exited = new Promise<number>((resolve) => stalled.worker.once('exit', resolve));
    const other = await pool.predict({ x: sineWindows(2, 12, 2, 1), batch: 2 }); // the other thread serves meanwhile
    assert.equal(other.y.length, 18);
    await assert.rejects(hung, (e: unknown) => e instanceof TickcastError && e.code === 'TC_ENGINE_UNAVAILABLE' && e.retriable && /did not answer a call within 300 ms/.test(e.message));
    const waited = performance.now() - t0;
    assert.ok(waited >= 290 && waited < 1_500, `failed after ${waited.toFixed(0)} ms, not after the 2 s stall`);
    assert.ok(!threads.includes(stalled), 'the hung thread left the pool');
    for (let i = 0; i < 100 && pool.liveThreads < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(pool.liveThreads, 2, 'a fresh thread took its place');
    const again = await Promise.all([1, 2, 3, 4].map((s) => pool.predict({ x: sineWindows(2, 12, 2, s), batch: 2 })));
    assert.ok(again.every((r) => r.y.length === 18));
    // Idle and stalled threads do not keep a process alive (unref'd): a timer holds this one while the stalled thread ends.
    const hold = setInterval(() => {}, 1_000);
    assert.equal(await exited.finally(() => clearInterval(hold)), 1, 'the stalled thread is ended once its run is over (terminated: exit code 1)');
    assert.ok(logs.some((l) => /did not answer within 300 ms \(hung\); starting another/.test(l)), logs.join('; '));
  } finally {
    await pool.dispose();
  }
});
