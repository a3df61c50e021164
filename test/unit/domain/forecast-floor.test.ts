/** The floor of non-negative targets (input.nonNegative; src/domain/forecast-floor.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ForecastFloor } from '../../../src/domain/forecast-floor.ts';
import type { ForecastStep } from '../../../src/domain/types.ts';

const Q = [0.1, 0.5, 0.9];
const step = (p10: number, p50: number, p90: number, h = 1) => ({ step: h, ts: 1000 * h, p10, p50, p90 }) as ForecastStep;

test('no floor when none of the targets is listed', () => {
  assert.equal(ForecastFloor.of(['value'], Q, []), null);
  assert.equal(ForecastFloor.of(['temp'], Q, ['count']), null);
});

test('raises every quantile below zero of a floored target, in place, and keeps them ordered', () => {
  const floor = ForecastFloor.of(['temp', 'count'], Q, ['count'])!;
  assert.deepEqual(floor.floored, [false, true]);
  const temp = [step(-4, -1, 2)];
  const count = [step(-3, -1, 2), step(-2, 0.5, 3, 2), step(1, 2, 3, 3), step(Number.NaN, Number.NaN, Number.NaN, 4)];
  const out = floor.apply([temp, count]);
  assert.deepEqual(out[0], [step(-4, -1, 2)], 'a target not listed is left alone');
  assert.deepEqual(out[1].slice(0, 3), [step(0, 0, 2), step(0, 0.5, 3, 2), step(1, 2, 3, 3)]);
  assert.ok(Number.isNaN(out[1][3].p50), 'a missing (null) quantile stays missing');
  assert.equal(out[1], count, 'in place');
  assert.equal(out[1][0].ts, 1000, 'step and time untouched');
});
