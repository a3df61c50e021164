/**
 * A multivariate fine-tune round through the whole app: the pipeline feeds the fine-tuner every
 * feature with the window store's statistics (TickLearner port), the trainer trains a challenger
 * on [window, 2 features] → [horizon, 2 targets] pairs, and it beats the seeded champion on the
 * hold-out and live (shadow) and is promoted. Before the pipeline fed it, fine-tuning was disabled
 * for any model with more than one feature.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { OutputSink, TickSource } from '../../src/pipeline/ports.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import { rng } from '../unit/finetune/helpers.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };
const sink: OutputSink = { send: async () => {} };

test('multivariate fine-tune round: two features and two targets, trained from the pipeline, gated and promoted', { timeout: 180_000 }, async () => {
  const app = await startTestApp(
    {
      input: { features: ['load', 'temp'], targets: ['load', 'temp'] },
      anomaly: { enabled: false },
      finetune: { enabled: true, intervalMs: 600_000, steps: 60, learningRate: 0.01, minSamples: 60, minImprovement: 0.02, replayCapacity: 3_000, dutyCycle: 1, workerNice: 0 },
    },
    { sink, source: idleSource },
  );
  try {
    const ft = app.model.finetune!;
    assert.equal(ft.state, 'idle', 'multivariate fine-tuning is on');
    assert.deepEqual(app.model.predictor.spec.features, ['load', 'temp']);
    const r = rng(3);
    const t0 = Date.UTC(2025, 0, 1);
    let tick = 0;
    let offset = 0;
    // temp: a slow daily wave; load follows temp with a lag plus its own faster cycle.
    const row = (s: number, k: number) => {
      const temp = 20 + 5 * Math.sin((2 * Math.PI * (k + 3 * s)) / 24) + 0.1 * (r() * 2 - 1);
      const load = 100 + 3 * (20 + 5 * Math.sin((2 * Math.PI * (k - 2 + 3 * s)) / 24)) + 8 * Math.sin((2 * Math.PI * k) / 6) + 0.3 * (r() * 2 - 1);
      return { load, temp };
    };
    const feed = async (n: number) => {
      for (let i = 0; i < n; i += 16) {
        const records: RawRecord[] = [];
        for (let k = tick; k < tick + 16; k++) {
          for (let s = 0; s < 2; s++) {
            const body = { series: `m${s}`, ts: t0 + k * 3_600_000, values: row(s, k) };
            records.push({ key: Buffer.from(`m${s}`), value: Buffer.from(JSON.stringify(body)), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
          }
        }
        tick += 16;
        await app.pipeline.handle(records);
      }
    };
    await feed(400);
    assert.ok(ft.bufferSize > 0, 'the pipeline fed training pairs');
    ft.requestRound();
    const until = async (done: () => boolean, ms: number) => {
      const start = Date.now();
      while (!done() && Date.now() - start < ms) await feed(16);
    };
    await until(() => ft.history.length > 0 || ft.state === 'shadow' || ft.state === 'watching', 90_000);
    await until(() => ft.history.length > 0, 60_000);
    const round = ft.history[0];
    console.log(`multivariate round: ${JSON.stringify({ outcome: round?.outcome, reason: round?.reason, holdout: round?.holdout, shadow: round?.shadow, serving: app.model.info().version })}`);
    assert.ok(round, 'the round finished');
    assert.notEqual(round.outcome, 'aborted', `round aborted: ${round.reason}`);
    assert.ok(round.holdout && round.holdout.challenger.mae < round.holdout.champion.mae * 0.98, 'the challenger beat the seeded champion on the hold-out');
    assert.equal(round.outcome, 'promoted', JSON.stringify(round));
    assert.equal(app.model.info().version, 'v2');
    assert.equal(app.inference.predictor.version, 'v2', 'the pipeline serves the promoted multivariate model');
  } finally {
    await app.stop();
  }
});
