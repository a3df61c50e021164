/**
 * Two model services (two replicas) fine-tuning on one shared model directory, real trainers:
 * only the lease holder runs rounds and promotes, the other serves the promoted version within a
 * follow interval, and when the holder stops the other takes the lease and fine-tunes. Only the
 * holder runs a trainer: the follower starts one when it takes the lease and ends it when it loses it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createModelService, type ModelService } from '../../src/model/model-service.ts';
import { CheckpointStore } from '../../src/model/checkpoints.ts';
import { HybridModel } from '../../src/model/hybrid-model.ts';
import { initBackend } from '../../src/model/backend.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { LEASE_FILE } from '../../src/model/shared-dir/lease.ts';
import { FT_HYBRID, FT_SPEC, ftConfig, rng } from '../unit/finetune/helpers.ts';
import { Harness, stageSlot } from './finetune-harness.ts';
import { series, phase, W, H } from './finetune-guard-setup.ts';

const until = async (ok: () => boolean, ms: number, feed: () => Promise<unknown>) => {
  const t0 = Date.now();
  while (!ok() && Date.now() - t0 < ms) await feed();
  return ok();
};

test('replicas sharing model.dir: one fine-tunes and promotes, the other follows; the lease moves when the holder stops', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ft-replicas-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1); // untrained v1: any round on the stream improves on it
  await new CheckpointStore({ dir, keep: 5 }).save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed: 1 } });
  m.dispose();
  const make = async (owner: string) => {
    const slot = stageSlot();
    const svc = await createModelService(
      ftConfig({ model: { dir, followIntervalMs: 200 }, finetune: { enabled: true, intervalMs: 600_000, steps: 60, learningRate: 0.01, minSamples: 100, minImprovement: 0.02, replayCapacity: 2_000, leaseTtlMs: 3_000 } }),
      createLogger({ level: 'warn', name: owner }),
      createMetrics({ defaultMetrics: false }),
      { slot: slot.slot, hybrid: FT_HYBRID, leaseOwner: owner, finetune: { tickMs: 100, dutyCycle: 1, niceness: 0, drift: { lambda: 1e12 } } },
    );
    const h = new Harness([{ name: owner, svc, inference: slot.stage }], { window: W, horizon: H, normHalfLifeTicks: 500 });
    t.after(() => h.close());
    await svc.start();
    return { svc, h };
  };
  const a = await make('replica-a');
  const b = await make('replica-b');
  assert.deepEqual([a.svc.coordinator!.leading, b.svc.coordinator!.leading], [true, false]);
  const lease = (b.svc.info().training?.finetune as { lease: { held: boolean; holder: string } }).lease;
  assert.deepEqual([lease.held, lease.holder], [false, 'replica-a'], 'GET /v1/model says who fine-tunes');
  const r = rng(3);
  const wave = (s: string, i: number) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1);
  const both = (n: number, only?: { h: Harness }[]) => Promise.all((only ?? [a, b]).map((x) => x.h.feed(series, n, wave)));
  const rounds = (svc: ModelService) => Number(svc.finetune!.status().rounds);
  const trainer = (svc: ModelService) => svc.finetune!.status().trainer as { running: boolean; pid?: number };
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  assert.equal(trainer(a.svc).running, true, 'the holder runs a trainer');
  assert.ok(alive(trainer(a.svc).pid!));
  assert.deepEqual(trainer(b.svc), { isolation: 'process', running: false }, 'the follower runs no trainer');

  await both(400);
  a.svc.finetune!.requestRound();
  b.svc.finetune!.requestRound();
  const promoted = await until(() => a.svc.info().version !== 'v1' && a.svc.finetune!.state === 'watching', 60_000, () => both(16));
  assert.ok(promoted, `replica a did not promote: ${JSON.stringify(a.svc.finetune!.history)}`);
  assert.equal(rounds(b.svc), 0, 'the replica without the lease ran a round');
  const v = a.svc.info().version;
  assert.ok(await until(() => b.svc.info().version === v, 5_000, () => both(4)), `replica b still serves ${b.svc.info().version}, a serves ${v}`);
  assert.equal(b.h.served[0].inference.predictor.version, v, 'the follower forecasts with the promoted version');

  await a.h.close(); // the holder stops: its lease is released
  assert.ok(await until(() => b.svc.coordinator!.leading, 5_000, () => both(4, [b])), 'replica b did not take the lease');
  assert.ok(await until(() => trainer(b.svc).running, 30_000, () => both(4, [b])), 'replica b started no trainer on taking the lease');
  b.svc.finetune!.requestRound();
  assert.ok(await until(() => rounds(b.svc) > 0, 60_000, () => both(16, [b])), 'replica b ran no round after taking the lease');

  // Another replica takes the lease over (b's renewal finds it): b's trainer ends, no tensor left behind here.
  const pid = trainer(b.svc).pid!;
  const tensors = tf.memory().numTensors;
  // Replica c keeps its record there as a holder does (its renewals): a renewal of b's in flight
  // when the record is first written can rename b's own over it (CI, 7 Dec 2026: b kept leading).
  const takeOver = () => {
    const file = path.join(dir, LEASE_FILE);
    if (!existsSync(file) || !readFileSync(file, 'utf8').includes('"replica-c"')) writeFileSync(file, `${JSON.stringify({ owner: 'replica-c', expiresAt: Date.now() + 60_000, epoch: 99 })}\n`);
  };
  takeOver();
  assert.ok(await until(() => !b.svc.coordinator!.leading && !trainer(b.svc).running, 30_000, () => (takeOver(), both(4, [b]))), `replica b kept its trainer after losing the lease: leading ${b.svc.coordinator!.leading} ${JSON.stringify(trainer(b.svc))} ${b.svc.finetune!.state}`);
  assert.equal(await b.svc.finetune!.workerExited, 0, 'the trainer ended cleanly');
  assert.equal(alive(pid), false);
  assert.equal(tf.memory().numTensors, tensors, 'tensors leaked on the serving thread');
});
