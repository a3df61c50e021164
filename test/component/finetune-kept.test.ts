/**
 * A promoted model that survives its watch (`kept`): the trainer lets go of the previous champion
 * at once. Before, it held it (one model's tensors and memory) until the next promotion, which on
 * a stable stream may be hours away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promoteOnRegimeB, series, setup } from './finetune-guard-setup.ts';

test('a promotion whose watch ends kept: the trainer disposes the previous champion, back to one model of tensors', { timeout: 150_000 }, async (t) => {
  const { svc, h, metrics } = await setup(t, {});
  const ft = svc.finetune!;
  const oneModel = await ft.workerTensors();
  const { b } = await promoteOnRegimeB(svc, h);
  assert.equal(await ft.workerTensors(), 2 * oneModel, 'watching: the new champion and the previous one');
  // Regime B goes on: the new model does not regress and is kept after 3 × minSamples pairs.
  const t0 = Date.now();
  await h.feed(series, 100_000, b, { until: () => ft.state !== 'watching' || Date.now() - t0 > 40_000 });
  const last = ft.history[ft.history.length - 1];
  assert.equal(last.outcome, 'kept', JSON.stringify(last));
  assert.equal(svc.info().version, 'v2');
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total'), /outcome="kept"\} 1/);
  // The release is sent as the watch ends; the memory request queues behind it in the trainer.
  assert.equal(await ft.workerTensors(), oneModel, `the trainer still holds the previous champion after the watch ended kept (${oneModel} tensors per model)`);
});
