/**
 * topics.alertState and an input topic that grows while the service runs (docs/reliability.md
 * § Open alerts that follow their partition): the alert-state topic keeps 2 partitions, the input
 * goes from 2 to 3, and the group is assigned the new one. A series on it fires an alert. Before
 * 6 Dec 2026 (evening) the alert's state record went to alert-state partition 2, which does not
 * exist: librdkafka failed the whole send ("Local: Unknown partition"), the chunk was sent again
 * and again, and nothing after it on that partition was ever handled. Now the read at assignment
 * notes the partitions the alert-state topic lacks and no state is written for their series.
 *
 * The second case makes that read fail (as a metadata timeout would): before the fix that followed
 * (6 Dec 2026, late evening) such a partition was not noted, and its first alert stalled it as
 * before. The alert-state topic's partition count known at start now decides it.
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
import { kafkaClientModule } from '../../src/adapters/kafka/client.ts';
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

type Callback = (err: unknown, data?: unknown) => void;
type RawConsumer = { connect(o: unknown, cb: Callback): unknown };

/**
 * From `arm()` on, every read of the alert-state topic at assignment fails: its consumer (a plain
 * librdkafka KafkaConsumer taken from the client module, src/adapters/kafka/alert-state-reader.ts)
 * connects, but its connect reports an error. The group's own consumer is built inside the client
 * and is not touched. `restore()` puts the module back.
 */
function failingStateReads(): { arm(): void; failed(): number; restore(): void } {
  const mod = kafkaClientModule() as unknown as Record<string, unknown>;
  const Real = mod.KafkaConsumer as new (conf: Record<string, unknown>, topicConf: unknown) => RawConsumer;
  let armed = false;
  let failed = 0;
  mod.KafkaConsumer = function (conf: Record<string, unknown>, topicConf: unknown): RawConsumer {
    const c = new Real(conf, topicConf);
    if (armed && String(conf['group.id']).endsWith('.alert-state')) {
      const connect = c.connect.bind(c);
      c.connect = (o, cb) => connect(o, () => {
        failed++;
        cb(new Error('test: the alert-state read fails'));
      });
    }
    return c;
  };
  return { arm: () => void (armed = true), failed: () => failed, restore: () => void (mod.KafkaConsumer = Real) };
}

for (const failRead of [false, true]) {
  const how = failRead ? ', its alert-state read at assignment failing' : '';
  test(`an alert on a series of an input partition added while running (the alert-state topic lacks it${how}): published, and the partition goes on`, { timeout: 300_000 }, async () => {
    await grownInput(failRead);
  });
}

async function grownInput(failRead: boolean): Promise<void> {
  const prefix = uniqueName('alertstate-grown');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.dlq`, alertState: `${prefix}.alert-state` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, { name: topics.alertState, partitions: 2 }, ...[topics.forecasts, topics.anomalies, topics.dlq].map((name) => ({ name, partitions: 1 }))] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const out = await Collector.start(kafka, [topics.anomalies], uniqueName('collect'));
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-alertstate-grown-'));
  let app: App | null = null;
  const reads = failingStateReads();
  try {
    app = await startTestApp({
      kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true, metadataRefreshMs: 1000 },
      topics,
      model: { dir: path.join(dir, 'model') },
      snapshots: { enabled: false },
    });
    const a = app;
    await until(() => (a.source as KafkaSource).partitions.length === 2, 30_000, 'the app owning both input partitions');
    if (failRead) reads.arm();
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
    const unread = await counter(a, 'tickcast_alert_state_unread_partitions_total');
    if (failRead) assert.ok(reads.failed() > 0 && (unread.error ?? 0) > 0, 'the read at assignment failed');
    else assert.equal(unread.missing_partition, 1, 'the partition the alert-state topic lacks is counted');
  } finally {
    reads.restore();
    await app?.stop().catch(() => undefined);
    await out.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
