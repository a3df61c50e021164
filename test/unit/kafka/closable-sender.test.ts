import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { ClosableSender, closableProducer } from '../../../src/adapters/kafka/closable-sender.ts';

const batch: KafkaJS.ProducerBatch = { topicMessages: [{ topic: 't', messages: [{ value: 'v' }] }] };

/** A producer whose delivery reports never come (a disconnected client): every send waits for good. */
function silentProducer() {
  let sends = 0;
  return {
    sender: { sendBatch: () => (sends++, new Promise<unknown>(() => undefined)) },
    sends: () => sends,
  };
}

test('close() fails the sends still waiting for a delivery report, with the reason', async () => {
  const inner = silentProducer();
  const s = new ClosableSender(inner.sender);
  const a = s.sendBatch(batch);
  const b = s.sendBatch(batch);
  const settled = Promise.allSettled([a, b]);
  s.close(new Error('producer disconnected'));
  const [ra, rb] = await settled;
  assert.equal(ra.status, 'rejected');
  assert.equal(rb.status, 'rejected');
  assert.match(String((ra as PromiseRejectedResult).reason), /producer disconnected/);
  assert.equal(inner.sends(), 2);
});

test('after close() a send fails at once and never reaches the producer', async () => {
  const inner = silentProducer();
  const s = new ClosableSender(inner.sender);
  s.close(new Error('producer disconnected'));
  await assert.rejects(s.sendBatch(batch), /producer disconnected/);
  assert.equal(inner.sends(), 0);
});

test('acknowledged and failed sends pass through unchanged; close() afterwards touches nothing', async () => {
  const results: unknown[] = [[{ topicName: 't', partition: 0 }], new Error('ERR__MSG_TIMED_OUT')];
  const s = new ClosableSender({ sendBatch: () => { const r = results.shift(); return r instanceof Error ? Promise.reject(r) : Promise.resolve(r); } });
  assert.deepEqual(await s.sendBatch(batch), [{ topicName: 't', partition: 0 }]);
  await assert.rejects(s.sendBatch(batch), /ERR__MSG_TIMED_OUT/);
  s.close(new Error('producer disconnected')); // nothing waits: no unhandled rejection
  await new Promise((r) => setImmediate(r));
});

test('closableProducer: its disconnect() fails the sends still waiting, also when the client\'s disconnect fails', async () => {
  for (const fails of [false, true]) {
    const producer = {
      connect: () => Promise.resolve(),
      sendBatch: () => new Promise<unknown>(() => undefined), // no delivery report, ever
      disconnect: () => (fails ? Promise.reject(new Error('disconnect failed')) : Promise.resolve()),
    } as unknown as KafkaJS.Producer;
    const p = closableProducer(producer);
    await p.connect();
    const sent = p.sendBatch(batch);
    const settled = Promise.allSettled([sent]);
    await (fails ? assert.rejects(p.disconnect(), /disconnect failed/) : p.disconnect());
    const [r] = await settled;
    assert.equal(r.status, 'rejected');
    assert.match(String((r as PromiseRejectedResult).reason), /producer was disconnected/);
    // Coded (docs/errors.md): the feedback publisher logs it as it is; until 7 Dec 2026 a plain Error.
    assert.equal((r as PromiseRejectedResult).reason.code, 'TC_SHUTTING_DOWN');
    assert.equal((r as PromiseRejectedResult).reason.retriable, true);
    await assert.rejects(p.sendBatch(batch), { code: 'TC_SHUTTING_DOWN', message: /producer was disconnected/ });
  }
});

test('closableProducer: a disconnect() while the connect waits does not wait for it; the producer is disconnected once connected', async () => {
  let connected!: () => void;
  let disconnects = 0;
  const producer = {
    connect: () => new Promise<void>((resolve) => (connected = resolve)),
    sendBatch: () => new Promise<unknown>(() => undefined),
    disconnect: () => (disconnects++, Promise.resolve()),
  } as unknown as KafkaJS.Producer;
  const p = closableProducer(producer);
  const connecting = p.connect();
  await p.disconnect(); // returns although the connect still waits (before: only after it, 30 s with no broker)
  assert.equal(disconnects, 0, 'not yet: the client cannot disconnect a producer still connecting');
  await assert.rejects(p.sendBatch(batch), { code: 'TC_SHUTTING_DOWN', message: /still connecting/ });
  connected();
  await connecting;
  await new Promise((r) => setImmediate(r));
  assert.equal(disconnects, 1, 'disconnected once connected');
});
