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

// The group dropped the member (session timeout, max.poll.interval.ms: librdkafka's assignmentLost)
// and went on without it: another member may have handled the partitions, fired alerts on them and
// written their state, before they come back. Before, they were not read again, and an alert the
// other member left open there stayed open downstream for good.
test('partitions lost (the group dropped this member) and assigned back are gained: another member may have held them', () => {
  const h = new Handover();
  h.gained([0, 1]);
  h.completed(new Set([0, 1]));
  h.revoked([0, 1], true);
  assert.deepEqual(h.gained([0, 1]), [0, 1]);
  assert.deepEqual(h.completed(new Set([0, 1])), [], 'not gone: their state here is kept');
  h.revoked([0, 1]); // an orderly (eager) revocation afterwards: not gained again
  assert.deepEqual(h.gained([0, 1]), []);
});
