/**
 * Shared set-up of the promotion-gate evidence tests (finetune-poison, finetune-rollback,
 * finetune-kept, finetune-manual-rollback): the real model service with its worker, drift off so
 * rounds run only when a test asks, a harness feeding two sine series; `promoteOnRegimeB` brings
 * such a service to a watched v2 fine-tuned on a square wave.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModelService, type ModelService } from '../../src/model/model-service.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { FT_HYBRID, ftConfig, rng, sine } from '../unit/finetune/helpers.ts';
import { Harness, stageSlot } from './finetune-harness.ts';

export const W = 24;
export const H = 4;
export const regimeA = sine(3000, { period: 20, amp: 1, noise: 0.05, seed: 4 });
export const series = ['s1', 's2'];
export const phase: Record<string, number> = { s1: 0, s2: 5 };

export async function setup(t: { after: (fn: () => Promise<void> | void) => void }, finetune: ConfigInput['finetune']): Promise<{ svc: ModelService; h: Harness; metrics: Metrics }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ft-guard-'));
  const metrics = createMetrics({ defaultMetrics: false });
  const slot = stageSlot();
  const svc = await createModelService(
    ftConfig({ model: { dir }, finetune: { enabled: true, intervalMs: 600_000, steps: 60, learningRate: 0.01, minSamples: 150, minImprovement: 0.02, replayCapacity: 2_000, rollbackRegression: 0.1, ...finetune } }),
    createLogger({ level: 'warn', name: 'test' }),
    metrics,
    // Drift off (λ huge): rounds only when the test asks, so the phases are deterministic.
    { slot: slot.slot, hybrid: FT_HYBRID, bootstrapValues: regimeA, bootstrapBudgetMs: 8_000, finetune: { tickMs: 100, dutyCycle: 1, niceness: 0, drift: { lambda: 1e12 } } },
  );
  const h = new Harness([{ name: 'svc', svc, inference: slot.stage }], { window: W, horizon: H, normHalfLifeTicks: 500 });
  t.after(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await svc.start();
  return { svc, h, metrics };
}

/** Ask for a round and keep feeding `value` until it has finished training. */
export async function roundOn(svc: ModelService, h: Harness, value: (s: string, i: number) => number): Promise<void> {
  const ft = svc.finetune!;
  const before = Number(ft.status().rounds);
  ft.requestRound();
  const t0 = Date.now();
  await h.feed(series, 100_000, value, { until: () => (Number(ft.status().rounds) > before && ft.state !== 'training') || Date.now() - t0 > 30_000 });
  assert.ok(Number(ft.status().rounds) > before, 'the requested round did not run');
}


type Regime = (s: string, i: number) => number;

/**
 * Regime A (a sine) and regime B (a square wave), both with noise from one seeded generator; feeds
 * a little of A and much of B (so a challenger specialises on B), then asks for rounds on B until a
 * challenger is promoted (a round may be discarded by the gate: up to three tries). Returns with v2
 * served and watched, and the two regimes to go on feeding.
 */
export async function promoteOnRegimeB(svc: ModelService, h: Harness): Promise<{ a: Regime; b: Regime }> {
  const ft = svc.finetune!;
  const r = rng(6);
  const a: Regime = (s, i) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1);
  const b: Regime = (s, i) => 3 + 1.5 * Math.sign(Math.sin((2 * Math.PI * (i + phase[s]) + 0.5) / 8)) + 0.05 * (r() * 2 - 1);
  await h.feed(series, 150, a);
  await h.feed(series, 900, b);
  for (let attempt = 0; attempt < 3 && svc.info().version === 'v1'; attempt++) {
    await roundOn(svc, h, b);
    const t0 = Date.now();
    await h.feed(series, 100_000, b, { until: () => ft.state !== 'shadow' || Date.now() - t0 > 30_000 });
  }
  assert.equal(svc.info().version, 'v2', `not promoted: ${JSON.stringify(ft.history)}`);
  assert.equal(ft.state, 'watching');
  return { a, b };
}
