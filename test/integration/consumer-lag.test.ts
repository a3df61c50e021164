/**
 * tickcast_consumer_lag through a real Kafka protocol broker over TCP (src/adapters/kafka/lag.ts):
 * a rebalance that moves partitions away removes their series on the instance that lost them.
 * (The committed offsets come from the consumer's committed(), not the admin client's OffsetFetch:
 * docs/metrics.md says why — librdkafka#4605.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import type { App } from '../../src/app.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';
import { startTestApp } from '../helpers/app.ts';
import { pollUntil } from '../helpers/poll.ts';

/** The partitions an app reports tickcast_consumer_lag for, sorted. */
async function lagPartitions(app: App): Promise<number[]> {
  const text = await app.metrics.registry.getSingleMetricAsString('tickcast_consumer_lag');
  return [...text.matchAll(/^tickcast_consumer_lag\{[^}]*partition="(\d+)"\}/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
}

test('a rebalance that moves partitions away: their lag series go from the instance that lost them (no frozen series), and come back when they return', { timeout: 180_000 }, async () => {
  const p = uniqueName('lagmove');
  const topics = { ticks: `${p}.ticks`, forecasts: `${p}.forecasts`, anomalies: `${p}.anomalies`, dlq: `${p}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 4 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const config = { kafka: { brokers: broker.brokers, groupId: `${p}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, lagIntervalMs: 500 }, topics };
  const mine = (app: App) => [...(app.source as KafkaSource).partitions].sort((a, b) => a - b);
  const a = await startTestApp(config);
  let b: App | null = null;
  try {
    assert.ok(await pollUntil(async () => (await lagPartitions(a)).length === 4, 30_000), 'the first instance reports lag for its 4 partitions');
    b = await startTestApp(config);
    const split = await pollUntil(() => mine(a).length > 0 && mine(b!).length > 0 && mine(a).length + mine(b!).length === 4, 60_000);
    assert.ok(split, `the group split the partitions (a: ${mine(a).join(',')}; b: ${mine(b).join(',')})`);
    await new Promise((r) => setTimeout(r, 1500)); // three lag reads
    assert.deepEqual(await lagPartitions(a), mine(a), 'the instance that lost partitions reports only those it owns');
    assert.deepEqual(await lagPartitions(b), mine(b), 'the one that took them reports them');
    await b.stop();
    assert.ok(await pollUntil(async () => mine(a).length === 4 && (await lagPartitions(a)).length === 4, 60_000), 'all back on the first instance, each with a series');
    assert.deepEqual(await lagPartitions(b), [], 'none left on the stopped instance');
  } finally {
    await Promise.all([a.stop(), b?.stop()]);
    await broker.stop();
  }
});
