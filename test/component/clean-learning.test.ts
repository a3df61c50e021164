/**
 * Clean learning data (docs/finetuning.md § Clean data): a poisoned stretch that fires an alert
 * enters its windows (the model must see what happened) but neither the normalisation statistics
 * — so the forecast band is where it was once the stretch has passed — nor the fine-tuning replay
 * buffer — so no round can learn from it. Against the same stream with holding off
 * (windows.holdStatsMaxTicks 0): the band is blown up by the stretch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { App } from '../../src/app.ts';
import type { OutMessage, OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import { rng } from '../unit/finetune/helpers.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, isAssigned: () => true };
const CLEAN = 600;
const POISON = 30;
const AFTER = 120;
const t0 = Date.UTC(2025, 0, 1);

function value(k: number, noise: () => number): number {
  const v = 50 + 10 * Math.sin((2 * Math.PI * k) / 48) + 0.5 * (noise() * 2 - 1);
  return k >= CLEAN && k < CLEAN + POISON ? v + 80 : v;
}

/** Band width (upper − lower quantile) of the last forecast's first step, and the series' σ. */
function band(app: App): { width: number; std: number } {
  const f = app.serving.getSeries('s')!.lastForecast!.horizon[0];
  return { width: f['p90'] - f['p10'], std: app.store.stats('s')!.std[0] };
}

/** One record per call, as a stream delivers them one by one: each tick sees the alert state after the last. */
async function run(app: App, sent: OutMessage[], marks: { beforePoison?: () => void; afterPoison?: () => void }): Promise<void> {
  const noise = rng(9);
  for (let k = 0; k < CLEAN + POISON + AFTER; k++) {
    if (k === CLEAN) marks.beforePoison?.();
    if (k === CLEAN + POISON + app.config.windows.length + app.config.model.horizon) marks.afterPoison?.();
    const body = { series: 's', ts: t0 + k * 60_000, value: value(k, noise) };
    await app.pipeline.handle([{ key: Buffer.from('s'), value: Buffer.from(JSON.stringify(body)), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(k) }, receivedAtMs: Date.now() }]);
  }
  const alerts = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as { state: string; ts: number });
  console.log(`alerts at ticks: ${JSON.stringify(alerts.map((a) => [a.state, (a.ts - t0) / 60_000]))}`);
  assert.ok(alerts.some((a) => a.state === 'firing'), 'the poisoned stretch fired an alert');
}

test('a poisoned stretch inside a firing alert moves neither the band nor the fine-tuning data', { timeout: 180_000 }, async () => {
  const sent: OutMessage[] = [];
  const sink: OutputSink = { send: async (m) => void sent.push(...m) };
  const finetune = { enabled: true, intervalMs: 600_000, replayCapacity: 10_000, minSamples: 50, dutyCycle: 1, workerNice: 0 };
  const app = await startTestApp({ finetune }, { sink, source: idleSource });
  let before = { width: 0, std: 0 };
  let after = { width: 0, std: 0 };
  let bufferAtPoison = 0;
  let bufferAfter = 0;
  try {
    const ft = app.model.finetune!;
    await run(app, sent, {
      beforePoison: () => {
        before = band(app);
        bufferAtPoison = ft.bufferSize;
      },
      afterPoison: () => (bufferAfter = ft.bufferSize),
    });
    after = band(app);
    const status = ft.status() as { suppressedPairs: number; replayBufferSize: number };
    console.log(`clean learning (held): ${JSON.stringify({ before, after, bufferAtPoison, bufferAfter, suppressedPairs: status.suppressedPairs, bufferEnd: status.replayBufferSize })}`);
    // The fine-tuner got no pair whose window or future touches the stretch: the buffer did not
    // grow from the first poisoned tick until W + H ticks after the last one, then grew again.
    assert.equal(bufferAfter, bufferAtPoison, 'pairs touching the poisoned stretch entered the replay buffer');
    assert.ok(status.replayBufferSize > bufferAfter, 'clean pairs are learned again after the stretch');
    assert.ok(status.suppressedPairs >= POISON, `suppressed pairs ${status.suppressedPairs}`);
    // The statistics and the band are where they were.
    assert.ok(Math.abs(after.std / before.std - 1) < 0.1, `σ moved: ${before.std} → ${after.std}`);
    assert.ok(Math.abs(after.width / before.width - 1) < 0.25, `band moved: ${before.width} → ${after.width}`);
  } finally {
    await app.stop();
  }

  // The same stream with holding off: the stretch enters the statistics and widens the band.
  const sent2: OutMessage[] = [];
  const off = await startTestApp({ windows: { holdStatsMaxTicks: 0 } }, { sink: { send: async (m) => void sent2.push(...m) }, source: idleSource });
  try {
    let b0 = { width: 0, std: 0 };
    await run(off, sent2, { beforePoison: () => (b0 = band(off)) });
    const b1 = band(off);
    console.log(`clean learning (not held): ${JSON.stringify({ before: b0, after: b1 })}`);
    assert.ok(b1.std > 1.5 * b0.std, `without holding σ should blow up: ${b0.std} → ${b1.std}`);
    assert.ok(b1.width > 1.5 * after.width, `without holding the band should widen: ${b1.width} vs held ${after.width}`);
  } finally {
    await off.stop();
  }
});
