import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calendarMonths, describeStep } from '../../../src/data/calendar-step.ts';
import { typicalStepMs } from '../../../src/data/time.ts';

const DAY = 86_400_000;
/** Times `k` calendar months apart from `y0`-`m0`-`d` (d 0: each month's last day). */
const months = (n: number, k: number, d = 1, hour = 0): number[] => Array.from({ length: n }, (_, i) => Date.UTC(2000, i * k + (d === 0 ? 1 : 0), d, hour));
const step = (times: number[]): string => describeStep({ stepMs: typicalStepMs(times), timesMs: times });

describe('a file\'s step in words', () => {
  it('calendar-month spacing reads as months, not as its most common day count (31d, 92d until 7 Dec 2026)', () => {
    assert.equal(step(months(240, 1)), '1 month (monthly)');
    assert.equal(step(months(80, 3)), '3 months (quarterly)');
    assert.equal(step(months(40, 6)), '6 months (semi-annual)');
    assert.equal(step(months(30, 12)), '12 months (annual)');
    assert.equal(step(months(60, 2)), '2 months');
    assert.equal(step(months(120, 1, 0)), '1 month (monthly)', 'month-end dates (31 Jan, 29 Feb, …)');
    assert.equal(step(months(120, 3, 15, 9)), '3 months (quarterly)', 'the 15th at 09:00');
    const gap = months(120, 1).filter((_, i) => i !== 40);
    assert.equal(step(gap), '1 month (monthly)', 'a missing month');
  });

  it('anything else keeps the day count', () => {
    assert.equal(step(Array.from({ length: 100 }, (_, i) => i * DAY)), '1d');
    assert.equal(step(Array.from({ length: 100 }, (_, i) => i * 31 * DAY)), '31d', 'every 31 days is not monthly');
    const mixedDays = months(24, 1).map((t, i) => (i === 5 ? t + DAY : t));
    assert.equal(calendarMonths(mixedDays), undefined, 'one row on another day of the month');
    assert.equal(step(Array.from({ length: 100 }, (_, i) => i * 7 * DAY)), '7d');
    assert.equal(describeStep({ stepMs: Number.NaN, timesMs: [] }), 'unknown');
  });
});
