/**
 * The Kafka source under an incremental rebalance (partition.assignment.strategy=cooperative-sticky,
 * or group.protocol=consumer: KIP-848), driven through a stand-in client the way the client drives
 * it: an assignment names only the partitions added, and the member keeps reading the others. A
 * partition still replaying its records before the committed offset (warm-up: state only, no
 * outputs) must go on replaying them when another partition is added.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { KafkaSource } from '../../../src/adapters/kafka/source.ts';
import { ConsumeErrors } from '../../../src/adapters/kafka/offset-gaps.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { GROUP_START_METADATA } from '../../../src/adapters/kafka/group-start.ts';

const TOPIC = 'ticks';
const ASSIGN = -175;

type Rebalance = (err: { code: number }, assignment: Array<{ topic: string; partition: number }>, fns?: { assignmentLost: () => boolean }) => Promise<unknown>;
type EachBatch = (p: { batch: { topic: string; partition: number; messages: unknown[] }; resolveOffset: (o: string) => void; isRunning: () => boolean; isStale: () => boolean }) => Promise<void>;

type Committed = Map<number, { offset: string; metadata?: string }>;

/**
 * A stand-in client: partitions 0..n-1 end at 100000 (or `high`), each with what `committed` holds
 * (-1 when missing), which a commit (the consumer's, or the start step's client) sets while
 * `stores.commits` (else the coordinator refuses it); `run` hands over the batch callback.
 */
function fakeKafka(committed: Committed, n = 2, high = '100000') {
  let rebalance: Rebalance | null = null;
  let eachBatch: EachBatch | null = null;
  const stores = { commits: true };
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [TOPIC],
    fetchTopicOffsets: async () => Array.from({ length: n }, (_, partition) => ({ partition, low: '0', high })),
    fetchOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) => topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: '-1', metadata: null, ...committed.get(partition) })) })),
  };
  const consumer = {
    dependentAdmin: () => admin,
    _getInternalClient: () => ({ on: () => undefined }),
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (cfg: { eachBatch: EachBatch }) => void (eachBatch = cfg.eachBatch),
    seek: () => undefined,
    commitOffsets: async (offsets: Array<{ partition: number; offset: string; metadata?: string }>) => {
      if (stores.commits) for (const o of offsets) committed.set(o.partition, { offset: o.offset, ...(o.metadata ? { metadata: o.metadata } : {}) });
    },
    disconnect: async () => undefined,
  };
  const kafka = {
    consumer: (cfg: { rebalance_cb?: Rebalance }) => {
      if (cfg.rebalance_cb) rebalance = cfg.rebalance_cb;
      return consumer;
    },
  } as unknown as KafkaJS.Kafka;
  return {
    kafka,
    stores,
    /** An incremental assignment: `ps` added, the partitions held before kept. */
    add: (ps: number[]) => rebalance!({ code: ASSIGN }, ps.map((partition) => ({ topic: TOPIC, partition })), { assignmentLost: () => false }),
    deliver: (partition: number, offsets: number[]) =>
      eachBatch!({
        batch: { topic: TOPIC, partition, messages: offsets.map((o) => ({ offset: String(o), key: null, value: Buffer.from('{}'), headers: {}, timestamp: '0' })) },
        resolveOffset: () => undefined,
        isRunning: () => true,
        isStale: () => false,
      }),
  };
}

test('a partition replaying its warm-up goes on replaying it when another partition is added incrementally', async () => {
  const k = fakeKafka(new Map([0, 1].map((p) => [p, { offset: '100' }])));
  const log = { info: () => undefined, warn: () => undefined, debug: () => undefined, error: () => undefined, child: () => log };
  const s = new KafkaSource(k.kafka, { topic: TOPIC, groupId: 'g', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, partitionsConsumedConcurrently: 1, fromBeginning: false, restoreRecordsPerPartition: 50 }, log as never, new ConsumeErrors());
  const handled: RawRecord[] = [];
  await s.start(async (records) => void handled.push(...records));
  const starts = (await k.add([0])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(starts.map((a) => [a.partition, a.offset]), [[0, 50]], 'p0 replays 50..99 before its committed offset 100');
  await k.deliver(0, [50, 51]);
  await k.add([1]); // p1 added; p0 kept, its replay half done
  await k.deliver(0, [52, 53, 99, 100]);
  assert.deepEqual(
    handled.map((r) => [Number(r.source.offset), r.warmup === true]),
    [[50, true], [51, true], [52, true], [53, true], [99, true], [100, false]],
    'records of p0 below its committed offset stay warm-up (no outputs) after p1 is added',
  );
  await s.stop();
});

test("a partition this member already holds is not reported as another member's later group start when one is added incrementally", async () => {
  const committed: Committed = new Map(); // a brand-new group: the start step commits this member's ends at start (100) for p0..p2
  const k = fakeKafka(committed, 3, '100');
  const warned: Array<{ fields: { partitions?: Record<string, unknown> }; msg: string }> = [];
  const log = { info: () => undefined, warn: (fields: never, msg: string) => void warned.push({ fields, msg }), debug: () => undefined, error: () => undefined, child: () => log };
  const s = new KafkaSource(k.kafka, { topic: TOPIC, groupId: 'g', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, partitionsConsumedConcurrently: 1, fromBeginning: false, restoreRecordsPerPartition: 50 }, log as never, new ConsumeErrors());
  await s.start(async () => undefined);
  assert.deepEqual([...committed].map(([p, c]) => [p, c.offset, c.metadata]), [0, 1, 2].map((p) => [p, '100', GROUP_START_METADATA]), "the group's start: this member's ends");
  // A later member's start replaced this member's on p0 and p2 while the group was empty.
  for (const p of [0, 2]) committed.set(p, { offset: '150', metadata: GROUP_START_METADATA });
  k.stores.commits = false; // the coordinator refuses p0's pin at 100 (the group rebalancing again: ./restore.ts pinStarts)
  const starts = (await k.add([0])) as Array<{ partition: number; offset: number }>;
  assert.deepEqual(starts.map((a) => [a.partition, a.offset]), [[0, 100]], 'p0 starts at this member\'s end at start');
  await k.add([1]); // p1 added; p0 kept, nothing read on it yet (its committed offset still the later start)
  const later = warned.filter((w) => w.msg.includes("a later member's start replaced this member's earlier one on partitions another member was assigned"));
  assert.deepEqual(later.map((w) => Object.keys(w.fields.partitions ?? {})), [['2'], ['2']], 'only p2, which another member holds, at either assignment; not p0, held by this member');
  await s.stop();
});
