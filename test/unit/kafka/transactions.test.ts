/**
 * The transactional producer's turns: a chunk's transaction and one of outputs no input carries
 * (resolves of series evicted between chunks) never overlap, each output lands in its own
 * transaction, and a failed send aborts that transaction and rejects (the records are kept by the caller).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ownTransactions, TransactionTurns } from '../../../src/adapters/kafka/transactions.ts';
import { Transactional } from '../../../src/adapters/kafka/commit.ts';
import { KafkaSink, TransactionSlot } from '../../../src/adapters/kafka/sink.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import type { RawRecord } from '../../../src/domain/types.ts';

const log = createLogger({ level: 'silent', name: 't' });
const topics = { forecasts: 'f', anomalies: 'a', dlq: 'd' };

function fakeProducer(opts: { failSend?: boolean } = {}) {
  const events: string[] = [];
  let n = 0;
  const producer = {
    transaction: async () => {
      const id = ++n;
      events.push(`begin ${id}`);
      return {
        sendBatch: async (b: KafkaJS.ProducerBatch) => {
          if (opts.failSend) throw new Error('broker down');
          events.push(`send ${id} ${b.topicMessages!.map((t) => `${t.topic}:${t.messages.map((m) => m.key).join(',')}`).join(' ')}`);
        },
        sendOffsets: async () => void events.push(`offsets ${id}`),
        commit: async () => void events.push(`commit ${id}`),
        abort: async () => void events.push(`abort ${id}`),
      };
    },
  } as unknown as KafkaJS.Producer;
  return { producer, events };
}

test('a send outside chunks waits for the running chunk transaction and commits in one of its own, with no offsets', async () => {
  const { producer, events } = fakeProducer();
  const slot = new TransactionSlot();
  const turns = new TransactionTurns(producer, slot, log);
  const sink = new KafkaSink(slot, topics);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const chunk = new Transactional(
    async () => {
      await sink.send([{ stream: 'forecasts', key: 'c', value: '{}', headers: {} }]);
      await held; // the chunk is still being handled
    },
    turns,
    () => ({}) as KafkaJS.Consumer,
  );
  const ran = chunk.run([] as RawRecord[], { topic: 't', partition: 0, last: 9n });
  await new Promise((r) => setImmediate(r));
  const loose = ownTransactions(turns, sink).send([{ stream: 'anomalies', key: 'm', value: '{}', headers: {} }]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['begin 1', 'send 1 f:c'], 'the loose send waits its turn');
  release();
  await Promise.all([ran, loose]);
  assert.deepEqual(events, ['begin 1', 'send 1 f:c', 'offsets 1', 'commit 1', 'begin 2', 'send 2 a:m', 'commit 2']);
  assert.equal(slot.current, null);
});

test('a failed loose send aborts its transaction and rejects; the next transaction still runs', async () => {
  const failing = fakeProducer({ failSend: true });
  const slot = new TransactionSlot();
  const turns = new TransactionTurns(failing.producer, slot, log);
  await assert.rejects(ownTransactions(turns, new KafkaSink(slot, topics)).send([{ stream: 'anomalies', key: 'm', value: '{}', headers: {} }]), /could not write 1 output/);
  assert.deepEqual(failing.events, ['begin 1', 'abort 1']);
  await turns.run(async () => 'ok');
  assert.deepEqual(failing.events.slice(2), ['begin 2', 'commit 2']);
});

test('a send with no transaction in the slot rejects with TC_INTERNAL (a bug), not as a failed Kafka send', async () => {
  const failed: string[] = [];
  const sink = new KafkaSink(new TransactionSlot(), topics, { onSendFailed: (e) => failed.push(e) });
  await assert.rejects(sink.send([{ stream: 'forecasts', key: 'c', value: '{}', headers: {} }]), (err: unknown) => {
    assert.equal((err as { code?: unknown }).code, 'TC_INTERNAL');
    assert.match(String(err), /exactly-once: output written outside a transaction/);
    return true;
  });
  assert.deepEqual(failed, [], 'nothing reached Kafka: no failed send is counted');
});
