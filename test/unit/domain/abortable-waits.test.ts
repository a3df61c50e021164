/**
 * The bounded waits of the shutdown and start paths: `within` and `waitBudget` (src/waits/bounded.ts:
 * shutdown.flushMs shared by the drain's waits for the brokers; the trace flush at exit) and
 * `unlessAborted` (src/lifecycle/abortable.ts: a start step that a stop ends at once).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unlessAborted } from '../../../src/lifecycle/abortable.ts';
import { waitBudget, within } from '../../../src/waits/bounded.ts';

const never = new Promise<never>(() => undefined);
const after = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

test('within: true when the work settles in time (a rejection too), false when it is still pending', async () => {
  assert.equal(await within(after(5), 500), true);
  assert.equal(await within(Promise.reject(new Error('x')), 500), true);
  const t0 = performance.now();
  assert.equal(await within(never, 50), false);
  assert.ok(performance.now() - t0 < 1_000);
});

test('waitBudget: the waits share the budget; time between them is not counted', async () => {
  const wait = waitBudget(300);
  assert.equal(await wait(after(100)), true);
  await after(400); // not a wait for the brokers: not counted
  const t0 = performance.now();
  assert.equal(await wait(never), false, 'what is left (~200 ms) runs out');
  const took = performance.now() - t0;
  assert.ok(took >= 150 && took < 1_000, `the second wait got what the first left (${took} ms)`);
  const t1 = performance.now();
  assert.equal(await wait(never), false, 'nothing left: at once');
  assert.ok(performance.now() - t1 < 100);
  assert.equal(await wait(Promise.resolve()), true, 'work already done still counts as done');
});

test('unlessAborted: the value, or null once the signal aborts; rejections before that are thrown', async () => {
  assert.deepEqual(await unlessAborted(Promise.resolve(7)), { value: 7 });
  const ac = new AbortController();
  assert.deepEqual(await unlessAborted(Promise.resolve(8), ac.signal), { value: 8 });
  await assert.rejects(unlessAborted(Promise.reject(new Error('refused')), ac.signal), /refused/);
  const pending = unlessAborted(never, ac.signal);
  setTimeout(() => ac.abort(), 20);
  assert.equal(await pending, null);
  assert.equal(await unlessAborted(never, ac.signal), null, 'already aborted: at once');
});
