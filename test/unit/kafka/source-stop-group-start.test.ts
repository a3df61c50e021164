/**
 * A stop while a brand-new group's start step runs (src/adapters/kafka/group-start.ts, the
 * short-lived client that commits the group's start before the member joins): the source's stop()
 * resolves only once that client's close has ended, so no client handle of the step outlives the
 * stop (a process that embeds the service, or a restart in the same process, found it still open).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { KafkaSource } from '../../../src/adapters/kafka/source.ts';
import { ConsumeErrors } from '../../../src/adapters/kafka/offset-gaps.ts';
import { deferred } from '../../../src/lifecycle/abortable.ts';

const TOPIC = 'ticks';

/** A brand-new group (nothing committed, fromBeginning=false); the short-lived client's close ends when `closed` is resolved. */
function standIn(connected: Promise<void> = Promise.resolve()) {
  const committing = deferred();
  const closeCalled = deferred();
  const closed = deferred();
  const memberLeft = deferred();
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [TOPIC],
    fetchTopicOffsets: async () => [{ partition: 0, low: '0', high: '15' }],
    fetchOffsets: async ({ topics }: { topics: Array<{ topic: string; partitions: number[] }> }) =>
      topics.map(({ topic, partitions }) => ({ topic, partitions: partitions.map((partition) => ({ partition, offset: '-1' })) })),
  };
  const member = {
    dependentAdmin: () => admin,
    connect: async () => undefined,
    subscribe: async () => undefined,
    run: async () => undefined,
    disconnect: async () => memberLeft.resolve(),
  };
  const shortLived = {
    connect: () => connected,
    // Resolves when queued, as the client's does; stored nowhere: the step keeps looking for it.
    commitOffsets: async () => committing.resolve(),
    disconnect: () => (closeCalled.resolve(), closed.promise),
  };
  const kafka = { consumer: (cfg: { rebalance_cb?: unknown }) => (cfg.rebalance_cb ? member : shortLived) } as unknown as KafkaJS.Kafka;
  return { kafka, committing, closeCalled, closed, memberLeft };
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => silent };

// Found 7 Dec 2026: at a stop the step's client was told to close (void committer.close()) and
// nothing waited for it; the source's stop() resolved with its disconnect still under way.
test("a stop during a brand-new group's start step resolves only once the step's short-lived client has closed", { timeout: 10_000 }, async () => {
  const k = standIn();
  const opts = { topic: TOPIC, groupId: 'g', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, partitionsConsumedConcurrently: 1, fromBeginning: false };
  const s = new KafkaSource(k.kafka, opts, silent as never, new ConsumeErrors());
  const stop = new AbortController();
  const started = s.start(async () => undefined, stop.signal);
  await k.committing.promise; // the step committed the start and waits to see it stored
  stop.abort();
  await started;
  let stopped = false;
  const stopping = s.stop().then(() => void (stopped = true));
  await k.closeCalled.promise;
  await k.memberLeft.promise;
  await new Promise((r) => setImmediate(r)); // whatever stop() still does after the member's own disconnect
  assert.equal(stopped, false, "stop() resolved with the short-lived client's close still under way");
  k.closed.resolve();
  await stopping;
  assert.equal(stopped, true);
});

// Found 7 Dec 2026 (review): when the step's bound passed with its short-lived client still
// connecting, the member went on (as it should) and nothing kept the step: a later stop() resolved
// at once, with that client still connecting, and closed only once its connect ended.
test("a stop after the start step was given up on with its client still connecting waits for that client's connect and close", { timeout: 10_000 }, async () => {
  const connected = deferred();
  const k = standIn(connected.promise);
  const opts = { topic: TOPIC, groupId: 'g', sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, partitionsConsumedConcurrently: 1, fromBeginning: false, boundMs: 20 };
  const s = new KafkaSource(k.kafka, opts, silent as never, new ConsumeErrors());
  const stop = new AbortController();
  await s.start(async () => undefined, stop.signal); // the bound passes: the member joins without the step's start
  stop.abort();
  let stopped = false;
  const stopping = s.stop().then(() => void (stopped = true));
  await k.memberLeft.promise;
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false, 'stop() resolved with the short-lived client still connecting');
  connected.resolve();
  await k.closeCalled.promise; // connected after the step was given up on: closed at once
  await new Promise((r) => setImmediate(r));
  assert.equal(stopped, false, "stop() resolved with the short-lived client's close still under way");
  k.closed.resolve();
  await stopping;
  assert.equal(stopped, true);
});
