import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Float32Pool } from '../../../src/model/float32-pool.ts';

describe('Float32Pool', () => {
  it('hands back a given array of the same length, a new one otherwise, and never the same one twice', () => {
    const pool = new Float32Pool();
    const a = pool.take(8);
    assert.equal(a.length, 8);
    pool.give(a, a); // a double give keeps one copy
    assert.equal(pool.bytes, 32);
    assert.notEqual(pool.take(4), a, 'other length: a new array');
    assert.equal(pool.take(8), a);
    assert.notEqual(pool.take(8), a, 'taken once: the next take allocates');
    assert.equal(pool.bytes, 0);
  });

  it('keeps at most maxBytes; the rest is left to the GC', () => {
    const pool = new Float32Pool(100);
    pool.give(new Float32Array(10), new Float32Array(10), new Float32Array(10)); // 40 B each
    assert.equal(pool.bytes, 80);
  });
});
