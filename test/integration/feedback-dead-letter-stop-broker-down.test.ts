/**
 * A stop while the brokers are down and a dead letter of the feedback topic waits for them: the
 * feedback consumer's batch writes its dead letters through the main producer (looseSink), and the
 * drain stopped that consumer — which waits for its batch — before it disconnected that producer.
 * Until 6 Dec 2026 the stop therefore waited for the client's message timeout (300 s; 60 s in
 * exactly-once, where the dead letter has a transaction of its own), past shutdown.graceMs (main.ts exited 1 without the rest of the drain). Now the
 * feedback consumer's stop shares shutdown.flushMs with the other waits for the brokers; past it the
 * producer is disconnected, which fails the waiting send, and the consumer ends
 * (docs/reliability.md § Shutdown with the brokers unreachable). Real broker (the local mock, taken
 * down the moment the malformed record is dead-lettered), real app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { App } from '../../src/app.ts';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { connectProducer, produce, testKafka } from '../helpers/kafka.ts';
import { pollUntil } from '../helpers/poll.ts';

const FLUSH_MS = 2_000;

/** Failed sends of outputs (tickcast_kafka_produce_failures_total, every error type). */
async function produceFailures(app: App): Promise<number> {
  const text = await app.metrics.registry.getSingleMetricAsString('tickcast_kafka_produce_failures_total');
  return text.split('\n').filter((l) => l.startsWith('tickcast_kafka_produce_failures_total{')).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

async function scenario(eos: boolean): Promise<void> {
  const p = uniqueName('fbdlqdown');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  const feedbackTopic = `${p}.anomalies.feedback`;
  const broker = await startBroker({ topics: [...Object.values(topics).map((name) => ({ name, partitions: 1 })), { name: feedbackTopic, partitions: 1 }] });
  const producer = await connectProducer(testKafka(broker.brokers));
  const dir = mkdtempSync(join(tmpdir(), 'tc-fbdlqdown-'));
  let app: App | null = null;
  try {
    app = await startTestApp({
      kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, fetchMaxWaitMs: 100, ...(eos ? { delivery: 'exactly-once' as const, transactionalId: `${p}-tx-0` } : {}) },
      topics,
      feedback: { topic: feedbackTopic, file: join(dir, 'feedback.jsonl') },
      shutdown: { graceMs: 30_000, flushMs: FLUSH_MS },
    });
    const a = app;
    // The brokers go down where the feedback intake counts the dead letter, just before its send
    // (the main thread held until the signal has taken effect).
    let down = false;
    const counter = a.metrics.deadLetters;
    const inc = counter.inc.bind(counter) as (...args: unknown[]) => void;
    (counter as unknown as { inc: (...args: unknown[]) => void }).inc = (...args) => {
      if (!down) {
        broker.down();
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
        down = true;
      }
      inc(...args);
    };
    await produce(producer, feedbackTopic, [{ key: 'x', value: 'not json' }]);
    assert.ok(await pollUntil(() => down, 30_000), 'the malformed feedback record is dead-lettered');
    await new Promise((r) => setTimeout(r, 1_000)); // its send waits for a broker

    const t0 = Date.now();
    const stopped = await Promise.race([a.stop(), new Promise<null>((r) => setTimeout(() => r(null), 30_000).unref())]);
    const ms = Date.now() - t0;
    assert.ok(stopped, 'stop() ended within 30 s (before: it waited for the dead letter\'s send, the client\'s message timeout: 300 s)');
    assert.ok(ms < FLUSH_MS + 10_000, `stop took ${ms} ms: the feedback consumer gets shutdown.flushMs (${FLUSH_MS} ms), then the producer's disconnect (its flush: 5 s) fails the send`);
    assert.ok((await produceFailures(a)) >= 1, 'the dead letter\'s send failed (its record stays uncommitted: read again after the restart)');
  } finally {
    // Bounded: before the fix this stop waited 300 s.
    if (app) await Promise.race([app.stop().catch(() => undefined), new Promise((r) => setTimeout(r, 5_000).unref())]);
    await producer.disconnect().catch(() => {});
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('brokers down while a feedback dead letter waits for them: the stop ends within shutdown.flushMs and a few seconds', { timeout: 120_000 }, () => scenario(false));

// Its own transaction (ownTransactions): the send waited up to the transaction's timeout (60 s).
test('exactly-once: the same stop ends within shutdown.flushMs and a few seconds', { timeout: 120_000 }, () => scenario(true));
