/**
 * Every per-series map of the service follows evictions (app.stateSizes(), the maps the soak
 * harness samples, load/soak.ts): after all series are evicted while one fires, only the series
 * that ticks next is held anywhere. A holder that kept an evicted series would grow with churn
 * for as long as the instance runs. Driven through the real app, as evicted-alerts.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const t0 = Date.UTC(2025, 0, 1);
const SPIKE = 800;

function value(s: number, k: number): number {
  const v = 50 + 10 * Math.sin((2 * Math.PI * k) / 48 + s) + Math.sin(k * 12.9898 + s * 78.233) * 0.5;
  return s === 2 && k >= SPIKE ? v + 80 : v; // h1:m2 steps up and stays up: its alert keeps firing
}

test('after every series is evicted (one of them firing), each per-series map holds only the series that ticked since', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({}, { sink, source: idleSource });
  let offset = 0;
  const feed = async (k0: number, k1: number, ids: number[]) => {
    const records: RawRecord[] = [];
    for (let k = k0; k < k1; k++) {
      for (const s of ids) records.push({ key: Buffer.from(`h1:m${s}`), value: Buffer.from(JSON.stringify({ series: `h1:m${s}`, ts: t0 + k * 60_000, value: value(s, k) })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
    }
    for (let i = 0; i < records.length; i += 100) await app.pipeline.handle(records.slice(i, i + 100));
  };
  try {
    await feed(0, SPIKE + 6, [0, 1, 2, 3, 4, 5]);
    const firing = sent.map((m) => JSON.parse(String(m.value))).filter((r) => r.kind === 'alert' && r.series === 'h1:m2');
    assert.equal(firing.at(-1)?.state, 'firing', 'h1:m2 fires');
    const before = app.stateSizes();
    for (const key of ['registry', 'windows', 'outlook', 'detector', 'fusion', 'bandQuality']) assert.equal(before[key], 6, `${key} holds the 6 series: ${JSON.stringify(before)}`);
    assert.ok(before.incidentsFiringSeries >= 1, `h1:m2's open alert is held: ${JSON.stringify(before)}`);
    // The feedback gate keeps only alerts it held back: h1:m2's, published, is the outlook's alone (since 7 Dec 2026).
    assert.equal(before.feedbackGate, 0, `no second copy of h1:m2's open alert: ${JSON.stringify(before)}`);
    app.store.evictIdle(Date.now() + 10 * app.config.windows.idleEvictMs); // every series idle
    await feed(SPIKE + 6, SPIKE + 7, [7]);
    const after = app.stateSizes();
    for (const key of ['registry', 'windows', 'outlook', 'detector', 'homes']) assert.equal(after[key], 1, `${key} holds h1:m7 only: ${JSON.stringify(after)}`);
    assert.equal(after.units, 0, `JSON ticks carry no SenML units: ${JSON.stringify(after)}`);
    for (const key of ['fusion', 'bandQuality', 'feedbackGate', 'incidentsFiringSeries']) assert.equal(after[key], 0, `${key} holds no series (h1:m7 has no forecast yet): ${JSON.stringify(after)}`);
    assert.ok(after.alertIndex >= 1 && after.incidentsSeen >= 1 && after.recentAnomalies >= 1, 'what outlives a series by design (capped): the alert index, the replay marks, the recent-anomalies ring');
  } finally {
    await app.stop();
  }
});

/**
 * A series never admitted holds nothing. With input.missingFeature 'carry', a device whose first
 * tick lacks a feature has nothing to carry: the tick is refused ('incomplete', dead-lettered) and
 * the series is never admitted to the registry, so no eviction ever reaches it. Until 7 Dec 2026
 * its input partition was noted anyway (SeriesHomes, which stateSizes did not count): one entry
 * for good per such device id — with 100,000s of devices coming and going, a map that only grew,
 * walked at each rebalance (partition-release.ts) — measured: 500 refused series, 500 entries.
 */
test('series whose every tick was refused as incomplete leave no entry in any per-series map', async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const app = await startTestApp({ input: { features: ['temp', 'hum'], targets: ['temp'], missingFeature: 'carry' } }, { sink, source: idleSource });
  try {
    const N = 500;
    const records: RawRecord[] = Array.from({ length: N }, (_, i) => ({
      key: Buffer.from(`dev-${i}`),
      value: Buffer.from(JSON.stringify({ ts: t0, values: { temp: 20 } })), // hum missing, nothing to carry
      headers: {},
      source: { topic: 'ticks', partition: i % 4, offset: String(i) },
      receivedAtMs: Date.now(),
    }));
    for (let i = 0; i < N; i += 100) await app.pipeline.handle(records.slice(i, i + 100));
    assert.equal(sent.filter((m) => m.stream === 'dlq').length, N, 'each record dead-lettered (TC_RECORD_MISSING_FEATURE)');
    const sizes = app.stateSizes();
    for (const [key, n] of Object.entries(sizes)) assert.equal(n, 0, `${key} holds ${n} entries for series never admitted: ${JSON.stringify(sizes)}`);
  } finally {
    await app.stop();
  }
});
