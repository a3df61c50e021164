/**
 * Alerts per feature through the whole app: in a two-feature series, a spike in the non-target
 * feature fires an alert naming that feature when `anomaly.features` is 'all' (and only then);
 * the series-level state shows which feature fires; the metric carries the feature label.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, SeriesSummary, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const N = 700;
const SPIKE_AT = 600;
const T0 = Date.UTC(2025, 0, 1);

function chunk(from: number, to: number, offset: { n: number }): RawRecord[] {
  const out: RawRecord[] = [];
  for (let k = from; k < to; k++) {
    for (const series of ['h0', 'h1']) {
      const cpu = 50 + 10 * Math.sin((2 * Math.PI * k) / 48) + Math.sin(k * 12.9898) * 0.5;
      let mem = 20 + 3 * Math.cos((2 * Math.PI * k) / 96) + Math.sin(k * 78.233) * 0.2;
      if (series === 'h1' && k === SPIKE_AT) mem += 40;
      const value = Buffer.from(JSON.stringify({ series, ts: T0 + k * 60_000, values: { cpu, mem } }));
      out.push({ key: Buffer.from(series), value, headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset.n++) }, receivedAtMs: Date.now() });
    }
  }
  return out;
}

async function run(features: 'all' | 'targets'): Promise<{ firing: Array<Record<string, unknown>>; metrics: string; summary: SeriesSummary | undefined }> {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ input: { features: ['cpu', 'mem'], targets: ['cpu'] }, anomaly: { features } }, { sink, source: idleSource });
  try {
    const offset = { n: 0 };
    let summary: SeriesSummary | undefined;
    const bounds = [0, 100, 200, 300, 400, 500, SPIKE_AT, SPIKE_AT + 1, N];
    for (let i = 1; i < bounds.length; i++) {
      await app.pipeline.handle(chunk(bounds[i - 1], bounds[i], offset));
      // Right after the spike tick: the series-level state of h1.
      if (bounds[i] === SPIKE_AT + 1) summary = app.serving.listSeries({ offset: 0, limit: 10 }).items.find((s) => s.id === 'h1');
    }
    const firing = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as Record<string, unknown>).filter((a) => a.state === 'firing');
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    return { firing, metrics, summary };
  } finally {
    await app.stop();
  }
}

test("anomaly.features 'all': a spike in a non-target feature fires an alert that names it", async () => {
  const { firing, metrics, summary } = await run('all');
  const spike = firing.find((a) => a.series === 'h1' && a.ts === T0 + SPIKE_AT * 60_000);
  assert.ok(spike, `the mem spike fired (alerts: ${JSON.stringify(firing.map((a) => [a.series, a.feature, ((a.ts as number) - T0) / 60_000]))})`);
  assert.equal(spike.feature, 'mem');
  assert.ok(firing.every((a) => a.feature === 'cpu' || a.feature === 'mem'), 'every record names its feature');
  assert.ok(!firing.some((a) => a.series === 'h1' && a.feature === 'cpu' && a.ts === spike.ts), 'the calm cpu feature did not fire with it');
  assert.match(metrics, /tickcast_anomalies_total\{severity="(warning|critical)",feature="mem",view="[a-z-]+"\} [1-9]/);
  assert.equal(summary?.anomalyState, 'firing', 'series-level state: firing while a feature fires');
  assert.deepEqual(summary?.anomalyFeatures, ['mem']);
});

test("anomaly.features 'targets' (default): only the target is scored, records name it", async () => {
  const { firing } = await run('targets');
  assert.ok(!firing.some((a) => a.feature === 'mem'), `no mem alert: ${JSON.stringify(firing.map((a) => [a.series, a.feature]))}`);
  assert.ok(firing.every((a) => a.feature === 'cpu'), 'target alerts name the target');
});

test('the anomaly counters exist at 0 from the start for each scored feature, so increase() sees the first alert; snapshot gauges are absent until a snapshot exists', async () => {
  for (const [features, scored] of [['targets', ['cpu']], ['all', ['cpu', 'mem']]] as const) {
    const app = await startTestApp({ input: { features: ['cpu', 'mem'], targets: ['cpu'] }, anomaly: { features } }, { source: idleSource });
    try {
      const metrics = await (await fetch(`${app.address()}/metrics`)).text();
      const zeros = [...metrics.matchAll(/^tickcast_anomalies_total\{severity="critical",feature="([a-z]+)",view="forecast"\} 0$/gm)].map((m) => m[1]);
      assert.deepEqual(zeros.sort(), [...scored], features);
      assert.match(metrics, /^tickcast_anomalies_total\{severity="warning",feature="cpu",view="never-seen-level"\} 0$/m);
      assert.match(metrics, /^tickcast_anomalies_resolved_total\{feature="cpu",reason="recovered"\} 0$/m);
      // No snapshotter here: no "last snapshot at 1970" sample for TickcastSnapshotStale to fire on.
      assert.doesNotMatch(metrics, /^tickcast_snapshot_(last_success_timestamp_seconds|bytes|series|interval_seconds) /m);
    } finally {
      await app.stop();
    }
  }
});
