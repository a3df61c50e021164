import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { sigmoidF, tanhF } from '../../../src/model/activations.ts';

describe('float32-accurate activations', () => {
  it('tanhF stays within 3e-8 of Math.tanh and sigmoidF within 2e-8 of the logistic, over ±20', () => {
    let eT = 0;
    let eS = 0;
    for (let v = -20; v <= 20; v += 1e-3) {
      eT = Math.max(eT, Math.abs(tanhF(v) - Math.tanh(v)));
      eS = Math.max(eS, Math.abs(sigmoidF(v) - 1 / (1 + Math.exp(-v))));
    }
    assert.ok(eT < 3e-8, `tanh error ${eT}`);
    assert.ok(eS < 2e-8, `sigmoid error ${eS}`);
  });

  it('is odd, saturates at ±1 and keeps 0 exact', () => {
    assert.equal(tanhF(0), 0);
    assert.equal(tanhF(0.3), -tanhF(-0.3));
    assert.equal(tanhF(50), tanhF(9));
    assert.ok(Math.abs(tanhF(50) - 1) < 1e-7 && Math.abs(tanhF(-1e9) + 1) < 1e-7);
    assert.equal(sigmoidF(0), 0.5);
  });

  it('uses the same constants as the native kernels (native/kernels/src/activations.h), so both paths compute the same gates', () => {
    /** The decimal literals of a function's body, in order: the 11 rational coefficients (the ±9 clamp is an integer in JS, `9.f` in C). */
    const literals = (src: string, head: string): number[] => {
      const start = src.indexOf(head);
      assert.ok(start >= 0, `${head} not found`);
      const body = src.slice(start, src.indexOf('\n}', start));
      return [...body.matchAll(/-?\d+\.\d+(?:e-?\d+)?/g)].map((m) => Number(m[0]));
    };
    const js = literals(readFileSync(new URL('../../../src/model/activations.ts', import.meta.url), 'utf8'), 'export function tanhF');
    const c = literals(readFileSync(new URL('../../../native/kernels/src/activations.h', import.meta.url), 'utf8'), 'static inline float tanh_f');
    assert.equal(js.length, 11, `tanhF's coefficients: ${js.join(', ')}`);
    assert.deepEqual(c, js);
  });
});
