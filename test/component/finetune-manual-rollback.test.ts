/**
 * A manual rollback (ModelService.rollback, what POST /v1/model/rollback calls) while a promotion
 * is watched ends the watch with a record: `rolled_back`, counted once in
 * tickcast_finetune_rounds_total, and the answer's `training.finetune.last` says so. A later
 * forward re-promotion is a manual change, not a round. Real model service, trainer process and
 * training. Before 6 Dec 2026 the watch ended without a record (`last` still said `promoted`) and
 * every manual change counted as a `rolled_back` round, the forward one too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promoteOnRegimeB, setup } from './finetune-guard-setup.ts';

test('a manual rollback during a watch ends it recorded as rolled_back, once; a forward re-promotion counts as a manual change only', { timeout: 150_000 }, async (t) => {
  const { svc, h, metrics } = await setup(t, {});
  const ft = svc.finetune!;
  const oneModel = await ft.workerTensors();
  await promoteOnRegimeB(svc, h);
  const rounds = async () => metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total');
  const changes = async () => metrics.registry.getSingleMetricAsString('tickcast_model_manual_changes_total');
  const recorded = ft.history.length;

  const back = await svc.rollback({});
  assert.equal(back.version, 'v1');
  const last = (back.training as { finetune: { state: string; last: { outcome: string; version: string; reason: string } } }).finetune;
  assert.equal(last.state, 'idle');
  assert.deepEqual([last.last.outcome, last.last.version], ['rolled_back', 'v2'], JSON.stringify(last.last));
  assert.match(last.last.reason, /^manual rollback to v1 \(POST \/v1\/model\/rollback\) after \d+ live pairs of watching$/);
  assert.equal(ft.history.length, recorded + 1, 'the watch is recorded once');
  assert.match(await rounds(), /outcome="rolled_back"\} 1/);
  assert.match(await changes(), /direction="older"\} 1/);
  // The trainer took v1 as its champion and let go of the previous one it held for the watch.
  assert.equal(await ft.workerTensors(), oneModel);

  // Forward again to v2: a manual change, no round; nothing is watched, so nothing is recorded.
  const fwd = await svc.rollback({ version: 'v2' });
  assert.equal(fwd.version, 'v2');
  assert.equal(ft.history.length, recorded + 1);
  assert.match(await rounds(), /outcome="rolled_back"\} 1/);
  assert.match(await changes(), /direction="newer"\} 1/);
});
