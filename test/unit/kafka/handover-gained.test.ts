/**
 * Which assigned partitions a member takes over (src/adapters/kafka/handover.ts `gained`): those it
 * did not hold before the rebalance — all at its first assignment; under the eager assignors every
 * partition is revoked and most come straight back, and those are not taken over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Handover } from '../../../src/adapters/kafka/handover.ts';

test('partitions revoked and assigned back are not gained; new ones are; at the first assignment all are', () => {
  const h = new Handover();
  assert.deepEqual(h.gained([0, 1]), [0, 1], 'first assignment');
  h.completed(new Set([0, 1]));
  h.revoked([0, 1]); // eager: everything revoked
  assert.deepEqual(h.gained([1, 2]), [2], 'partition 1 came back, 2 is new');
  assert.deepEqual(h.completed(new Set([1, 2])), [0], 'partition 0 went elsewhere');
});
