import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MicroBatcher } from '../../../src/domain/micro-batcher.ts';

const double = async (xs: number[]) => xs.map((x) => x * 2);

test('groups concurrent submits up to maxBatchSize and answers each caller', async () => {
  const sizes: number[] = [];
  const b = new MicroBatcher<number, number>({ maxBatchSize: 4, maxWaitMs: 20, maxInFlight: 1, run: double, onBatch: (n) => sizes.push(n) });
  const out = await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.submit(x)));
  assert.deepEqual(out, [2, 4, 6, 8, 10, 12]);
  assert.deepEqual(sizes, [4, 2]);
});

test('a lone item waits at most maxWaitMs', async () => {
  const b = new MicroBatcher<number, number>({ maxBatchSize: 64, maxWaitMs: 15, maxInFlight: 1, run: double });
  const t0 = performance.now();
  assert.equal(await b.submit(21), 42);
  const dt = performance.now() - t0;
  assert.ok(dt >= 12 && dt < 500, `waited ${dt.toFixed(1)} ms`);
});

test('never more than maxInFlight batches run at once', async () => {
  let running = 0;
  let peak = 0;
  const b = new MicroBatcher<number, number>({
    maxBatchSize: 2,
    maxWaitMs: 0,
    maxInFlight: 2,
    run: async (xs) => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return xs;
    },
  });
  await Promise.all(Array.from({ length: 20 }, (_, i) => b.submit(i)));
  assert.equal(peak, 2);
});

test('a failing batch rejects only its own callers; close() drains then refuses', async () => {
  const b = new MicroBatcher<number, number>({
    maxBatchSize: 2,
    maxWaitMs: 5,
    maxInFlight: 1,
    run: async (xs) => {
      if (xs.includes(13)) throw new Error('bad luck');
      return xs;
    },
  });
  const results = await Promise.allSettled([b.submit(12), b.submit(13), b.submit(14)]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'fulfilled']);
  const pending = b.submit(1);
  await b.close();
  assert.equal(await pending, 1);
  await assert.rejects(b.submit(2), { code: 'TC_SHUTTING_DOWN' });
});
