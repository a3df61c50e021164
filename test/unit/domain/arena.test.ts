import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArrayArena, SizedArenas } from '../../../src/domain/arena.ts';

test('an arena carves 8-byte aligned arrays from one buffer; what does not fit is allocated on its own', () => {
  const a = new ArrayArena(64);
  const x = a.f64(3);
  const y = a.f32(3); // 12 bytes, padded to 16
  const z = a.f64(2);
  assert.equal(x.buffer, y.buffer);
  assert.equal(y.buffer, z.buffer);
  assert.deepEqual([x.byteOffset, y.byteOffset, z.byteOffset], [0, 24, 40]);
  x.fill(1);
  y.fill(2);
  z.fill(3);
  assert.deepEqual([...x, ...y, ...z], [1, 1, 1, 2, 2, 2, 3, 3], 'the arrays do not overlap');
  const w = a.f64(4); // 32 bytes: only 8 left
  assert.notEqual(w.buffer, x.buffer);
  assert.equal(w.length, 4);
  assert.equal(a.needed, 56 + 32);
});

test('sized arenas learn the size of a kind of state: the first is allocated piecewise, the next in one buffer', () => {
  const arenas = new SizedArenas();
  const make = () => arenas.build((alloc) => ({ a: alloc.f64(10), b: alloc.f32(5), c: alloc.f64(1) }));
  const first = make();
  assert.notEqual(first.a.buffer, first.b.buffer);
  const second = make();
  assert.equal(second.a.buffer, second.b.buffer);
  assert.equal(second.b.buffer, second.c.buffer);
  assert.equal(second.a.buffer.byteLength, 80 + 24 + 8);
  assert.notEqual(second.a.buffer, make().a.buffer, 'each state has its own buffer');
});
