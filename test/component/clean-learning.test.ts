/**
 * Clean learning data (docs/finetuning.md § Clean data): a poisoned stretch enters its windows (the
 * model must see what happened) but neither the normalisation statistics — so the forecast band is
 * where it was once the stretch has passed — nor the fine-tuning replay buffer — so no round can
 * learn from it. Two ways a tick is kept out: it is inside a firing alert, or the LearningFilter
 * port (alert feedback: a confirmed anomaly) says so. Against the same stream with holding off
 * (windows.holdStatsMaxTicks 0), the statistics are blown up by the stretch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { App } from '../../src/app.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import type { LearningFilter, OutMessage, TickSource } from '../../src/pipeline/ports.ts';
import { rng } from '../unit/finetune/helpers.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const CLEAN = 600;
/** Ticks from the first poisoned tick to the "after" measurement: three periods of the sine, so both
 * band measurements are taken at the same phase (the band's width varies along the cycle). */
const PERIOD = 48;
const AFTER = 3 * PERIOD;
const t0 = Date.UTC(2025, 0, 1);
const tsOf = (k: number) => t0 + k * 60_000;
const finetune = { enabled: true, intervalMs: 600_000, replayCapacity: 10_000, minSamples: 50, dutyCycle: 1, workerNice: 0 };

interface Outcome {
  before: { width: number; std: number };
  after: { width: number; std: number };
  bufferAtPoison: number;
  bufferAfter: number;
  bufferEnd: number;
  suppressedPairs: number;
  alerts: [string, number][];
}

/** Band width (upper − lower quantile) of the last forecast's first step, and the series' σ. */
function band(app: App): { width: number; std: number } {
  const f = app.serving.getSeries('s')!.lastForecast!.horizon[0];
  return { width: f['p90'] - f['p10'], std: app.store.stats('s')!.std[0] };
}

/**
 * A sine, then `poison` ticks 80 above it, then clean again; one record per call, as a stream
 * delivers them one by one (each tick sees the alert state left by the one before).
 */
async function scenario(poison: number, over: ConfigInput, learningFilter?: LearningFilter): Promise<Outcome> {
  const sent: OutMessage[] = [];
  // The model's band is what must not move: fusion off, so the series view shows the model's forecast.
  const app = await startTestApp({ fusion: { enabled: false }, ...over }, { sink: { send: async (m) => void sent.push(...m) }, source: idleSource, learningFilter });
  try {
    const ft = app.model.finetune;
    const noise = rng(9);
    const o = { bufferAtPoison: 0, bufferAfter: 0 } as Outcome;
    // The last tick whose pair (window + future) still touches the stretch.
    const settled = CLEAN + poison + app.config.windows.length + app.config.model.horizon - 1;
    for (let k = 0; k <= CLEAN + AFTER; k++) {
      if (k === CLEAN) [o.before, o.bufferAtPoison] = [band(app), ft?.bufferSize ?? 0];
      if (k === settled) o.bufferAfter = ft?.bufferSize ?? 0;
      if (k === CLEAN + AFTER) o.after = band(app);
      const v = 50 + 10 * Math.sin((2 * Math.PI * k) / PERIOD) + 0.5 * (noise() * 2 - 1) + (k >= CLEAN && k < CLEAN + poison ? 80 : 0);
      const body = JSON.stringify({ series: 's', ts: tsOf(k), value: v });
      await app.pipeline.handle([{ key: Buffer.from('s'), value: Buffer.from(body), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(k) }, receivedAtMs: Date.now() }]);
    }
    o.bufferEnd = ft?.bufferSize ?? 0;
    o.suppressedPairs = Number((ft?.status() as { suppressedPairs?: number } | undefined)?.suppressedPairs ?? 0);
    o.alerts = sent.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as { state: string; ts: number }).map((a) => [a.state, (a.ts - t0) / 60_000]);
    return o;
  } finally {
    await app.stop();
  }
}

function assertClean(o: Outcome, poison: number): void {
  // No pair whose window or future touches the stretch entered the replay buffer: it did not grow
  // from the first poisoned tick until W + H ticks after the last one, and grew again after.
  assert.equal(o.bufferAfter, o.bufferAtPoison, 'pairs touching the poisoned stretch entered the replay buffer');
  assert.ok(o.bufferEnd > o.bufferAfter, 'clean pairs are learned again after the stretch');
  assert.ok(o.suppressedPairs >= poison, `suppressed pairs ${o.suppressedPairs}`);
  // The statistics and the band are where they were.
  assert.ok(Math.abs(o.after.std / o.before.std - 1) < 0.05, `σ moved: ${o.before.std} → ${o.after.std}`);
  assert.ok(Math.abs(o.after.width / o.before.width - 1) < 0.1, `band moved: ${o.before.width} → ${o.after.width}`);
}

test('a poisoned stretch inside a firing alert moves neither the band, the statistics nor the fine-tuning data; unheld, it blows the statistics up', { timeout: 240_000 }, async () => {
  const poison = 12;
  const held = await scenario(poison, { finetune });
  console.log(`clean learning, alert: ${JSON.stringify(held)}`);
  const firing = held.alerts.find((a) => a[0] === 'firing');
  const resolved = held.alerts.find((a) => a[0] === 'resolved');
  assert.ok(firing && firing[1] === CLEAN, 'the alert fired on the first poisoned tick');
  assert.ok(!resolved || resolved[1] >= CLEAN + poison, 'the alert lasted the whole stretch');
  assertClean(held, poison);

  // The same stream with holding off: the stretch enters the statistics (σ blows up). The band in
  // series units does not show it here: RevIN makes the model's output scale with its window, so
  // the statistics cancel out of the de-normalised band; what they feed is the fine-tuning pairs'
  // normalisation and the drift residuals.
  const unheld = await scenario(poison, { windows: { holdStatsMaxTicks: 0 } });
  console.log(`clean learning, not held: ${JSON.stringify({ before: unheld.before, after: unheld.after })}`);
  assert.ok(unheld.after.std > 1.3 * unheld.before.std, `without holding σ grows: ${unheld.before.std} → ${unheld.after.std}`);
});

test('a confirmed anomaly (LearningFilter) is kept out even after the detector has stopped alerting on it', { timeout: 240_000 }, async () => {
  const poison = 40;
  const confirmed: LearningFilter = { isSuppressed: (series, ts) => series === 's' && ts >= tsOf(CLEAN) && ts < tsOf(CLEAN + poison) };
  const o = await scenario(poison, { finetune }, confirmed);
  console.log(`clean learning, confirmed: ${JSON.stringify(o)}`);
  const resolved = o.alerts.find((a) => a[0] === 'resolved');
  if (resolved) assert.ok(resolved[1] < CLEAN + poison, 'the detector resolved inside the stretch (the filter had to cover the rest)');
  assertClean(o, poison);
});
