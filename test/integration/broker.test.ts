/**
 * The local mock broker (scripts/broker/) speaks enough Kafka for what tickcast's integration tests
 * need, through the same client the service uses (kafkajs): idempotent produce, consumer groups
 * with partition assignment, and recovery from a broker outage. If one of these breaks, every
 * other integration test's failure would be misleading, so they are checked here first.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Kafka, logLevel, type Consumer, type Producer, type EachMessagePayload } from 'kafkajs';
import { startBroker, uniqueName, type LocalBroker } from '../helpers/broker.ts';
import '../helpers/kafkajs-idle.ts'; // kafkajs' idle 1 ms timer loop and Node 24 TimeoutNegativeWarning (see there)

const SESSION_TIMEOUT_MS = 6000; // each rebalance after the first waits sessionTimeout - 1 s on the mock
// An idle fetch is held by the broker for maxWaitTime and disconnect() waits for it: keep it short.
const CONSUMER_OPTS = { sessionTimeout: SESSION_TIMEOUT_MS, heartbeatInterval: 500, maxWaitTimeInMs: 250 };

function kafkaFor(broker: LocalBroker): Kafka {
  return new Kafka({
    clientId: uniqueName('broker-test'),
    brokers: broker.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 12, initialRetryTime: 100, maxRetryTime: 1000 },
  });
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Consumes `topic` in group `groupId` from the beginning, recording "partition:value" per message. */
async function consumeInto(kafka: Kafka, topic: string, groupId: string, seen: string[]): Promise<Consumer> {
  const consumer = kafka.consumer({ groupId, ...CONSUMER_OPTS });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }: EachMessagePayload) => {
      seen.push(`${partition}:${message.value?.toString()}`);
    },
  });
  return consumer;
}

/** Resolves true when a TCP connection to host:port is accepted, false when refused. */
function accepts(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const sock = connect({ host, port: Number(port) });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

function values(seen: string[]): string[] {
  return seen.map((s) => s.slice(s.indexOf(':') + 1));
}

describe('local mock broker with kafkajs', () => {
  let broker: LocalBroker;
  const ticks = uniqueName('ticks');
  const split = uniqueName('split');
  const outage = uniqueName('outage');

  before(async () => {
    broker = await startBroker({
      topics: [
        { name: ticks, partitions: 3 },
        { name: split, partitions: 6 },
        { name: outage, partitions: 2 },
      ],
    });
  });
  after(async () => {
    await broker?.stop();
  });

  it('delivers exactly the messages an idempotent producer sent, in order per key', async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const sent: string[] = [];
    try {
      for (let batch = 0; batch < 10; batch++) {
        const messages = Array.from({ length: 100 }, (_, i) => {
          const n = batch * 100 + i;
          const value = `s${n % 7}#${n}`;
          sent.push(value);
          return { key: `s${n % 7}`, value };
        });
        await producer.send({ topic: ticks, messages, acks: -1 });
      }
    } finally {
      await producer.disconnect();
    }

    const seen: string[] = [];
    const consumer = await consumeInto(kafka, ticks, uniqueName('g'), seen);
    try {
      await waitUntil(`${sent.length} messages`, () => seen.length >= sent.length, 20_000);
      await new Promise((r) => setTimeout(r, 300)); // anything extra would arrive now
    } finally {
      await consumer.disconnect();
    }
    const got = values(seen);
    assert.equal(got.length, sent.length, 'no duplicates and nothing missing');
    assert.deepEqual([...got].sort(), [...sent].sort());
    // Same key → same partition, in send order.
    for (let k = 0; k < 7; k++) {
      const key = `s${k}#`;
      const forKey = seen.filter((s) => s.includes(`:${key}`));
      assert.equal(new Set(forKey.map((s) => s.split(':')[0])).size, 1, `key s${k} stays on one partition`);
      const order = forKey.map((s) => Number(s.split('#')[1]));
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `key s${k} in order`);
    }
  });

  it('auto-creates an unknown topic with 4 partitions on first use', async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer();
    const admin = kafka.admin();
    await producer.connect();
    await admin.connect();
    try {
      const topic = uniqueName('auto');
      const [res] = await producer.send({ topic, messages: [{ value: 'first' }] });
      assert.equal(res.errorCode, 0);
      const md = await admin.fetchTopicMetadata({ topics: [topic] });
      assert.equal(md.topics[0].partitions.length, 4);
      const offsets = await admin.fetchTopicOffsets(topic);
      assert.equal(offsets.reduce((n, p) => n + Number(p.high), 0), 1, 'the one message is stored');
    } finally {
      await admin.disconnect();
      await producer.disconnect();
    }
  });

  it('splits partitions between two consumers of one group, each message read once', async () => {
    const kafka = kafkaFor(broker);
    const groupId = uniqueName('g');
    const assigned = new Map<string, number[]>();
    const seenA: string[] = [];
    const seenB: string[] = [];
    const consumers: Consumer[] = [];
    const track = (name: string, c: Consumer) =>
      c.on(c.events.GROUP_JOIN, (e) => assigned.set(name, [...(e.payload.memberAssignment[split] ?? [])].sort()));
    let producer: Producer | undefined;
    const start = async (name: 'a' | 'b', seen: string[]) => {
      const c = kafka.consumer({ groupId, ...CONSUMER_OPTS });
      consumers.push(c);
      track(name, c);
      await c.connect();
      await c.subscribe({ topic: split, fromBeginning: true });
      await c.run({ eachMessage: async ({ partition, message }) => void seen.push(`${partition}:${message.value}`) });
      return c;
    };
    try {
      await start('a', seenA);
      let b = await start('b', seenB);
      const splitDone = () => {
        const a = assigned.get('a') ?? [];
        const bb = assigned.get('b') ?? [];
        return a.length > 0 && bb.length > 0 && a.length + bb.length === 6 && new Set([...a, ...bb]).size === 6;
      };
      // Each rebalance on the mock waits ≈ sessionTimeout − 1 s. Now and then the mock answers the
      // joining member's first request after the rebalance with a protocol error that kafkajs
      // treats as fatal ("request being malformed"; seen in ~1 of 4 runs, a mock defect: see
      // docs/local-broker.md). The member is then gone for good, so start it once more.
      try {
        await waitUntil('both consumers to own disjoint partitions', splitDone, 3 * SESSION_TIMEOUT_MS);
      } catch {
        await b.disconnect().catch(() => {});
        assigned.delete('b');
        b = await start('b', seenB);
        await waitUntil('both consumers to own disjoint partitions (second try)', splitDone, 4 * SESSION_TIMEOUT_MS);
      }

      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const sent = Array.from({ length: 600 }, (_, i) => `m${i}`);
      await producer.send({ topic: split, messages: sent.map((v, i) => ({ key: `k${i % 60}`, value: v })) });
      await waitUntil('all 600 messages', () => seenA.length + seenB.length >= sent.length, 20_000);
      await new Promise((r) => setTimeout(r, 300));

      assert.ok(seenA.length > 0 && seenB.length > 0, `both consumers got work (a=${seenA.length}, b=${seenB.length})`);
      assert.deepEqual([...values(seenA), ...values(seenB)].sort(), [...sent].sort());
      const partsA = new Set(seenA.map((s) => Number(s.split(':')[0])));
      for (const s of seenB) assert.ok(!partsA.has(Number(s.split(':')[0])), `partition of ${s} read by one consumer only`);
    } finally {
      await producer?.disconnect();
      await Promise.all(consumers.map((c) => c.disconnect()));
    }
  });

  it('loses nothing when every broker is down for ~3 s while producing and consuming', async () => {
    const kafka = kafkaFor(broker);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const seen: string[] = [];
    const consumer = await consumeInto(kafka, outage, uniqueName('g'), seen);
    const sent: string[] = [];
    let upAt = 0;
    let blockedMs = 0;
    try {
      for (let i = 0; i < 40; i++) {
        if (i === 10) {
          broker.down();
          setTimeout(() => {
            broker.up();
            upAt = Date.now();
          }, 3000);
        }
        const batch = Array.from({ length: 10 }, (_, j) => `o${i * 10 + j}`);
        const t = Date.now();
        await producer.send({ topic: outage, messages: batch.map((v) => ({ key: v, value: v })) });
        if (i >= 10) blockedMs = Math.max(blockedMs, Date.now() - t);
        sent.push(...batch);
      }
      assert.ok(upAt > 0, 'the brokers came back before the last send returned');
      assert.ok(blockedMs >= 2000, `a send during the outage waited for it (longest took ${blockedMs} ms)`);
      await waitUntil(`${sent.length} messages after the outage`, () => seen.length >= sent.length, 30_000);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await producer.disconnect();
      await consumer.disconnect();
    }
    // The live consumer is at-least-once: a batch whose offsets it could not commit during the
    // outage may come again after it rejoins (seen once in CI under load: 410 of 400). So: nothing
    // lost there, and every message stored exactly once (the idempotent producer's part), read
    // back from the beginning by a fresh group.
    assert.deepEqual([...new Set(values(seen))].sort(), [...sent].sort(), 'the live consumer lost nothing');
    const stored: string[] = [];
    const reader = await consumeInto(kafka, outage, uniqueName('g'), stored);
    try {
      await waitUntil(`${sent.length} stored messages`, () => stored.length >= sent.length, 30_000);
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await reader.disconnect();
    }
    assert.equal(stored.length, sent.length, 'the topic holds every message once: nothing lost, nothing duplicated');
    assert.deepEqual(values(stored).sort(), [...sent].sort());
  });
});

describe('startBroker() helper', () => {
  it('down() refuses connections on every broker, up() reopens the same ports, stop() twice is safe', async () => {
    const broker = await startBroker({ brokers: 2 });
    try {
      assert.equal(broker.brokers.length, 2);
      for (const b of broker.brokers) assert.match(b, /^127\.0\.0\.1:\d+$/);
      for (const b of broker.brokers) assert.equal(await accepts(b), true, `${b} accepts before down()`);
      broker.down();
      let refused = false;
      for (let i = 0; i < 40 && !refused; i++) {
        refused = (await Promise.all(broker.brokers.map(accepts))).every((ok) => !ok);
        if (!refused) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(refused, 'every broker refuses connections after down()');
      broker.up();
      let back = false;
      for (let i = 0; i < 40 && !back; i++) {
        back = (await Promise.all(broker.brokers.map(accepts))).every(Boolean);
        if (!back) await new Promise((r) => setTimeout(r, 25));
      }
      assert.ok(back, 'every broker accepts again on the same port after up()');
    } finally {
      const first = broker.stop();
      assert.equal(broker.stop(), first, 'stop() returns the same promise');
      await first;
    }
    assert.equal(await accepts(broker.brokers[0]), false, 'nothing listens after stop()');
  });
});
