/**
 * POST /v1/predict end to end over the real model: HTTP → ServingService → InferenceStage
 * (micro-batcher) → TfjsPredictor → decode. The model is seeded, not trained, so the test checks
 * properties that must hold for any weights rather than particular numbers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { build } from './support/build.ts';
import { createModelServing, SMALL_SPEC, type ModelServing } from './support/model-serving.ts';

let ms: ModelServing;
let built: Awaited<ReturnType<typeof build>>;
before(async () => {
  ms = await createModelServing();
  built = await build({ rateLimit: { enabled: false } }, ms.serving);
});
after(async () => {
  await built.app.close();
  await ms.close();
});

const W = SMALL_SPEC.window;
const base = Array.from({ length: W }, (_, i) => 100 + 3 * Math.sin(i / 3) + 0.1 * i);
const predict = (payload: object) => built.app.inject({ method: 'POST', url: '/v1/predict', payload });

test('a window gets a full-horizon quantile forecast from the model (ordered, finite, model version)', async () => {
  const r = await predict({ window: base });
  assert.equal(r.statusCode, 200, r.body);
  const b = r.json();
  assert.equal(b.model, 'test-seed-7');
  assert.equal(b.horizon.length, SMALL_SPEC.horizon);
  assert.deepEqual(b.horizon.map((s: { step: number }) => s.step), [1, 2, 3, 4]);
  for (const s of b.horizon) {
    for (const k of ['p10', 'p50', 'p90']) assert.ok(Number.isFinite(s[k]), `${k} finite`);
    assert.ok(s.p10 <= s.p50 + 1e-9 && s.p50 <= s.p90 + 1e-9, JSON.stringify(s));
  }
});

test('forecasts follow the input: affine-transformed window gives the affine-transformed forecast; other shapes differ', async () => {
  const a = (await predict({ window: base })).json();
  const scaled = (await predict({ window: base.map((v) => 2 * v + 50) })).json();
  for (let i = 0; i < a.horizon.length; i++) {
    for (const k of ['p10', 'p50', 'p90']) {
      const want = 2 * a.horizon[i][k] + 50;
      assert.ok(Math.abs(scaled.horizon[i][k] - want) < 1e-3 * Math.abs(want), `${k}[${i}]: ${scaled.horizon[i][k]} vs ${want}`);
    }
  }
  const other = (await predict({ window: base.slice().reverse() })).json();
  assert.notDeepEqual(other.horizon.map((s: { p50: number }) => s.p50), a.horizon.map((s: { p50: number }) => s.p50));
  // Any units: a counter near 1e12 moving by units, a gauge in nanoseconds (a floor on the
  // normalising deviation made both flat to the model before 5 Dec 2026: bands thousands of times too wide).
  for (const [scale, shift] of [[1, 1e12], [1e-9, 0], [1e-9, 1e-6], [1000, 1.7e12]]) {
    const t = (await predict({ window: base.map((v) => scale * v + shift) })).json();
    for (let i = 0; i < a.horizon.length; i++) {
      for (const k of ['p10', 'p50', 'p90']) {
        const back = (t.horizon[i][k] - shift) / scale;
        assert.ok(Math.abs(back - a.horizon[i][k]) < 1e-3 * Math.max(1, Math.abs(a.horizon[i][k])), `scale ${scale}, shift ${shift}: ${k}[${i}] maps back to ${back}, not ${a.horizon[i][k]}`);
      }
    }
  }
});

test('explain returns attention over the window (one weight per step, summing to 1); horizon trims the answer', async () => {
  const r = (await predict({ window: base, explain: true, horizon: 2 })).json();
  assert.equal(r.horizon.length, 2);
  assert.equal(r.attention.length, W);
  assert.ok(Math.abs(r.attention.reduce((s: number, x: number) => s + x, 0) - 1) < 1e-4);
  assert.ok(r.attention.every((x: number) => x >= 0));
  // A longer window: the model reads its last W steps, and attention[i] is still the weight on window[i].
  const older = Array.from({ length: 10 }, (_, i) => 90 + i);
  const long = (await predict({ window: [...older, ...base], explain: true })).json();
  assert.equal(long.attention.length, older.length + W, 'one weight per step sent');
  assert.deepEqual(long.attention.slice(0, older.length), new Array(older.length).fill(0), 'steps the model does not read get no weight');
  assert.deepEqual(long.attention.slice(older.length), (await predict({ window: base, explain: true })).json().attention);
  const tooFar = await predict({ window: base, horizon: SMALL_SPEC.horizon + 1 });
  assert.equal(tooFar.statusCode, 400);
  assert.match(tooFar.json().error.message, /horizon must be an integer from 1 to 4/);
  // A window that does not fit the model has its own code (docs/errors.md), not the generic bad request.
  const short = await predict({ window: base.slice(0, 5) });
  assert.equal(short.statusCode, 400);
  assert.equal(short.json().error.code, 'TC_MODEL_INPUT_SHAPE');
  assert.match(short.json().error.message, /needs at least 32/);
  // …and says how to fix it (until 6 Dec 2026 no hint): the length to send, or a tracked series.
  assert.match(short.json().error.hint, /send the last 32 steps or more, oldest first.*\{"series":"<id>"\}/);
  assert.deepEqual(short.json().error.details, { minSteps: 32, steps: 5 });
  const twoD = await predict({ window: base.map((v) => [v, v]) });
  assert.equal(twoD.statusCode, 400);
  assert.equal(twoD.json().error.code, 'TC_MODEL_INPUT_SHAPE');
  assert.match(twoD.json().error.message, /reads 1 feature/);
  assert.match(twoD.json().error.hint, /send a number per step/);
});

test('{series} forecasts from the server-held window; concurrent requests share micro-batches; no tensors leak', async () => {
  for (let i = 0; i < W + 5; i++) ms.store.push('AAPL', 1_000 * i, [base[i % W]], 1_000 * i);
  const s = await predict({ series: 'AAPL' });
  assert.equal(s.statusCode, 200, s.body);
  assert.equal(s.json().series, 'AAPL');
  assert.equal(s.json().horizon[0].ts, 1_000 * (W + 5));

  await predict({ window: base }); // warm
  const tensors = tf.memory().numTensors;
  ms.batchSizes.length = 0;
  const rs = await Promise.all(Array.from({ length: 24 }, (_, i) => predict({ window: base.map((v) => v + i) })));
  assert.ok(rs.every((r) => r.statusCode === 200));
  // a shift of the window shifts the forecast by the same amount (z-normalised input)
  const p0 = rs[0].json().horizon[0].p50;
  rs.forEach((r, i) => assert.ok(Math.abs(r.json().horizon[0].p50 - (p0 + i)) < 1e-3, `shift ${i}`));
  assert.equal(ms.batchSizes.reduce((a, b) => a + b, 0), 24);
  assert.ok(Math.max(...ms.batchSizes) > 1, `batched: ${ms.batchSizes.join(',')}`);
  assert.equal(tf.memory().numTensors, tensors);
});

test('window values beyond |1e150| are a 400 naming the step and the bound (they overflowed to null quantiles); 1e150 itself forecasts', async () => {
  for (const [i, v] of [[5, 1e155], [0, -1e200], [W - 1, 1.0000001e150]] as const) {
    const window = base.slice();
    window[i] = v;
    const r = await predict({ window });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().error.code, 'TC_HTTP_BAD_REQUEST');
    assert.match(r.json().error.message, new RegExp(`^window\\[${i}\\] holds .*; tickcast accepts values with \\|value\\| ≤ 1e\\+150`));
  }
  const edge = base.slice();
  edge[7] = 1e150;
  edge[8] = -1e150;
  const ok = await predict({ window: edge });
  assert.equal(ok.statusCode, 200, ok.body);
  for (const s of ok.json().horizon) for (const k of ['p10', 'p50', 'p90']) assert.ok(Number.isFinite(s[k]), `${k}: ${s[k]}`);
});

test('a constant window forecasts the constant itself (an all-zero window gave ±1e-153: model output × the deviation floor)', async () => {
  for (const level of [0, 7, -2.5, 1e12]) {
    const r = await predict({ window: new Array(W).fill(level) });
    assert.equal(r.statusCode, 200, r.body);
    for (const s of r.json().horizon) {
      for (const k of ['p10', 'p50', 'p90']) assert.equal(s[k], level, `level ${level}: ${k} of step ${s.step} is ${s[k]}`);
    }
  }
});
