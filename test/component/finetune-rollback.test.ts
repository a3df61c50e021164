/**
 * Evidence for automatic rollback, with the real model and worker: a model fine-tuned on regime B
 * (a square wave) is promoted, then the stream returns to regime A (a sine) → the live MAE of the
 * new model regresses against the previous one on the same pairs → automatic rollback to v1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promoteOnRegimeB, series, setup } from './finetune-guard-setup.ts';

test('regression after promotion: the stream returns to the old regime and the new model is rolled back automatically', { timeout: 120_000 }, async (t) => {
  const { svc, h, metrics } = await setup(t, { rollbackRegression: 0.05 });
  const ft = svc.finetune!;
  const { a } = await promoteOnRegimeB(svc, h);
  // Back to regime A: v2 must regress against v1 on the same live pairs.
  const t0 = Date.now();
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
