import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MicroBatcher, type PressureEvent } from '../../../src/domain/micro-batcher.ts';
import { ErrorCodes } from '../../../src/errors/index.ts';

/** A batch runner the test releases by hand: batches run only when `release()` is called. */
function gatedRunner() {
  const gates: Array<() => void> = [];
  const ran: number[][] = [];
  return {
    ran,
    run: (xs: number[]) =>
      new Promise<number[]>((resolve) => {
        ran.push(xs);
        gates.push(() => resolve(xs.map((x) => x * 10)));
      }),
    release: () => gates.shift()?.(),
    get waiting() {
      return gates.length;
    },
  };
}

const tick = () => new Promise((r) => setImmediate(r));

test('the queue is bounded: stream submits beyond capacity wait for room, in order, and all get their results', async () => {
  const g = gatedRunner();
  const b = new MicroBatcher<number, number>({ maxBatchSize: 2, maxWaitMs: 1000, maxInFlight: 1, capacity: 4, highWaterMark: 3, lowWaterMark: 1, run: g.run });
  const all = Array.from({ length: 10 }, (_, i) => b.submit(i));
  await tick();
  // One batch of 2 running, 4 queued (capacity), 4 waiting for room.
  assert.deepEqual(g.ran, [[0, 1]]);
  assert.equal(b.queued, 8);
  while (g.waiting > 0) {
    g.release();
    await tick();
  }
  assert.deepEqual(await Promise.all(all), [0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
  assert.deepEqual(g.ran, [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9]], 'FIFO: waiting items keep their order');
  assert.equal(b.queued, 0);
});

test('saturated above the high-water mark, drained at the low-water mark, one event each (hysteresis)', async () => {
  const g = gatedRunner();
  const events: PressureEvent[] = [];
  const b = new MicroBatcher<number, number>({ maxBatchSize: 2, maxWaitMs: 0, maxInFlight: 1, capacity: 100, highWaterMark: 5, lowWaterMark: 2, run: g.run });
  b.onPressure((e) => events.push(e));
  const all = Array.from({ length: 12 }, (_, i) => b.submit(i));
  await tick();
  assert.equal(b.saturated, true);
  assert.deepEqual(events, [{ saturated: true, queued: 6 }], 'fires once, on crossing the high-water mark');
  const drainedAfter: number[] = [];
  while (g.waiting > 0) {
    g.release();
    await tick();
    drainedAfter.push(b.queued);
  }
  await Promise.all(all);
  assert.equal(events.length, 2);
  assert.equal(events[1].saturated, false);
  assert.ok(events[1].queued <= 2, `drained at the low-water mark (queued ${events[1].queued})`);
  assert.equal(b.saturated, false);
});

test("a 'refuse' submit is answered TC_OVERLOADED above the high-water mark instead of queueing", async () => {
  const g = gatedRunner();
  const b = new MicroBatcher<number, number>({ maxBatchSize: 1, maxWaitMs: 0, maxInFlight: 1, capacity: 8, highWaterMark: 2, lowWaterMark: 0, run: g.run });
  const stream = [b.submit(1), b.submit(2), b.submit(3), b.submit(4)]; // 1 running, 3 queued > 2
  await tick();
  await assert.rejects(b.submit(99, { whenFull: 'refuse' }), (e: { code: string; statusCode: number; retriable: boolean }) => {
    assert.equal(e.code, ErrorCodes.OVERLOADED);
    assert.equal(e.statusCode, 503);
    assert.equal(e.retriable, true);
    return true;
  });
  while (g.waiting > 0) {
    g.release();
    await tick();
  }
  await Promise.all(stream);
  // Below the mark again: an HTTP-style submit is accepted and answered.
  const p = b.submit(7, { whenFull: 'refuse' });
  await tick();
  g.release();
  assert.equal(await p, 70);
});

test('an aborted submit is dropped while queued or waiting: the model never sees it, its caller gets the reason', async () => {
  const g = gatedRunner();
  const b = new MicroBatcher<number, number>({ maxBatchSize: 1, maxWaitMs: 0, maxInFlight: 1, capacity: 2, highWaterMark: 2, lowWaterMark: 0, run: g.run });
  const running = b.submit(1);
  const queued = new AbortController();
  const waiting = new AbortController();
  const pQueued = b.submit(2, { signal: queued.signal });
  const p3 = b.submit(3);
  const pWaiting = b.submit(4, { signal: waiting.signal }); // queue full (2, 3): waits for room
  const p5 = b.submit(5);
  await tick();
  assert.equal(b.queued, 4);
  queued.abort(new Error('client closed the connection'));
  waiting.abort(new Error('gone too'));
  await assert.rejects(pQueued, /client closed the connection/);
  await assert.rejects(pWaiting, /gone too/);
  assert.equal(b.queued, 2);
  while (g.waiting > 0) {
    g.release();
    await tick();
  }
  assert.deepEqual(await Promise.all([running, p3, p5]), [10, 30, 50]);
  assert.deepEqual(g.ran, [[1], [3], [5]], 'aborted items never reached the model');
  // Already aborted: refused at once. Aborting after the item ran changes nothing.
  await assert.rejects(b.submit(6, { signal: AbortSignal.abort(new Error('already gone')) }), /already gone/);
  const late = new AbortController();
  const p7 = b.submit(7, { signal: late.signal });
  await tick();
  late.abort();
  g.release();
  assert.equal(await p7, 70);
});

test('close() lets waiting submits through, then refuses new ones; idle() waits for all', async () => {
  const g = gatedRunner();
  const b = new MicroBatcher<number, number>({ maxBatchSize: 1, maxWaitMs: 0, maxInFlight: 1, capacity: 1, highWaterMark: 1, lowWaterMark: 0, run: g.run });
  const all = [1, 2, 3, 4].map((x) => b.submit(x));
  const closed = b.close();
  await assert.rejects(b.submit(5), (e: { code: string }) => e.code === ErrorCodes.SHUTTING_DOWN);
  while (g.waiting > 0 || b.queued > 0) {
    g.release();
    await tick();
  }
  await closed;
  assert.deepEqual(await Promise.all(all), [10, 20, 30, 40]);
});

test('bad water marks are refused at construction', () => {
  assert.throws(() => new MicroBatcher<number, number>({ maxBatchSize: 1, maxWaitMs: 0, maxInFlight: 1, capacity: 4, highWaterMark: 8, run: async (x) => x }), /highWaterMark ≤ capacity/);
  assert.throws(() => new MicroBatcher<number, number>({ maxBatchSize: 1, maxWaitMs: 0, maxInFlight: 1, highWaterMark: 4, lowWaterMark: 4, run: async (x) => x }), /lowWaterMark < highWaterMark/);
});

test('aborting the only queued item clears the batch timer; the next head waits its own maxWaitMs', async () => {
  const ran: number[][] = [];
  const b = new MicroBatcher<number, number>({ maxBatchSize: 64, maxWaitMs: 400, maxInFlight: 1, run: async (xs) => (ran.push(xs), xs) });
  const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
  const before = timers();
  const first = new AbortController();
  const p1 = b.submit(1, { signal: first.signal });
  assert.equal(timers(), before + 1, 'the queued item armed the batch timer');
  first.abort(new Error('client gone'));
  await assert.rejects(p1, /client gone/);
  assert.equal(timers(), before, 'no timer left once the queue is empty');
  // A second item queued after an aborted head waits from its own submit, not from the dropped one's.
  const gone = new AbortController();
  const p2 = b.submit(2, { signal: gone.signal });
  await new Promise((r) => setTimeout(r, 250));
  const t3 = performance.now();
  const p3 = b.submit(3);
  gone.abort(new Error('gone'));
  await assert.rejects(p2, /gone/);
  assert.equal(await p3, 3);
  const waited = performance.now() - t3;
  assert.ok(waited >= 350, `the new head waited ${waited.toFixed(0)} ms, its own maxWaitMs (400), not the 150 left of the dropped head's`);
  assert.deepEqual(ran, [[3]]);
});
