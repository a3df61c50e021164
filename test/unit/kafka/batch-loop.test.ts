/**
 * The consumer's batch loop (src/adapters/kafka/batch-loop.ts) driven with a stand-in batch: how a
 * fetched batch is cut into chunks, and which offsets are resolved (the next commit's position).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { batchLoop, CHUNK_BYTES, type BatchLoopDeps } from '../../../src/adapters/kafka/batch-loop.ts';
import { ConsumeErrors, OffsetGaps } from '../../../src/adapters/kafka/offset-gaps.ts';
import { WarmupTracker } from '../../../src/adapters/kafka/restore.ts';
import type { ChunkRef } from '../../../src/adapters/kafka/commit.ts';
import type { RawRecord } from '../../../src/domain/types.ts';

const msg = (offset: number, valueBytes: number): KafkaJS.KafkaMessage =>
  ({ offset: String(offset), key: Buffer.from('k'), value: Buffer.alloc(valueBytes, 0x61), headers: {}, timestamp: '1' }) as unknown as KafkaJS.KafkaMessage;

/** Runs one batch through a loop; returns the chunks handed to the strategy (their offsets) and the offsets resolved. */
async function run(msgs: KafkaJS.KafkaMessage[], deps: Partial<BatchLoopDeps> = {}, failAt = -1) {
  const chunks: string[][] = [];
  const resolved: string[] = [];
  const strategy = {
    run: async (records: RawRecord[], ref: ChunkRef) => {
      chunks.push(records.map((r) => r.source.offset));
      if (chunks.length - 1 === failAt) throw new Error(`chunk ending at ${ref.last} failed`);
    },
  };
  const each = batchLoop({
    chunkSize: 512, warmup: new WarmupTracker(), gaps: new OffsetGaps(), errors: new ConsumeErrors(),
    strategy, warmupStrategy: strategy, ready: async () => undefined, inFlight: new Set(), ...deps,
  });
  const payload = {
    batch: { topic: 'ticks', partition: 0, messages: msgs },
    resolveOffset: (o: string) => void resolved.push(o),
    isRunning: () => true,
    isStale: () => false,
  } as unknown as KafkaJS.EachBatchPayload;
  const error = await each(payload).then(() => null, (err: Error) => err);
  return { chunks, resolved, error };
}

test('a batch whose values sum past chunkBytes is run as several chunks, each resolving its offset', async () => {
  // 10 records of 300 KB (SenML packs of thousands of ticks): 1 MiB holds 3 of them.
  const msgs = Array.from({ length: 10 }, (_, i) => msg(100 + i, 300_000));
  const { chunks, resolved, error } = await run(msgs);
  assert.equal(error, null);
  assert.deepEqual(chunks.map((c) => c.length), [3, 3, 3, 1]);
  assert.deepEqual(resolved, ['102', '105', '108', '109']);
});

test('a record larger than chunkBytes is a chunk of its own, not skipped', async () => {
  const { chunks, resolved } = await run([msg(0, 10), msg(1, 5000), msg(2, 10)], { chunkBytes: 1000 });
  assert.deepEqual(chunks, [['0'], ['1'], ['2']]);
  assert.deepEqual(resolved, ['0', '1', '2']);
});

test('512 ordinary JSON records (a few hundred bytes) stay one chunk under the default byte bound', async () => {
  const msgs = Array.from({ length: 600 }, (_, i) => msg(i, 400));
  assert.ok(512 * 401 < CHUNK_BYTES);
  const { chunks, resolved } = await run(msgs);
  assert.deepEqual(chunks.map((c) => c.length), [512, 88]);
  assert.deepEqual(resolved, ['511', '599']);
});

test('a failed byte-bounded chunk stops the batch: later offsets stay unresolved (redelivered)', async () => {
  const msgs = Array.from({ length: 6 }, (_, i) => msg(i, 400));
  const { chunks, resolved, error } = await run(msgs, { chunkBytes: 1000 }, 1);
  assert.match(String(error), /chunk ending at 3 failed/);
  assert.deepEqual(chunks, [['0', '1'], ['2', '3']]);
  assert.deepEqual(resolved, ['1']);
});

test('an offset gap across a byte-bounded chunk boundary is still seen, and warm-up marks still apply', async () => {
  const seen: string[] = [];
  const warmup = new WarmupTracker();
  warmup.reset({ start: new Map([[0, 0n]]), warmupUntil: new Map([[0, 2n]]) });
  const warmRuns: boolean[] = [];
  const strategy = (warm: boolean) => ({ run: async () => void warmRuns.push(warm) });
  const { chunks } = await run([msg(0, 600), msg(1, 600), msg(5, 600)], {
    chunkBytes: 1000, warmup, strategy: strategy(false), warmupStrategy: strategy(true),
    onGap: (_t, gap) => void seen.push(`${gap.from}-${gap.to}`),
  });
  assert.deepEqual(chunks, []); // both strategies replaced: the chunks went to them
  assert.deepEqual(warmRuns, [true, true, false]);
  assert.deepEqual(seen, ['2-4']);
});
