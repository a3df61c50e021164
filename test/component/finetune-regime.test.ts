/**
 * Evidence: a series switches regime (period 20 → 7, level and amplitude change) mid-stream. Two
 * services start from the same bootstrap checkpoint and see the same ticks: one frozen, one with
 * online fine-tuning. The fine-tuned one's live (prequential) MAE after the switch must be clearly
 * lower. Also: drift is detected, promotions are checkpointed as new versions, the worker's
 * tensor count is stable across rounds, and stop() ends the worker thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createModelService } from '../../src/model/model-service.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { FT_HYBRID, ftConfig, rng, sine } from '../unit/finetune/helpers.ts';
import { Harness, stageSlot } from './finetune-harness.ts';

const W = 24;
const H = 4;

test('regime change: fine-tuned live MAE after the switch is clearly lower than a frozen model', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ft-regime-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const logger = createLogger({ level: 'warn', name: 'test' });
  const common = { model: { dir }, windows: { normHalfLifeTicks: 500 } };
  const regimeA = sine(3000, { period: 20, amp: 1, noise: 0.05, seed: 4 });
  const frozenSlot = stageSlot();
  const tunedSlot = stageSlot();
  // The frozen baseline shares the model directory (to start from the same checkpoint) but must not
  // follow it: a replica with model.dir loads what another promotes (docs/finetuning.md § Several
  // replicas), which would make it serve the tuned service's versions a follow interval later.
  const frozen = await createModelService(ftConfig({ ...common, model: { dir, followIntervalMs: 0 } }), logger, createMetrics({ defaultMetrics: false }), { slot: frozenSlot.slot, hybrid: FT_HYBRID, bootstrapValues: regimeA, bootstrapBudgetMs: 8_000 });
  const metrics = createMetrics({ defaultMetrics: false });
  const tuned = await createModelService(
    ftConfig({ ...common, finetune: { enabled: true, intervalMs: 4_000, steps: 40, learningRate: 0.005, minSamples: 120, minImprovement: 0.02, replayCapacity: 4_000, rollbackRegression: 0.1 } }),
    logger,
    metrics,
    { slot: tunedSlot.slot, hybrid: FT_HYBRID, finetune: { tickMs: 100, dutyCycle: 1, niceness: 0, driftCooldownMs: 0, drift: { lambda: 15, minSamples: 60 } } },
  );
  assert.equal(frozen.info().version, 'v1');
  assert.equal(tuned.info().version, 'v1', 'both start from the same checkpoint');
  const h = new Harness([{ name: 'frozen', svc: frozen, inference: frozenSlot.stage }, { name: 'tuned', svc: tuned, inference: tunedSlot.stage }], { window: W, horizon: H, normHalfLifeTicks: 500 });
  t.after(() => h.close());
  await frozen.start();
  await tuned.start();
  const ft = tuned.finetune!;
  const tensors0 = await ft.workerTensors();
  const mainTensors0 = tf.memory().numTensors;

  const series = ['s1', 's2'];
  const r = rng(11);
  const phase: Record<string, number> = { s1: 0, s2: 5 };
  const a = (s: string, i: number) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1);
  const b = (s: string, i: number) => 3 + 1.8 * Math.sin((2 * Math.PI * (i + phase[s])) / 7) + 0.05 * (r() * 2 - 1);
  await h.feed(series, 400, a);
  const switchAt = h.tick;

  // Regime B until the tuned service has promoted twice (or 45 s), then 500 more ticks.
  const t0 = Date.now();
  const promotions = () => ft.history.filter((x) => x.outcome === 'promoted').length;
  await h.feed(series, 100_000, b, { until: () => promotions() >= 2 || Date.now() - t0 > 45_000 });
  const adaptedAt = h.tick;
  await h.feed(series, 500, b);
  const end = h.tick;

  const fAll = h.mae('frozen', switchAt + W, end - H);
  const tAll = h.mae('tuned', switchAt + W, end - H);
  const fLate = h.mae('frozen', adaptedAt, end - H);
  const tLate = h.mae('tuned', adaptedAt, end - H);
  const before = { frozen: h.mae('frozen', W, switchAt - H), tuned: h.mae('tuned', W, switchAt - H) };
  const report = {
    beforeSwitch: { frozen: before.frozen.mae, tuned: before.tuned.mae },
    afterSwitchAll: { frozen: fAll.mae, tuned: tAll.mae, ratio: tAll.mae / fAll.mae, n: tAll.n },
    afterAdaptation: { frozen: fLate.mae, tuned: tLate.mae, ratio: tLate.mae / fLate.mae, n: tLate.n },
    ticksToAdapt: adaptedAt - switchAt,
    secondsToAdapt: (Date.now() - t0) / 1000,
    drift: ft.driftCount,
    rounds: ft.history.map((x) => ({ round: x.round, trigger: x.trigger, outcome: x.outcome, holdout: x.holdout && [x.holdout.champion.mae, x.holdout.challenger.mae], shadow: x.shadow && [x.shadow.champion, x.shadow.challenger], version: x.version })),
    serving: { tuned: tuned.info().version, frozen: frozen.info().version },
  };
  console.log(`regime-change evidence: ${JSON.stringify(report)}`);

  assert.equal(frozen.info().version, 'v1', 'the frozen baseline changed its model');
  assert.ok(ft.driftCount >= 1, 'the regime change was not detected as drift');
  assert.ok(ft.history.some((x) => x.trigger === 'drift'), 'drift did not trigger an early round');
  assert.ok(promotions() >= 1, `no fine-tuned model was promoted: ${JSON.stringify(report.rounds)}`);
  assert.ok(tLate.n > 500, `too few scored forecasts (${tLate.n})`);
  assert.ok(tLate.mae < 0.7 * fLate.mae, `fine-tuned MAE ${tLate.mae} not clearly below frozen ${fLate.mae}`);
  assert.ok(tAll.mae < fAll.mae, 'over the whole post-switch span the fine-tuned model must be better too');
  // Every promotion is a checkpoint version on disk and the serving version.
  const versions = readdirSync(dir).filter((n) => /^v\d+$/.test(n));
  assert.ok(versions.length >= 2, `checkpoints: ${versions.join(', ')}`);
  assert.equal(tuned.info().version, `v${Math.max(...versions.map((v) => Number(v.slice(1))))}`);
  assert.ok(metrics.registry && (await metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total')).includes('outcome="promoted"'));
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_drift_detected_total'), /tickcast_drift_detected_total [1-9]/);

  // Tensor counts: after several rounds the worker holds whole models only (champion, plus the
  // previous champion after a promotion and a challenger while one is being judged): a multiple
  // of the one-model count at start, at most three. The serving thread's count does not grow with
  // promotions (tfjs engine here).
  const tensorsNow = await ft.workerTensors();
  console.log(`worker tensors: ${tensors0} at start (one model), ${tensorsNow} after ${ft.history.length} rounds (state ${ft.state})`);
  assert.ok(tensorsNow % tensors0 === 0 && tensorsNow / tensors0 <= 3, `worker tensors ${tensors0} → ${tensorsNow}`);
  assert.ok(tf.memory().numTensors <= mainTensors0, `serving-thread tensors ${mainTensors0} → ${tf.memory().numTensors}`);

  await tuned.stop();
  assert.ok([0, 1].includes((await ft.workerExited)!), 'trainer still running after stop()');
  assert.equal(ft.state, 'stopped');
});
