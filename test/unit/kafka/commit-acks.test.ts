/** Which partitions of an offset commit's outcome were refused (src/adapters/kafka/commit-acks.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refusedCommits } from '../../../src/adapters/kafka/commit-acks.ts';

test('a stored commit: nothing refused', () => {
  assert.deepEqual(refusedCommits(null, [{ topic: 't', partition: 0, offset: 100 }]), []);
});

test('per-partition errors: only those partitions, with their reasons', () => {
  const out = refusedCommits({ message: 'Broker: Group rebalance in progress' }, [
    { topic: 't', partition: 0, offset: 100, error: { message: 'Broker: Group rebalance in progress' } },
    { topic: 't', partition: 1, offset: 7 },
  ]);
  assert.deepEqual(out, [{ topic: 't', partition: 0, offset: '100', reason: 'Broker: Group rebalance in progress' }]);
});

test('an error for the whole commit and none per partition: every partition refused', () => {
  const out = refusedCommits({ message: 'Broker: Specified group generation id is not valid' }, [
    { topic: 't', partition: 2, offset: 5 },
    { topic: 't', partition: 3, offset: 9 },
  ]);
  assert.deepEqual(out.map((r) => [r.partition, r.offset, r.reason]), [
    [2, '5', 'Broker: Specified group generation id is not valid'],
    [3, '9', 'Broker: Specified group generation id is not valid'],
  ]);
});
