/**
 * A promoted model that survives its watch (`kept`): the trainer lets go of the previous champion
 * at once. Before, it held it (one model's tensors and memory) until the next promotion, which on
 * a stable stream may be hours away.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from '../unit/finetune/helpers.ts';
import { phase, roundOn, series, setup } from './finetune-guard-setup.ts';

test('a promotion whose watch ends kept: the trainer disposes the previous champion, back to one model of tensors', { timeout: 150_000 }, async (t) => {
  const { svc, h, metrics } = await setup(t, {});
  const ft = svc.finetune!;
  const oneModel = await ft.workerTensors();
  const r = rng(6);
  const a = (s: string, i: number) => Math.sin((2 * Math.PI * (i + phase[s])) / 20) + 0.05 * (r() * 2 - 1);
  const b = (s: string, i: number) => 3 + 1.5 * Math.sign(Math.sin((2 * Math.PI * (i + phase[s]) + 0.5) / 8)) + 0.05 * (r() * 2 - 1);
  await h.feed(series, 150, a);
  await h.feed(series, 900, b);
  let t0 = Date.now();
  for (let attempt = 0; attempt < 3 && svc.info().version === 'v1'; attempt++) {
    await roundOn(svc, h, b);
    t0 = Date.now();
    await h.feed(series, 100_000, b, { until: () => ft.state !== 'shadow' || Date.now() - t0 > 30_000 });
  }
  assert.equal(svc.info().version, 'v2', `not promoted: ${JSON.stringify(ft.history)}`);
  assert.equal(ft.state, 'watching');
  assert.equal(await ft.workerTensors(), 2 * oneModel, 'watching: the new champion and the previous one');
  // Regime B goes on: the new model does not regress and is kept after 3 × minSamples pairs.
  t0 = Date.now();
  await h.feed(series, 100_000, b, { until: () => ft.state !== 'watching' || Date.now() - t0 > 40_000 });
  const last = ft.history[ft.history.length - 1];
  assert.equal(last.outcome, 'kept', JSON.stringify(last));
  assert.equal(svc.info().version, 'v2');
  assert.match(await metrics.registry.getSingleMetricAsString('tickcast_finetune_rounds_total'), /outcome="kept"\} 1/);
  // The release is sent as the watch ends; the memory request queues behind it in the trainer.
  assert.equal(await ft.workerTensors(), oneModel, `the trainer still holds the previous champion after the watch ended kept (${oneModel} tensors per model)`);
});
