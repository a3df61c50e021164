import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Adam } from '../../../src/model/adam.ts';
import { backend } from './helpers.ts';

describe('Adam in JS (src/model/adam.ts)', () => {
  before(backend);

  it('takes the same steps as tf.train.adam, with clipping as a gradient scale, and leaves no tensor behind', async () => {
    const shapes = [[3, 4], [4], [2, 2, 2]];
    const init = shapes.map((s, i) => tf.randomNormal(s, 0, 1, 'float32', 30 + i));
    const ours = init.map((t, i) => tf.variable(t.clone(), true, `ours_${i}`));
    const theirs = init.map((t, i) => tf.variable(t.clone(), true, `theirs_${i}`));
    const adam = new Adam(0.05);
    const ref = tf.train.adam(0.05);
    for (let step = 0; step < 6; step++) {
      const grads = shapes.map((s, i) => tf.randomNormal(s, 0, 1 + step, 'float32', 100 * step + i));
      const scale = step % 2 === 0 ? 1 : 0.37;
      const tensors = tf.memory().numTensors;
      adam.apply(ours, grads.map((g) => g.dataSync() as Float32Array), scale);
      assert.equal(tf.memory().numTensors, tensors, 'a step leaves no tensor behind');
      tf.tidy(() => ref.applyGradients(Object.fromEntries(theirs.map((v, i) => [v.name, grads[i].mul(scale)]))));
      tf.dispose(grads);
      for (let i = 0; i < shapes.length; i++) {
        const a = await ours[i].data();
        const b = await theirs[i].data();
        for (let j = 0; j < a.length; j++) assert.ok(Math.abs(a[j] - b[j]) < 1e-5, `step ${step}, variable ${i}[${j}]: ${a[j]} vs ${b[j]}`);
      }
    }
    adam.dispose();
    ref.dispose();
    tf.dispose([...init, ...ours, ...theirs]);
  });

  it('reads a variable assigned from outside between steps (a restored snapshot), and honours a new learning rate', async () => {
    const v = tf.variable(tf.tensor1d([1, 2, 3]), true, 'restore_probe');
    const adam = new Adam(0.1);
    const g = new Float32Array([1, 1, 1]);
    adam.apply([v], [g]);
    const moved = Array.from(await v.data());
    assert.ok(moved.every((x, i) => Math.abs(x - ([1, 2, 3][i] - 0.1)) < 1e-6), `first Adam step moves by lr: ${moved}`);
    v.assign(tf.tensor1d([10, 20, 30]));
    adam.learningRate = 0;
    adam.apply([v], [g]);
    assert.deepEqual(Array.from(await v.data()), [10, 20, 30], 'the update starts from the assigned values');
    assert.throws(() => adam.apply([v], [new Float32Array(2)]), /2 values, the variable 3/);
    adam.dispose();
    v.dispose();
  });

  it('keeps an exponential moving average of the weights with emaDecay (started at the first step), and none without', async () => {
    const v = tf.variable(tf.tensor1d([0, 0]), true, 'ema_probe');
    const adam = new Adam(0.1, { emaDecay: 0.5 });
    const plain = new Adam(0.1);
    assert.equal(adam.averaged([v]), null, 'nothing to average before the first step');
    const expected: number[] = [];
    for (let step = 0; step < 4; step++) {
      adam.apply([v], [new Float32Array([1, -1])]);
      const w = Array.from(await v.data());
      expected.splice(0, 2, ...(step === 0 ? w : expected.map((e, j) => 0.5 * e + 0.5 * w[j])));
    }
    const tensors = tf.memory().numTensors;
    const [avg] = adam.averaged([v])!;
    assert.equal(tf.memory().numTensors, tensors + 1, 'one new tensor per variable, owned by the caller');
    const got = Array.from(await avg.data());
    got.forEach((g, j) => assert.ok(Math.abs(g - expected[j]) < 1e-6, `average[${j}]: ${g} vs ${expected[j]}`));
    assert.ok(got[0] > (await v.data())[0], 'the average lags the weights that keep falling');
    plain.apply([v], [new Float32Array([1, -1])]);
    assert.equal(plain.averaged([v]), null, 'no average without emaDecay');
    assert.throws(() => new Adam(0.1, { emaDecay: 1 }), /emaDecay must be in \[0, 1\)/);
    tf.dispose([avg, v]);
    adam.dispose();
    plain.dispose();
  });
});
