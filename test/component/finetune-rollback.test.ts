/**
 * Evidence for automatic rollback, with the real model and worker: a model fine-tuned on regime B
 * (a square wave) is promoted, then the stream returns to regime A (a sine) → the live MAE of the
 * new model regresses against the previous one on the same pairs → automatic rollback to v1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModelService, type ModelService } from '../../src/model/model-service.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { FT_HYBRID, ftConfig, rng, sine } from '../unit/finetune/helpers.ts';
import { Harness } from './finetune-harness.ts';

const W = 24;
const H = 4;
const regimeA = sine(3000, { period: 20, amp: 1, noise: 0.05, seed: 4 });
const series = ['s1', 's2'];
const phase: Record<string, number> = { s1: 0, s2: 5 };

async function setup(t: { after: (fn: () => Promise<void> | void) => void }, finetune: ConfigInput['finetune']): Promise<{ svc: ModelService; h: Harness; metrics: Metrics }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ft-guard-'));
  const metrics = createMetrics({ defaultMetrics: false });
  const svc = await createModelService(
    ftConfig({ model: { dir }, finetune: { enabled: true, intervalMs: 600_000, steps: 60, learningRate: 0.01, minSamples: 150, minImprovement: 0.02, replayCapacity: 2_000, rollbackRegression: 0.1, ...finetune } }),
    createLogger({ level: 'warn', name: 'test' }),
    metrics,
    // Drift off (λ huge): rounds only when the test asks, so the phases are deterministic.
    { hybrid: FT_HYBRID, bootstrapValues: regimeA, bootstrapBudgetMs: 8_000, finetune: { tickMs: 100, dutyCycle: 1, niceness: 0, drift: { lambda: 1e12 } } },
  );
  const h = new Harness([{ name: 'svc', svc }], { window: W, horizon: H, normHalfLifeTicks: 500 });
  t.after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await svc.start();
  return { svc, h, metrics };
}

/** Ask for a round and keep feeding `value` until it has finished training. */
async function roundOn(svc: ModelService, h: Harness, value: (s: string, i: number) => number): Promise<void> {
  const ft = svc.finetune!;
  const before = Number(ft.status().rounds);
  ft.requestRound();
  const t0 = Date.now();
  await h.feed(series, 100_000, value, { until: () => (Number(ft.status().rounds) > before && ft.state !== 'training') || Date.now() - t0 > 30_000 });
  assert.ok(Number(ft.status().rounds) > before, 'the requested round did not run');
}

test('regression after promotion: the stream returns to the old regime and the new model is rolled back automatically', { timeout: 120_000 }, async (t) => {
  const { svc, h, metrics } = await setup(t, { rollbackRegression: 0.05 });
  const ft = svc.finetune!;
  const r = rng(6);
  const a = (s: string, i: number) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1);
  const b = (s: string, i: number) => 3 + 1.5 * Math.sign(Math.sin((2 * Math.PI * (i + phase[s]) + 0.5) / 8)) + 0.05 * (r() * 2 - 1);
  // Little of regime A in the replay buffer: the challenger specialises on B.
  await h.feed(series, 150, a);
  await h.feed(series, 900, b);
  // Regime B until a challenger is promoted (a round may be discarded by the gate; retry twice).
  let t0 = Date.now();
  for (let attempt = 0; attempt < 3 && svc.info().version === 'v1'; attempt++) {
    await roundOn(svc, h, b);
    t0 = Date.now();
    await h.feed(series, 100_000, b, { until: () => ft.state !== 'shadow' || Date.now() - t0 > 30_000 });
  }
  assert.equal(svc.info().version, 'v2', `not promoted: ${JSON.stringify(ft.history)}`);
  assert.equal(ft.state, 'watching');
  // Back to regime A: v2 must regress against v1 on the same live pairs.
  t0 = Date.now();
  await h.feed(series, 100_000, a, { until: () => ft.state !== 'watching' || Date.now() - t0 > 30_000 });
  const last = ft.history[ft.history.length - 1];
  console.log(`rollback evidence: ${JSON.stringify({ outcome: last.outcome, reason: last.reason, watch: last.watch, serving: svc.info().version })}`);
  assert.equal(last.outcome, 'rolled_back', JSON.stringify(last));
  assert.ok(last.watch && last.watch.champion > last.watch.previous * 1.05);
  assert.equal(svc.info().version, 'v1');
  assert.deepEqual(svc.info().versions, ['v2', 'v1'], 'v2 stays on disk for a manual re-promotion');
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total'), /outcome="rolled_back"\} 1/);
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_model_info'), /version="v1"/);
  // Forecasts after the rollback come from v1 again.
  const served = h.served[0];
  const before = served.forecasts.length;
  await h.feed(series, 16, a);
  const tail = served.forecasts.slice(before);
  assert.ok(tail.length > 0);
  assert.equal(served.inference.predictor.version, 'v1');
});
