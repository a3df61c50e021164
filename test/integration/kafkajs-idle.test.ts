/**
 * The tests' own Kafka client (kafkajs 2.2.4) kept a 1 ms timer loop running on every broker
 * connection with nothing to send (test/helpers/kafkajs-idle.ts: CPU on the shared machine, and
 * Node 24's TimeoutNegativeWarning in every integration and chaos test process). With the helpers
 * loaded, an idle connection schedules no pending-request check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { connectProducer, testKafka } from '../helpers/kafka.ts';

const require = createRequire(import.meta.url);

test('an idle kafkajs producer of the test helpers checks no pending requests, and Node warns of no negative timeout', { timeout: 60_000 }, async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => void warnings.push(w.name);
  process.on('warning', onWarning);
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as { prototype: { checkPendingRequests(): void } };
  const check = RequestQueue.prototype.checkPendingRequests;
  let checks = 0;
  RequestQueue.prototype.checkPendingRequests = function (this: unknown) {
    checks++;
    check.call(this);
  };
  const topic = uniqueName('idle');
  const broker = await startBroker({ topics: [{ name: topic, partitions: 1 }] });
  const producer = await connectProducer(testKafka(broker.brokers));
  try {
    await producer.send({ topic, acks: -1, messages: [{ value: 'x' }] });
    await new Promise((r) => setTimeout(r, 50)); // the response's own check runs
    checks = 0;
    await new Promise((r) => setTimeout(r, 500));
    // Before: a check every ~1 ms (340–680 a second measured), each scheduling the next.
    assert.equal(checks, 0, 'pending-request checks while idle');
    assert.ok(!warnings.includes('TimeoutNegativeWarning'), warnings.join(', '));
  } finally {
    RequestQueue.prototype.checkPendingRequests = check;
    process.off('warning', onWarning);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
  }
});
