/**
 * A grouped incident open when the service restarts closes after its span of quiet, and its
 * `closed` record reaches the anomalies topic (docs/reliability.md, "Series-state snapshots"):
 * through the real broker and the real app, restarted from its shutdown snapshot. Before the
 * incidents were in the snapshot, the restarted grouper started empty and the incident stayed
 * `open` on the topic for good.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { produce } from '../helpers/kafka.ts';
import { startRestartRig } from '../helpers/restart-rig.ts';

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
  const rig = await startRestartRig('increst', { tickPartitions: 2, watch: ['anomalies'] });
  const { topics, producer, c } = rig;
  const config = { ...rig.config, incidents: { groupBy: 'prefix' as const, spanMs: 5 * 60_000 } };
  const incidents = () => c.of(topics.anomalies).map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'incident');
  try {
    const app1 = await rig.start(config);
    // Up to two minutes after the second spike: the incident is open (span 5 min).
    await produce(producer, topics.ticks, ticks(0, 605));
    await c.waitFor(() => incidents().some((r) => r.state === 'open'), 60_000, 'the incident opened');
    const opened = incidents().find((r) => r.state === 'open');
    assert.deepEqual(opened.series, SERIES);
    await app1.stop(); // shutdown snapshot: offsets = committed, nothing to replay
    assert.ok(!incidents().some((r) => r.state === 'closed'), 'still open at the restart');

    const app2 = await rig.start(config);
    const listed = (await (await fetch(`${app2.address()}/v1/incidents?state=open`)).json()).items;
    assert.deepEqual(listed.map((r: { id: string }) => r.id), [opened.id], 'listed open after the restart');
    // Its alerts, still firing at the restart, resolve (around minute 624), then quiet ticks past the
    // span: the incident closes, as without the restart.
    await produce(producer, topics.ticks, ticks(605, 640));
    await c.waitFor(() => incidents().some((r) => r.state === 'closed'), 30_000, 'the closed record of the incident');
    const closed = incidents().filter((r) => r.state === 'closed');
    assert.equal(closed.length, 1);
    assert.equal(closed[0].id, opened.id);
    assert.equal(closed[0].count, 2);
  } finally {
    await rig.close();
  }
});
