/**
 * An operator's change of the serving version while the lease holder watches a promotion is
 * recorded as what it was, wherever it was made. Two replicas share model.dir, real trainers:
 * - a rollback made on the replica without the lease (POST /v1/model/rollback there) reaches the
 *   holder through current.json; its watch ends `rolled_back`, with `by` naming that replica;
 * - a manual change to a newer version (a model copied in) ends the watch `replaced`.
 * Before 6 Dec 2026 both were recorded as `aborted` ("champion replaced (followed the model
 * directory)", "… (manual change to v3)"), like a lost lease. And the lease lost during a watch
 * ends it `aborted` saying the promoted version keeps serving, unwatched — before, "champion
 * replaced (fine-tune lease lost)", though it was not replaced.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModelService, type ModelService } from '../../src/model/model-service.ts';
import { CheckpointStore } from '../../src/model/checkpoints.ts';
import { HybridModel } from '../../src/model/hybrid-model.ts';
import { initBackend } from '../../src/model/backend.ts';
import { LEASE_FILE } from '../../src/model/shared-dir/lease.ts';
import type { RoundRecord } from '../../src/model/finetune/round-policy.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createMetrics, type Metrics } from '../../src/telemetry/metrics.ts';
import { FT_HYBRID, FT_SPEC, ftConfig, rng } from '../unit/finetune/helpers.ts';
import { Harness, stageSlot } from './finetune-harness.ts';
import { series, phase, W, H } from './finetune-guard-setup.ts';

const until = async (ok: () => boolean, ms: number, feed: () => Promise<unknown>) => {
  const t0 = Date.now();
  while (!ok() && Date.now() - t0 < ms) await feed();
  return ok();
};

/** Replicas (lease owners `owners`) on a fresh model.dir holding an untrained v1 (any round on the stream improves on it), the first one holding the lease. */
async function replicas(t: TestContext, owners: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ft-watch-op-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const save = async (seed: number) => {
    const m = HybridModel.create(FT_HYBRID, FT_SPEC, seed);
    await new CheckpointStore({ dir, keep: 10 }).save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed } });
    m.dispose();
  };
  await save(1);
  const make = async (owner: string) => {
    const slot = stageSlot();
    const metrics = createMetrics({ defaultMetrics: false });
    const svc = await createModelService(
      ftConfig({ model: { dir, followIntervalMs: 200, keepVersions: 10 }, finetune: { enabled: true, intervalMs: 600_000, steps: 60, learningRate: 0.01, minSamples: 100, minImprovement: 0.02, replayCapacity: 2_000, leaseTtlMs: 3_000 } }),
      createLogger({ level: 'warn', name: owner }),
      metrics,
      { slot: slot.slot, hybrid: FT_HYBRID, leaseOwner: owner, finetune: { tickMs: 100, dutyCycle: 1, niceness: 0, drift: { lambda: 1e12 } } },
    );
    const h = new Harness([{ name: owner, svc, inference: slot.stage }], { window: W, horizon: H, normHalfLifeTicks: 500 });
    t.after(() => h.close());
    await svc.start();
    return { svc, h, metrics };
  };
  const all: Awaited<ReturnType<typeof make>>[] = [];
  for (const o of owners) all.push(await make(o));
  const r = rng(7);
  const wave = (s: string, i: number) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1);
  const feed = (n: number) => Promise.all(all.map((x) => x.h.feed(series, n, wave)));
  const a = all[0];
  /** The holder promotes a fine-tuned version and watches it. */
  const promote = async () => {
    await feed(400);
    a.svc.finetune!.requestRound();
    const before = a.svc.info().version;
    const ok = await until(() => a.svc.info().version !== before && a.svc.finetune!.state === 'watching', 90_000, () => feed(16));
    assert.ok(ok, `${owners[0]} did not promote: ${JSON.stringify(a.svc.finetune!.history)}`);
    return a.svc.info().version;
  };
  return { all, feed, promote, save, dir };
}

const text = (m: Metrics, name: string) => m.registry.getSingleMetricAsString(name);
const last = (svc: ModelService) => (svc.info().training?.finetune as { last?: RoundRecord }).last;

test("a rollback made on the replica without the lease during the holder's watch is recorded on the holder as that operator's rollback", { timeout: 180_000 }, async (t) => {
  const { all: [a, b], feed, promote } = await replicas(t, ['replica-a', 'replica-b']);
  assert.deepEqual([a.svc.coordinator!.leading, b.svc.coordinator!.leading], [true, false]);
  const v2 = await promote();
  assert.ok(await until(() => b.svc.info().version === v2, 5_000, () => feed(4)), `replica b still serves ${b.svc.info().version}`);

  const back = await b.svc.rollback({});
  assert.equal(back.version, 'v1');
  assert.ok(await until(() => a.svc.info().version === 'v1' && a.svc.finetune!.state === 'idle', 5_000, () => feed(4)), `replica a serves ${a.svc.info().version}, ${a.svc.finetune!.state}`);
  const rec = last(a.svc)!;
  assert.deepEqual([rec.outcome, rec.version, rec.by], ['rolled_back', v2, 'replica-b'], JSON.stringify(rec));
  assert.match(String(rec.reason), /^manual rollback to v1 on replica replica-b \(POST \/v1\/model\/rollback there, followed through model\.dir\) after \d+ live pairs of watching$/);
  assert.match(await text(a.metrics, 'tickcast_finetune_rounds_total'), /outcome="rolled_back"\} 1/);
  assert.doesNotMatch(await text(a.metrics, 'tickcast_finetune_rounds_total'), /outcome="aborted"/);
  // The change is counted once, where it was made.
  assert.match(await text(b.metrics, 'tickcast_model_manual_changes_total'), /direction="older"\} 1/);
  assert.match(await text(a.metrics, 'tickcast_model_manual_changes_total'), /direction="older"\} 0/);
});

test('a manual change to a newer version during a watch is recorded as a manual change (replaced), not aborted; a lost lease does not say the watched version was replaced', { timeout: 180_000 }, async (t) => {
  const { all: [a], promote, save, dir } = await replicas(t, ['replica-a']);
  const v2 = await promote();
  await save(2); // a model copied into model.dir
  const fwd = await a.svc.rollback({ version: 'v3' });
  assert.equal(fwd.version, 'v3');
  const rec = last(a.svc)!;
  assert.deepEqual([rec.outcome, rec.version, rec.by], ['replaced', v2, undefined], JSON.stringify(rec));
  assert.match(String(rec.reason), /^manual change to v3 \(POST \/v1\/model\/rollback\) after \d+ live pairs of watching$/);
  assert.match(await text(a.metrics, 'tickcast_finetune_rounds_total'), /outcome="replaced"\} 1/);
  assert.doesNotMatch(await text(a.metrics, 'tickcast_finetune_rounds_total'), /outcome="aborted"/);
  assert.match(await text(a.metrics, 'tickcast_model_manual_changes_total'), /direction="newer"\} 1/);

  // The lease taken over during the next watch: the watch ends, but its version was not replaced — it keeps serving, unwatched.
  const v4 = await promote();
  writeFileSync(path.join(dir, LEASE_FILE), `${JSON.stringify({ owner: 'replica-c', expiresAt: Date.now() + 60_000, epoch: 99 })}\n`);
  // No ticks meanwhile: fed, the watch could collect its pairs and end 'kept' before the lease check saw the loss (CI 17:40, 1 run in 3).
  assert.ok(await until(() => a.svc.finetune!.state === 'idle', 10_000, async () => new Promise((r) => setTimeout(r, 50))), `still ${a.svc.finetune!.state}`);
  const lost = last(a.svc)!;
  assert.deepEqual([lost.outcome, lost.version, a.svc.info().version], ['aborted', v4, v4], JSON.stringify(lost));
  assert.match(String(lost.reason), new RegExp(`^watch ended: this replica lost the fine-tune lease; ${v4} keeps serving, no longer watched \\(no automatic rollback\\) after \\d+ live pairs of watching$`));
});
