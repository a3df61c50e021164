/**
 * RefusedChunks (src/adapters/kafka/refused-chunks.ts): when a partition assigned back to this
 * member resumes after its chunks whose commit was not stored, and when it is left to its committed
 * offset. Each case is a way the resume could skip records nobody forecast: another owner's commit,
 * an operator's reset, nothing committed, a later commit of this member, a brand-new group's start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefusedChunks } from '../../../src/adapters/kafka/refused-chunks.ts';
import type { RestoreInput } from '../../../src/adapters/kafka/restore.ts';

const input = (committed: bigint | undefined, extra: Partial<RestoreInput> = {}): RestoreInput => ({ partition: 0, committed, low: 0n, ...extra });

/** A member that read committed `at` at its assignment and had the commit of the chunk ending before `refused` refused. */
function refusedAfter(at: bigint, refused: bigint): RefusedChunks {
  const c = new RefusedChunks();
  c.resume([input(at)]);
  c.refused(0, refused);
  return c;
}

test('assigned back with the committed offset unchanged: resumes after the refused chunk, and again at the next assignment until a commit is stored', () => {
  const c = refusedAfter(100n, 200n);
  const first = c.resume([input(100n)]);
  assert.deepEqual(first.resumed, new Map([[0, 200n]]));
  assert.equal(first.inputs[0].committed, 200n);
  assert.deepEqual(c.resume([input(100n)]).resumed, new Map([[0, 200n]])); // nothing committed since: still resumed
  c.stored(0, 300n);
  const after = c.resume([input(300n)]);
  assert.equal(after.resumed.size, 0);
  assert.equal(after.inputs[0].committed, 300n);
});

test('the latest refused chunk wins; an earlier one reported late does not move the resume back', () => {
  const c = refusedAfter(100n, 300n);
  c.refused(0, 200n);
  assert.deepEqual(c.resume([input(100n)]).resumed, new Map([[0, 300n]]));
});

test('another owner committed meanwhile (or an operator reset it): left to the committed offset, and the refusal forgotten', () => {
  for (const committed of [150n, 250n, 40n]) {
    const c = refusedAfter(100n, 200n);
    const { inputs, resumed } = c.resume([input(committed)]);
    assert.equal(resumed.size, 0, `committed ${committed}`);
    assert.equal(inputs[0].committed, committed);
    assert.equal(c.resume([input(100n)]).resumed.size, 0, 'forgotten: a later return to 100 is not taken for "unchanged"');
  }
});

test('nothing committed (offsets deleted or expired): left to the start rules, and the refusal forgotten', () => {
  const c = refusedAfter(100n, 200n);
  for (const committed of [undefined, -1n]) assert.equal(c.resume([input(committed)]).resumed.size, 0);
  assert.equal(c.resume([input(100n)]).resumed.size, 0);
});

test('a stored commit of this member at or past the refused chunk clears it; an earlier one does not', () => {
  const c = refusedAfter(100n, 200n);
  c.stored(0, 150n);
  assert.deepEqual(c.resume([input(150n)]).resumed, new Map([[0, 200n]]));
  c.stored(0, 200n);
  assert.equal(c.resume([input(200n)]).resumed.size, 0);
});

test("a brand-new group's start: resumed with no warm-up below that start", () => {
  const c = new RefusedChunks();
  c.resume([input(100n, { groupStart: true, low: 10n })]);
  c.refused(0, 200n);
  const { inputs } = c.resume([input(100n, { groupStart: true, low: 10n })]);
  assert.deepEqual(inputs[0], { partition: 0, committed: 200n, low: 100n, groupStart: false });
});

test('other partitions are untouched', () => {
  const c = refusedAfter(100n, 200n);
  const { inputs, resumed } = c.resume([input(100n), { partition: 1, committed: 100n, low: 0n }]);
  assert.deepEqual([...resumed.keys()], [0]);
  assert.deepEqual(inputs[1], { partition: 1, committed: 100n, low: 0n });
});
