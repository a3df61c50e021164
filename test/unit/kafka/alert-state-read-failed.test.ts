/**
 * A take-over read of the alert state that fails is counted (tickcast_alert_state_unread_partitions_total,
 * docs/metrics.md), not only logged: before 6 Dec 2026 nothing said so on a dashboard, and the
 * alerts the previous owner left open on those partitions silently stayed open downstream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAlertState } from '../../../src/adapters/kafka/alert-state-reader.ts';
import { createMetrics } from '../../../src/telemetry/metrics.ts';
import { TelemetryObserver } from '../../../src/telemetry/pipeline-observer.ts';
import type { Logger } from '../../../src/telemetry/logger.ts';

async function counted(m: ReturnType<typeof createMetrics>, name: string): Promise<Record<string, number>> {
  const text = await m.registry.metrics();
  return Object.fromEntries([...text.matchAll(new RegExp(`^${name}(?:\\{reason="(\\w+)"\\})? (\\d+)$`, 'gm'))].map((x) => [x[1] ?? '', Number(x[2])]));
}

test('a read of the alert-state topic that fails (no broker answers) is counted as error, per partition', { timeout: 30_000 }, async () => {
  const m = createMetrics({ defaultMetrics: false });
  const observer = new TelemetryObserver(m, { scoreGaugeSeries: [], scoreGaugeTopK: 5 });
  assert.deepEqual(await counted(m, 'tickcast_alert_state_unread_partitions_total'), { timeout: 0, error: 0, missing_partition: 0 }, 'every reason at 0 from the start');
  const warnings: string[] = [];
  const log = { warn: (_o: object, msg: string) => void warnings.push(msg), info: () => undefined } as unknown as Logger;
  const o = { topic: 'state', properties: {}, brokers: ['127.0.0.1:1'], groupId: 'g.alert-state', timeoutMs: 1000, onUnread: (r: 'timeout' | 'error' | 'missing_partition', n: number) => observer.alertStateUnread(r, n) };
  const read = await readAlertState(o, [0, 1], log);
  assert.equal(read.size, 0);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.deepEqual(await counted(m, 'tickcast_alert_state_unread_partitions_total'), { timeout: 0, error: 2, missing_partition: 0 });
});

test('inherited alerts and their moved resolves are counted; other resolves are not moved', async () => {
  const m = createMetrics({ defaultMetrics: false });
  const observer = new TelemetryObserver(m, { scoreGaugeSeries: [], scoreGaugeTopK: 5 });
  observer.alertsInherited(3);
  const base = { kind: 'alert' as const, series: 's', feature: 'value', ts: 0, value: 1, severity: 'warning' as const, id: 'x' };
  observer.anomaly({ ...base, state: 'resolved', reason: 'moved' } as never);
  observer.anomaly({ ...base, state: 'resolved', reason: 'evicted' } as never);
  observer.anomaly({ ...base, state: 'resolved' } as never);
  assert.deepEqual(await counted(m, 'tickcast_alert_state_inherited_total'), { '': 3 });
  assert.deepEqual(await counted(m, 'tickcast_alert_state_moved_total'), { '': 1 });
});
