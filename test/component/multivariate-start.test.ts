/**
 * A multivariate spec and no checkpoint: the service starts (seeded weights, a warning that says
 * how to get a trained model) instead of exiting — the bundled sample it would train on is one series.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp } from '../helpers/app.ts';
import type { TickSource } from '../../src/pipeline/ports.ts';

const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

test('multivariate features without model.dir: starts on seeded weights and forecasts every target', async () => {
  const app = await startTestApp({ input: { features: ['cpu', 'mem', 'disk'], targets: ['cpu', 'mem'] }, model: { bootstrapEpochs: 2 } }, { source: idleSource });
  try {
    const model = await (await fetch(`${app.address()}/v1/model`)).json();
    assert.equal(model.training.source, 'seeded');
    const window = Array.from({ length: app.inference.spec.window }, (_, i) => [0.5 + 0.1 * Math.sin(i), 50 + i % 3, 200]);
    const r = await fetch(`${app.address()}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window }) });
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual(Object.keys((await r.json()).targets), ['cpu', 'mem']);
    // A row of the wrong width: the hint gives the feature order to send (since 6 Dec 2026).
    const narrow = await fetch(`${app.address()}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ window: window.map((row) => row.slice(0, 2)) }) });
    const { error } = await narrow.json();
    assert.equal(error.code, 'TC_MODEL_INPUT_SHAPE');
    assert.match(error.hint, /a row of 3 values per step, in the model's feature order \[cpu, mem, disk\]/);
  } finally {
    await app.stop();
  }
});
