/**
 * topics.alertState and an input topic that grows while the service runs (docs/reliability.md
 * § Open alerts that follow their partition): the alert-state topic keeps 2 partitions, the input
 * goes from 2 to 3, and the group is assigned the new one. A series on it fires an alert. Before
 * 6 Dec 2026 (evening) the alert's state record went to alert-state partition 2, which does not
 * exist: librdkafka failed the whole send ("Local: Unknown partition"), the chunk was sent again
 * and again, and nothing after it on that partition was ever handled. Now the read at assignment
 * notes the partitions the alert-state topic lacks and no state is written for their series.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { Collector, connectProducer, testKafka } from '../helpers/kafka.ts';
import { until } from '../helpers/poll.ts';
import type { KafkaSource } from '../../src/adapters/kafka/source.ts';
import type { App } from '../../src/app.ts';

const T0 = Date.UTC(2025, 0, 1);
const STEP = 600;

/** Ticks [from, to) of `id` on input partition `partition`: a sine that steps up by 80 at STEP and stays up (its alert fires). */
function ticks(id: string, partition: number, from: number, to: number) {
  const out: Array<{ key: string; value: string; partition: number }> = [];
  for (let i = from; i < to; i++) {
    const v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48) + Math.sin(i * 12.9898) * 0.5 + (i >= STEP ? 80 : 0);
    out.push({ key: id, partition, value: JSON.stringify({ series: id, ts: T0 + i * 60_000, value: v }) });
  }
  return out;
}

async function counter(app: App, name: string): Promise<Record<string, number>> {
  const text = await app.metrics.registry.metrics();
  return Object.fromEntries([...text.matchAll(new RegExp(`^${name}(?:\\{\\w+="(\\w+)"\\})? (\\d+)$`, 'gm'))].map((x) => [x[1] ?? '', Number(x[2])]));
}

test('an alert on a series of an input partition added while running (the alert-state topic lacks it): published, and the partition goes on', { timeout: 300_000 }, async () => {
  const prefix = uniqueName('alertstate-grown');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.dlq`, alertState: `${prefix}.alert-state` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, { name: topics.alertState, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const out = await Collector.start(kafka, [topics.anomalies], uniqueName('collect'));
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-alertstate-grown-'));
  let app: App | null = null;
  try {
    app = await startTestApp({
      kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, metadataRefreshMs: 1000 },
      topics,
      model: { dir: path.join(dir, 'model') },
      snapshots: { enabled: false },
    });
    const a = app;
    await until(() => (a.source as KafkaSource).partitions.length === 2, 30_000, 'the app owning both input partitions');
    await broker.addPartitions(topics.ticks, 3);
    await until(() => (a.source as KafkaSource).partitions.includes(2), 60_000, 'the group rebalanced onto the new input partition');

    const send = (from: number, to: number) => producer.send({ topic: topics.ticks, acks: -1, messages: ticks('g2', 2, from, to) });
    const alerts = () => out.of(topics.anomalies).map((m) => JSON.parse(String(m.value)) as { kind?: string; series: string; state: string }).filter((r) => r.kind === 'alert' && r.series === 'g2');
    await send(0, STEP + 6);
    await out.waitFor(() => alerts().some((r) => r.state === 'firing'), 120_000, 'the alert of the series on the new partition firing');
    // What comes after the chunk that carried the firing is handled too: that chunk's send went through.
    await send(STEP + 6, STEP + 16);
    const lastTs = T0 + (STEP + 15) * 60_000;
    await until(() => a.serving.getSeries('g2')?.lastTs === lastTs, 60_000, 'the ticks after the firing handled (before the fix: never, the chunk that carried the firing failed again and again)');
    assert.deepEqual(await counter(a, 'tickcast_kafka_produce_failures_total'), {}, 'no send failed');
    assert.equal((await counter(a, 'tickcast_alert_state_unread_partitions_total')).missing_partition, 1, 'the partition the alert-state topic lacks is counted');
  } finally {
    await app?.stop().catch(() => undefined);
    await out.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
