/**
 * A mistyped (or not yet created) input topic on a cluster that allows auto-creation
 * (auto.create.topics.enable=true, Apache Kafka's broker default; the local broker creates a topic
 * on any Metadata request that allows it): the consumer must not create it — the typo would become
 * an empty topic, /readyz would go 200 and the service would wait on it for good, saying nothing.
 * A regression guard: librdkafka 2.15.1 asks for creation only for topics it holds a handle for
 * (not for a bare subscription), so this passed before the consumer was set to
 * allow.auto.create.topics=false too (docs/kafka-client.md "An input topic that does not exist yet").
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { testKafka } from '../helpers/kafka.ts';
import type { App } from '../../src/app.ts';

async function readyz(app: App): Promise<{ status: number; reasons: string[] }> {
  const res = await fetch(`${app.address()}/readyz`);
  return { status: res.status, reasons: ((await res.json()) as { reasons: string[] }).reasons };
}

test('a missing input topic is not auto-created by the consumer: it stays missing and /readyz says so', async () => {
  const p = uniqueName('typo');
  const topics = { ticks: `${p}.tikcs`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  const broker = await startBroker({ topics: [topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 })) });
  const admin = testKafka(broker.brokers).admin();
  await admin.connect();
  const app = await startTestApp({ kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, metadataRefreshMs: 1000 }, topics });
  try {
    // Several metadata refreshes (1 s each) of the subscription.
    await new Promise((r) => setTimeout(r, 5000));
    const listed = await admin.listTopics();
    assert.ok(!listed.includes(topics.ticks), `the input topic was not created (topics: ${listed.filter((t) => t.startsWith(p)).join(', ')})`);
    assert.deepEqual(await readyz(app), {
      status: 503,
      reasons: [`waiting to join the consumer group: input topic "${topics.ticks}" does not exist yet (it is read from its start once it appears)`],
    });
  } finally {
    await app.stop();
    await admin.disconnect().catch(() => {});
    await broker.stop();
  }
});
