/**
 * Alerts per feature across a restart over the real broker (issue 13): a series' `mem` alert fires
 * with anomaly.features `all`; the service restarts from its series-state snapshot with `targets`.
 * The open mem alert is resolved (reason "reset") at the series' next tick, and mem's saved detector
 * and feedback-gate state is not installed: before 6 Dec 2026 it was, and stayed for good (the gate
 * kept the series, every later snapshot carried mem's ≈ 54 KiB per series).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { produce } from '../helpers/kafka.ts';
import { startRestartRig } from '../helpers/restart-rig.ts';
import { decodeSnapshot } from '../../src/pipeline/snapshot/codec.ts';

const T0 = Date.UTC(2025, 0, 1);
const SPIKE = 600;

function ticks(from: number, to: number) {
  const out: Array<{ key: string; value: string }> = [];
  for (let k = from; k < to; k++) {
    const cpu = 50 + 10 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.5;
    const mem = 20 + 3 * Math.cos((2 * Math.PI * k) / 96) + Math.sin(k * 78.233) * 0.2 + (k === SPIKE ? 40 : 0);
    out.push({ key: 'h1', value: JSON.stringify({ series: 'h1', ts: T0 + k * 60_000, values: { cpu, mem } }) });
  }
  return out;
}

test('anomaly.features all → targets across a restart: the mem alert is resolved (reset) and mem\'s saved state is not installed', { timeout: 300_000 }, async () => {
  const rig = await startRestartRig('featrestart', { tickPartitions: 1, watch: ['anomalies'] });
  const alerts = () => rig.c.of(rig.topics.anomalies).map((m) => JSON.parse(String(m.value)) as Record<string, any>).filter((r) => r.kind === 'alert');
  const input = { features: ['cpu', 'mem'], targets: ['cpu'] };
  try {
    const app1 = await rig.start({ ...rig.config, input, anomaly: { features: 'all' } });
    await produce(rig.producer, rig.topics.ticks, ticks(0, SPIKE + 2));
    await rig.c.waitFor(() => alerts().some((r) => r.feature === 'mem' && r.state === 'firing'), 60_000, 'the mem alert');
    await app1.stop();
    assert.ok(!alerts().some((r) => r.feature === 'mem' && r.state === 'resolved'), 'still firing at the restart');

    const app2 = await rig.start({ ...rig.config, input, anomaly: { features: 'targets' } });
    await produce(rig.producer, rig.topics.ticks, ticks(SPIKE + 2, SPIKE + 4));
    await rig.c.waitFor(() => alerts().some((r) => r.feature === 'mem' && r.state === 'resolved'), 60_000, 'the mem alert resolved');
    assert.equal(alerts().find((r) => r.feature === 'mem' && r.state === 'resolved')?.reason, 'reset');
    assert.equal(app2.stateSizes().feedbackGate, 0, "the gate holds no open alert of the series (mem's was not installed)");
    await app2.stop();
    const tree = decodeSnapshot(readFileSync(path.join(rig.dir, 'model', 'series-state', 'series-state.snap'))) as { series: Array<{ id: string; d: Record<string, unknown> | null }> };
    assert.deepEqual(Object.keys(tree.series.find((e) => e.id === 'h1')?.d ?? {}), ['cpu'], 'the next snapshot holds cpu\'s detector state only');
  } finally {
    await rig.close();
  }
});
