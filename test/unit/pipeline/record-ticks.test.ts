/**
 * takeTicks (src/pipeline/record-ticks.ts) runs once per record and calls `take` once per tick. It
 * gave each tick a `{ told }` object of its own: one allocation per tick on the hot path. Since
 * 7 Dec 2026 one object serves the record's ticks, reset before each. Counted here (how many
 * distinct objects one record's ticks are given), with the reset that makes the reuse safe: a tick
 * that throws before its outcome is told must count as a dead letter even after an earlier tick
 * of the pack was told and threw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { takeTicks, type TakeTold } from '../../../src/pipeline/record-ticks.ts';
import type { Tick } from '../../../src/domain/types.ts';

const ticks = (n: number): Tick[] => Array.from({ length: n }, (_, i) => ({ series: `s${i}`, tsMs: 1_000 + i, values: Float64Array.of(i) }));

test('one { told } object per record, not per tick, and it comes to each tick untold', () => {
  const seen = new Set<TakeTold>();
  const toldOnEntry: boolean[] = [];
  const refused = takeTicks(ticks(64), (_tick, state) => {
    seen.add(state);
    toldOnEntry.push(state.told);
    state.told = true;
  }, ['value']);
  assert.equal(refused, null);
  assert.equal(toldOnEntry.length, 64, 'take is called once per tick');
  assert.equal(seen.size, 1, `objects allocated for one record's 64 ticks: ${seen.size}`);
  assert.ok(toldOnEntry.every((t) => t === false), 'each tick starts untold');
});

test('a tick that throws before its outcome is told counts as a dead letter, after one told that threw', () => {
  // Tick 0 is windowed and told, then its hook throws (FAILED_AFTER_WINDOWING: not counted again);
  // tick 1 throws before anything is told: the record's dead letter is a dead_letter outcome.
  const refused = takeTicks(ticks(2), (tick, state) => {
    if (tick.series === 's0') state.told = true;
    throw new Error(`hook failed on ${tick.series}`);
  }, ['value']);
  assert.ok(refused);
  assert.equal(refused.counted, true);
  assert.equal(refused.errors.length, 1);
  assert.equal(refused.errors[0].code, 'TC_RECORD_PROCESSING_FAILED');
});

test('every tick told before it threw: the dead letter is not counted again', () => {
  const refused = takeTicks(ticks(3), (_tick, state) => {
    state.told = true;
    throw new Error('hook failed');
  }, ['value']);
  assert.equal(refused?.counted, false);
});
