/**
 * A REST feedback whose publication to the feedback topic waits for brokers that went down, then a
 * stop: the stop disconnects the feedback publisher, which drops the record without a delivery
 * report. Until 6 Dec 2026 the publication waited for that report for good, so the request never
 * ended, the HTTP server's close waited for it and the stop never returned (a test file, or a
 * process that embeds the service, never exited). Now the send fails once the publisher is
 * disconnected: the request is answered (the feedback applies here; the publish failure is logged)
 * and the stop ends.
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

/** tickcast_feedback_total for one channel, every verdict. */
async function feedbackCount(app: App, channel: string): Promise<number> {
  const text = await app.metrics.registry.getSingleMetricAsString('tickcast_feedback_total');
  return text.split('\n').filter((l) => l.startsWith('tickcast_feedback_total{') && l.includes(`channel="${channel}"`)).reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

/** `p` settled within `ms`: true; false when it still waits then. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

test('brokers down while a REST feedback is being published: the stop ends, and the request is answered', { timeout: 180_000 }, async () => {
  const p = uniqueName('fbdown');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  const feedbackTopic = `${p}.anomalies.feedback`;
  const broker = await startBroker({ topics: [...Object.values(topics).map((name) => ({ name, partitions: 1 })), { name: feedbackTopic, partitions: 1 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const dir = mkdtempSync(join(tmpdir(), 'tc-fbdown-'));
  let app: App | null = null;
  try {
    app = await startTestApp({
      kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
      topics,
      feedback: { topic: feedbackTopic, file: join(dir, 'feedback.jsonl') },
      http: { allowUnauthenticatedMutations: true },
      shutdown: { graceMs: 30_000, flushMs: 3_000 },
    });
    const a = app;
    // An alert with feedback (from the topic), so that a REST change of it is published.
    await produce(producer, feedbackTopic, [{ key: 'a1', value: JSON.stringify({ alertId: 'a1', verdict: 'false_positive', series: 'web-1:cpu', ts: 1_735_689_600_000, score: 0.52 }) }]);
    assert.ok(await pollUntil(async () => (await feedbackCount(a, 'kafka')) >= 1, 30_000), 'the topic feedback is applied');

    broker.down();
    await new Promise((r) => setTimeout(r, 300)); // the signal takes a few ms
    const post = fetch(`${a.address()}/v1/anomalies/a1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'confirmed' }) });
    post.catch(() => undefined);
    // Recorded here, then published: the publication waits for a broker.
    assert.ok(await pollUntil(async () => (await feedbackCount(a, 'http')) >= 1, 10_000), 'the REST feedback is recorded');

    const stopped = a.stop();
    // flushMs (3 s) + the publishers' flushes at disconnect (5 s each) + the HTTP close: well under 60 s.
    assert.ok(await settlesWithin(stopped, 60_000), 'the stop ends although a feedback publication was waiting for the brokers');
    const res = await post;
    assert.equal(res.status, 200, 'the request is answered: the feedback applies here, the failed publication is logged');
  } finally {
    // Bounded: before the fix this stop never ended.
    if (app) await settlesWithin(app.stop(), 5_000);
    await producer.disconnect().catch(() => {});
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
