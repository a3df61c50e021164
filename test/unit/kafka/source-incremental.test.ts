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

const TOPIC = 'ticks';
const ASSIGN = -175;

type Rebalance = (err: { code: number }, assignment: Array<{ topic: string; partition: number }>, fns?: { assignmentLost: () => boolean }) => Promise<unknown>;
type EachBatch = (p: { batch: { topic: string; partition: number; messages: unknown[] }; resolveOffset: (o: string) => void; isRunning: () => boolean; isStale: () => boolean }) => Promise<void>;

/** A stand-in client: every partition has `committed` committed; `run` hands over the batch callback. */
function fakeKafka(committed: number) {
  let rebalance: Rebalance | null = null;
  let eachBatch: EachBatch | null = null;
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [TOPIC],
    fetchTopicOffsets: async () => [0, 1].map((partition) => ({ partition, low: '0', high: '100000' })),
    fetchOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) => topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: String(committed) })) })),
  };
  const consumer = {
    dependentAdmin: () => admin,
    _getInternalClient: () => ({ on: () => undefined }),
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async (cfg: { eachBatch: EachBatch }) => void (eachBatch = cfg.eachBatch),
    seek: () => undefined,
    commitOffsets: async () => undefined,
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
  const k = fakeKafka(100);
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
