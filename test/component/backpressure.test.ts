/**
 * Backpressure through the whole app (real model, real pipeline): a chunk that puts more windows
 * in the batcher than the high-water mark pauses the source at once (no polling), the pause shows
 * in tickcast_paused, and when the queue drains to the low-water mark the source is resumed; the
 * windows beyond the queue's capacity waited for room and every one was forecast.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, TEST_WINDOW } from '../helpers/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';

test('a burst above the high-water mark pauses the source and resumes it once drained; every window is forecast', { timeout: 120_000 }, async () => {
  const events: Array<{ what: 'pause' | 'resume'; paused: string }> = [];
  let readPaused: () => Promise<string> = async () => '';
  const source: TickSource = {
    start: async () => {},
    // The gauge is set right after the source is told; read it once the listener has returned.
    pause: () => void setImmediate(() => void readPaused().then((p) => events.push({ what: 'pause', paused: p }))),
    resume: () => void setImmediate(() => void readPaused().then((p) => events.push({ what: 'resume', paused: p }))),
    stop: async () => {},
    hasJoined: () => true,
  };
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  // HWM 40 → capacity 80; batches of 8, one at a time: a 400-window chunk saturates the queue.
  const app = await startTestApp({ batching: { highWaterMark: 40, lowWaterMark: 10, maxBatchSize: 8, maxInFlightBatches: 1, maxWaitMs: 1 }, anomaly: { enabled: false } }, { sink, source });
  readPaused = async () => (await app.metrics.registry.getSingleMetricAsString('tickcast_paused')).split('\n').find((l) => l.startsWith('tickcast_paused '))!;
  try {
    const S = 400;
    const t0 = Date.UTC(2025, 0, 1);
    let offset = 0;
    const chunk = (k: number): RawRecord[] =>
      Array.from({ length: S }, (_, s) => ({
        key: Buffer.from(`b${s}`),
        value: Buffer.from(JSON.stringify({ series: `b${s}`, ts: t0 + k * 60_000, value: 10 + Math.sin(k / 3 + s) })),
        headers: {},
        source: { topic: 'ticks', partition: 0, offset: String(offset++) },
        receivedAtMs: Date.now(),
      }));
    for (let k = 0; k < TEST_WINDOW - 1; k++) await app.pipeline.handle(chunk(k)); // windows fill, nothing to forecast yet
    assert.equal(events.length, 0, 'no pressure while no window is ready');
    let maxQueued = 0;
    const probe = setInterval(() => (maxQueued = Math.max(maxQueued, app.inference.queued)), 1);
    await app.pipeline.handle(chunk(TEST_WINDOW - 1)); // 400 windows ready at once
    clearInterval(probe);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      events.map((e) => e.what),
      ['pause', 'resume'],
      `paused on saturation, resumed once drained (queue peaked at ${maxQueued})`,
    );
    assert.equal(events[0].paused, 'tickcast_paused 1');
    assert.equal(events[1].paused, 'tickcast_paused 0');
    // Model forecasts only: cold series' baseline forecasts ("model": "baseline:…") came while the windows filled.
    const modelForecasts = sent.filter((m) => m.stream === 'forecasts' && !String(m.value).includes('"model":"baseline:'));
    assert.equal(modelForecasts.length, S, 'every ready window was forecast (none dropped by the bound)');
    assert.equal(app.inference.queued, 0);
  } finally {
    await app.stop();
  }
});
