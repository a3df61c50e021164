/**
 * Feedback on an alert still firing when the service restarted (a deploy while on call): the alert
 * comes back open from the series-state snapshot, so POST /v1/anomalies/:id/feedback finds it.
 * Before, the alert index started empty and the call answered 404 TC_ALERT_NOT_FOUND until the
 * alert fired again.
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

/** Ticks [from, to) of one series; from tick 600 on it sits far above its usual level (still firing). */
function ticks(from: number, to: number) {
  const out: Array<{ key: string; value: string }> = [];
  for (let i = from; i < to; i++) {
    const v = 50 + 10 * Math.sin((2 * Math.PI * i) / 48) + Math.sin(i * 12.9898) * 0.5 + (i === 600 ? 80 : 0);
    out.push({ key: 'web-1:cpu', value: JSON.stringify({ series: 'web-1:cpu', ts: T0 + i * 60_000, value: v }) });
  }
  return out;
}

test('feedback on an alert that was firing at a restart is accepted after it', { timeout: 300_000 }, async () => {
  const prefix = uniqueName('fbrest');
  const topics = { ticks: `${prefix}.ticks`, forecasts: `${prefix}.forecasts`, anomalies: `${prefix}.anomalies`, dlq: `${prefix}.ticks.dlq` };
  const broker = await startBroker({ topics: [{ name: topics.ticks, partitions: 1 }, { name: topics.forecasts, partitions: 1 }, { name: topics.anomalies, partitions: 1 }, { name: topics.dlq, partitions: 1 }] });
  const kafka = testKafka(broker.brokers);
  const producer = await connectProducer(kafka);
  const c = await Collector.start(kafka, [topics.anomalies], uniqueName('collect'));
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-fb-it-'));
  const config = {
    kafka: { brokers: broker.brokers, groupId: `${prefix}-svc`, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500, fromBeginning: true },
    topics,
    model: { dir: path.join(dir, 'model') },
    snapshots: { enabled: true, intervalMs: 0 },
    http: { allowUnauthenticatedMutations: true },
  };
  const alerts = () => c.of(topics.anomalies).map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'alert');
  const apps: App[] = [];
  try {
    const app1 = await startTestApp(config);
    apps.push(app1);
    await produce(producer, topics.ticks, ticks(0, 602));
    await c.waitFor(() => alerts().some((r) => r.state === 'firing'), 60_000, 'the alert');
    await app1.stop();
    const firing = alerts().find((r) => r.state === 'firing');
    assert.ok(!alerts().some((r) => r.state === 'resolved'), 'still firing at the restart');

    const app2 = await startTestApp(config);
    apps.push(app2);
    const res = await fetch(`${app2.address()}/v1/anomalies/${firing.id}/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'false_positive' }) });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.equal(body.alertId, firing.id);
    assert.equal(body.series, 'web-1:cpu');
  } finally {
    for (const a of apps) await a.stop().catch(() => undefined);
    await c.stop().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await broker.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
