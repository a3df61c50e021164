/**
 * A device bridge that publishes one record per reading at the same ts ({cpu} then {mem}), through
 * the whole app (input.missingFeature carry, anomaly.features all). The later record is merged into
 * its tick (tick-again.ts); until 7 Dec 2026 it was never scored: a mem alert already firing closed
 * as `stale` after windows.idleEvictMs although mem kept arriving, a mem anomaly never fired, and
 * tickcast_feature_carried_total{feature="mem"} counted every tick. Two series: h1's mem record
 * comes in the same chunk as its tick, h2's in the chunk after (its tick already scored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const SPIKE_AT = 600;
const N = 700;
const T0 = Date.UTC(2025, 0, 1);
const MIN = 60_000;

const cpuAt = (k: number): number => 50 + 10 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.5;
const memAt = (k: number): number => 20 + 3 * Math.cos((2 * Math.PI * k) / 96) + Math.sin(k * 78.233) * 0.2 + (k === SPIKE_AT ? 40 : 0);

test('a reading merged into its tick is scored: its alert fires and recovers, never resolves as stale while readings arrive, and is not counted as carried', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const config = { input: { features: ['cpu', 'mem'], targets: ['cpu'], missingFeature: 'carry' as const }, anomaly: { features: 'all' as const }, windows: { idleEvictMs: 30 * MIN } };
  const app = await startTestApp(config, { sink, source: idleSource });
  let offset = 0;
  const rec = (series: string, k: number, values: Record<string, number>): RawRecord => ({
    key: Buffer.from(series),
    value: Buffer.from(JSON.stringify({ series, ts: T0 + k * MIN, values })),
    headers: {},
    source: { topic: 'ticks', partition: 0, offset: String(offset++) },
    receivedAtMs: Date.now(),
  });
  try {
    // One record per tick up to the spike: mem fires at SPIKE_AT on both series.
    for (let from = 0; from <= SPIKE_AT; from += 200) {
      const batch: RawRecord[] = [];
      for (let k = from; k < Math.min(from + 200, SPIKE_AT + 1); k++) for (const s of ['h1', 'h2']) batch.push(rec(s, k, { cpu: cpuAt(k), mem: memAt(k) }));
      await app.pipeline.handle(batch);
    }
    // Then the bridge: {cpu}, then {mem} at the same ts; h2's mem in the next chunk.
    for (let k = SPIKE_AT + 1; k < N; k++) {
      await app.pipeline.handle([rec('h1', k, { cpu: cpuAt(k) }), rec('h2', k, { cpu: cpuAt(k) }), rec('h1', k, { mem: memAt(k) })]);
      await app.pipeline.handle([rec('h2', k, { mem: memAt(k) })]);
    }
    const alerts = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as Record<string, unknown>);
    for (const series of ['h1', 'h2']) {
      const mem = alerts.filter((a) => a.series === series && a.feature === 'mem').map((a) => [a.state, ((a.ts as number) - T0) / MIN, a.reason ?? null]);
      assert.deepEqual(mem[0], ['firing', SPIKE_AT, null], `${series}: ${JSON.stringify(mem)}`);
      assert.ok(!mem.some((a) => a[2] === 'stale'), `${series}: no stale resolve while mem arrives: ${JSON.stringify(mem)}`);
      const resolved = mem.find((a) => a[0] === 'resolved');
      assert.ok(resolved && resolved[2] === null && (resolved[1] as number) < SPIKE_AT + 31, `${series}: recovered on its merged readings: ${JSON.stringify(mem)}`);
      const body = (await (await fetch(`${app.address()}/v1/series/${series}`)).json()) as { window: { carried: Record<string, number> } };
      assert.deepEqual(body.window.carried, {}, series);
    }
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /^tickcast_feature_carried_total\{feature="mem"\} 0$/m, 'every mem reading arrived (merged)');
    assert.match(metrics, new RegExp(`^tickcast_ticks_total\\{result="merged"\\} ${2 * (N - SPIKE_AT - 1)}$`, 'm'));
  } finally {
    await app.stop();
  }
});
