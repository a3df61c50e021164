/**
 * Anomaly alerting through the whole app: a spike in one series becomes a firing alert record on
 * the anomalies stream (documented schema), a metric, and a bounded per-series score gauge.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

test('a spike fires a critical alert with the documented fields; quiet series do not alert', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ anomaly: { scoreGaugeTopK: 3 } }, { sink, source: idleSource });
  try {
    const S = 6;
    const N = 900;
    const spikeAt = 800;
    const t0 = Date.UTC(2025, 0, 1);
    let offset = 0;
    for (let t = 0; t < N; t += 100) {
      const records: RawRecord[] = [];
      for (let k = t; k < t + 100; k++) {
        for (let s = 0; s < S; s++) {
          let v = 50 + 10 * Math.sin((2 * Math.PI * k) / 48 + s) + Math.sin(k * 12.9898 + s * 78.233) * 0.5;
          if (s === 2 && k === spikeAt) v += 80;
          records.push({ key: Buffer.from(`m${s}`), value: Buffer.from(JSON.stringify({ series: `m${s}`, ts: t0 + k * 60_000, value: v })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
        }
      }
      await app.pipeline.handle(records);
    }
    const alerts = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)));
    const firing = alerts.filter((a) => a.state === 'firing');
    const spike = firing.find((a) => a.series === 'm2' && a.ts === t0 + spikeAt * 60_000);
    assert.ok(spike, `the spike fired (alerts: ${JSON.stringify(firing.map((a) => [a.series, (a.ts - t0) / 60_000, a.severity]))})`);
    assert.equal(spike.severity, 'critical');
    for (const k of ['series', 'feature', 'ts', 'value', 'expected', 'lower', 'upper', 'score', 'severity', 'state', 'model', 'source']) assert.ok(k in spike, `field ${k}`);
    assert.ok(spike.value > spike.upper, 'the value is above the expected band');
    assert.deepEqual(spike.source, { topic: 'ticks', partition: 0, offset: spike.source.offset });
    assert.ok(firing.filter((a) => a.series !== 'm2').length <= 1, 'quiet series stay (nearly) silent');
    const metrics = await (await fetch(`${app.address()}/metrics`)).text();
    assert.match(metrics, /tickcast_anomalies_total\{severity="critical",feature="[^"]+",view="(forecast|volatility|seasonal|never-seen-level|never-seen-recent|never-seen-residual)"\} [1-9]/);
    const gauges = metrics.match(/^tickcast_anomaly_score\{series="[^"]+"\}/gm) ?? [];
    assert.ok(gauges.length > 0 && gauges.length <= 3, `score gauge bounded to top-k: ${gauges.length}`);
    const recent = app.serving.recentAnomalies({ series: 'm2', limit: 10 });
    assert.ok(recent.some((r) => r.ts === spike.ts), 'available to the API');
  } finally {
    await app.stop();
  }
});
