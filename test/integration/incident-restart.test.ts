/**
 * A grouped incident open when the service restarts closes after its span of quiet, and its
 * `closed` record reaches the anomalies topic (docs/reliability.md, "Series-state snapshots"):
 * through the real broker and the real app, restarted from its shutdown snapshot. Before the
 * incidents were in the snapshot, the restarted grouper started empty and the incident stayed
 * `open` on the topic for good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startBroker, uniqueName } from '../helpers/broker.ts';
import { startTestApp } from '../helpers/app.ts';
import { Collector, connectProducer, produce, testKafka } from '../helpers/kafka.ts';
import type { App } from '../../src/app.ts';

const T0 = Date.UTC(2025, 0, 1);
const SERIES = ['web-1:cpu', 'web-1:mem'];
const SPIKES: Record<string, number> = { 'web-1:cpu': 600, 'web-1:mem': 602 };

/** Ticks [from, to) of both series, a spike on each near the end of the first part. */
function ticks(from: number, to: number) {
  const out: Array<{ key: string; value: string }> = [];
  for (let i = from; i < to; i++) {
    SERIES.forEach((id, s) => {
      let v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48 + s) + Math.sin(i * 12.9898 + s * 78.233) * 0.5;
      if (SPIKES[id] === i) v += 80;
      out.push({ key: id, value: JSON.stringify({ series: id, ts: T0 + i * 60_000, value: v }) });
    });
  }
  return out;
}

test('an incident open at a restart closes after its span and its closed record is published', { timeout: 300_000 }, async () => {
  const prefix = uniqueName('increst');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 2 }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const c = await Collector.start(kafka, [topics.anomalies], uniqueName('collect'));
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-inc-it-'));
  const config = {
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
    topics,
    model: { dir: path.join(dir, 'model') },
    snapshots: { enabled: true, intervalMs: 0 },
    incidents: { groupBy: 'prefix' as const, spanMs: 5 * 60_000 },
  };
  const incidents = () => c.of(topics.anomalies).map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'incident');
  const apps: App[] = [];
  try {
    const app1 = await startTestApp(config);
    apps.push(app1);
    // Up to two minutes after the second spike: the incident is open (span 5 min).
    await produce(producer, topics.ticks, ticks(0, 605));
    await c.waitFor(() => incidents().some((r) => r.state === 'open'), 60_000, 'the incident opened');
    const opened = incidents().find((r) => r.state === 'open');
    assert.deepEqual(opened.series, SERIES);
    await app1.stop(); // shutdown snapshot: offsets = committed, nothing to replay
    assert.ok(!incidents().some((r) => r.state === 'closed'), 'still open at the restart');

    const app2 = await startTestApp(config);
    apps.push(app2);
    const listed = (await (await fetch(`${app2.address()}/v1/incidents?state=open`)).json()).items;
    assert.deepEqual(listed.map((r: { id: string }) => r.id), [opened.id], 'listed open after the restart');
    // Quiet ticks past the span: the incident closes, as without the restart.
    await produce(producer, topics.ticks, ticks(605, 620));
    await c.waitFor(() => incidents().some((r) => r.state === 'closed'), 30_000, 'the closed record of the incident');
    const closed = incidents().filter((r) => r.state === 'closed');
    assert.equal(closed.length, 1);
    assert.equal(closed[0].id, opened.id);
    assert.equal(closed[0].count, 2);
  } finally {
    for (const a of apps) await a.stop().catch(() => undefined);
    await c.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
