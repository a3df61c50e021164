/**
 * Evidence for the promotion gate, with the real model and worker (poisoning): garbage targets
 * for a while, a round trains on them, clean data returns → the challenger is not promoted (or,
 * if it was, it is rolled back); the serving model stays v1.
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

test('poisoning: a round trained on garbage targets is not promoted; the serving model stays v1', { timeout: 120_000 }, async (t) => {
  const { svc, h, metrics } = await setup(t, {});
  const ft = svc.finetune!;
  const r = rng(5);
  const clean = (s: string, i: number) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1);
  const garbage = () => (r() * 2 - 1) * 3;
  await h.feed(series, 500, clean);
  const cleanBefore = h.mae('svc', W, h.tick - H);
  await h.feed(series, 500, garbage);
  await roundOn(svc, h, garbage);
  const resumeAt = h.tick;
  // Clean data again until the round is decided.
  const t0 = Date.now();
  await h.feed(series, 100_000, clean, { until: () => ft.state === 'idle' || Date.now() - t0 > 30_000 });
  await h.feed(series, 200, clean);
  const cleanAfter = h.mae('svc', resumeAt + W, h.tick - H);
  const rounds = ft.history.map((x) => ({ outcome: x.outcome, reason: x.reason, holdout: x.holdout && [x.holdout.champion.mae, x.holdout.challenger.mae], shadow: x.shadow && [x.shadow.champion, x.shadow.challenger] }));
  console.log(`poisoning evidence: ${JSON.stringify({ cleanBefore, cleanAfter, rounds, serving: svc.info().version })}`);
  assert.equal(ft.state, 'idle');
  assert.ok(rounds.length >= 1);
  const promoted = ft.history.filter((x) => x.outcome === 'promoted').length;
  const rolledBack = ft.history.filter((x) => x.outcome === 'rolled_back').length;
  assert.equal(promoted, rolledBack, 'a poisoned challenger was promoted and kept');
  assert.equal(svc.info().version, 'v1');
  // The gate judged on evidence: the poisoned challenger was worse on clean live data (shadow),
  // or did not beat the champion on the hold-out.
  const last = ft.history[ft.history.length - 1];
  assert.equal(last.outcome, 'discarded');
  if (last.shadow) assert.ok(last.shadow.challenger > last.shadow.champion * 0.98, `shadow ${JSON.stringify(last.shadow)}`);
  // The serving model's accuracy on clean data is unchanged by the episode.
  assert.ok(cleanAfter.mae < cleanBefore.mae * 1.3, `clean MAE ${cleanBefore.mae} → ${cleanAfter.mae}`);
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total'), /outcome="discarded"\} [1-9]/);
});
