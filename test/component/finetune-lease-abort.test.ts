/**
 * A training round in flight whose result can no longer be used ends at its next step, not after
 * all of its steps: when the champion is replaced from outside (manual rollback, a followed
 * promotion) the trainer drops the round and frees its tensors; when this replica loses the
 * fine-tune lease the round ends and the trainer with it, promptly. Real trainer process; the
 * round is 1,000 steps at a 10 % duty cycle (a minute or more of training on this machine).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createModelService } from '../../src/model/model-service.ts';
import { CheckpointStore } from '../../src/model/checkpoints.ts';
import { HybridModel } from '../../src/model/hybrid-model.ts';
import { initBackend } from '../../src/model/backend.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { createMetrics } from '../../src/telemetry/metrics.ts';
import { LEASE_FILE } from '../../src/model/shared-dir/lease.ts';
import { FT_HYBRID, FT_SPEC, ftConfig, rng } from '../unit/finetune/helpers.ts';
import { Harness, stageSlot } from './finetune-harness.ts';
import { series, phase, W, H } from './finetune-guard-setup.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A round that is not stopped takes far longer than this (see the file comment). */
const PROMPT_MS = 8_000;

test('a round in flight ends within a few steps when the champion is replaced or the lease is lost, leaving no tensors behind', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-ft-lease-abort-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await initBackend();
  const m = HybridModel.create(FT_HYBRID, FT_SPEC, 1);
  await new CheckpointStore({ dir, keep: 5 }).save({ config: FT_HYBRID, spec: FT_SPEC, weights: m.getWeights(), meta: { seed: 1 } });
  m.dispose();
  const slot = stageSlot();
  const svc = await createModelService(
    ftConfig({ model: { dir, followIntervalMs: 0 }, finetune: { enabled: true, intervalMs: 600_000, steps: 1_000, learningRate: 0.01, minSamples: 100, replayCapacity: 2_000, leaseTtlMs: 3_000 } }),
    createLogger({ level: 'warn', name: 'lease-abort' }),
    createMetrics({ defaultMetrics: false }),
    { slot: slot.slot, hybrid: FT_HYBRID, leaseOwner: 'replica-a', finetune: { tickMs: 50, batchSize: 64, dutyCycle: 0.1, niceness: 0, drift: { lambda: 1e12 } } },
  );
  const h = new Harness([{ name: 'a', svc, inference: slot.stage }], { window: W, horizon: H, normHalfLifeTicks: 500 });
  t.after(() => h.close());
  await svc.start();
  const ft = svc.finetune!;
  const r = rng(5);
  await h.feed(series, 400, (s, i) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1));
  const oneModel = await ft.workerTensors();
  const trainer = () => ft.status().trainer as { running: boolean; pid?: number };
  const roundRunning = async () => {
    ft.requestRound();
    const t0 = Date.now();
    while (ft.state !== 'training' && Date.now() - t0 < 10_000) await sleep(20);
    assert.equal(ft.state, 'training', 'no round started');
    await sleep(500); // some steps in
  };

  // The champion is replaced from outside: the round is discarded and the trainer free again within a few steps.
  await roundRunning();
  let t0 = Date.now();
  ft.championChanged('test: manual rollback');
  const tensors = await ft.workerTensors(); // answered once the trainer is done with the round
  const ms = Date.now() - t0;
  console.log(`champion replaced mid-round: trainer free after ${ms} ms; tensors ${oneModel} → ${tensors}`);
  assert.ok(ms < PROMPT_MS, `the replaced round went on for ${ms} ms`);
  assert.equal(tensors, oneModel, 'the abandoned round left tensors in the trainer');
  assert.equal(ft.history.at(-1)?.outcome, 'discarded');
  assert.match(String(ft.history.at(-1)?.reason), /champion replaced/);

  // Another replica takes the lease over: the round ends and the trainer with it, promptly.
  await roundRunning();
  const pid = trainer().pid!;
  const mainTensors = tf.memory().numTensors;
  writeFileSync(path.join(dir, LEASE_FILE), `${JSON.stringify({ owner: 'replica-b', expiresAt: Date.now() + 60_000, epoch: 99 })}\n`);
  t0 = Date.now();
  while (trainer().running && Date.now() - t0 < 60_000) await sleep(20);
  const gone = Date.now() - t0;
  console.log(`lease lost mid-round: trainer ended ${gone} ms after the takeover (renewal every 1 s)`);
  assert.ok(gone < PROMPT_MS, `the trainer ran on for ${gone} ms after the lease was lost`);
  assert.equal(svc.coordinator!.leading, false);
  assert.equal(await ft.workerExited, 0, 'the trainer did not end cleanly (it was killed)');
  assert.throws(() => process.kill(pid, 0), /ESRCH/, 'trainer process still alive');
  assert.equal(ft.history.at(-1)?.outcome, 'discarded');
  assert.match(String(ft.history.at(-1)?.reason), /lease lost/);
  assert.equal(tf.memory().numTensors, mainTensors, 'tensors leaked on the serving thread');
});
