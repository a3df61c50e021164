import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseSplit, requireWindows, splitBorders, windowRange } from '../../../src/data/split.ts';
import { applyZScore, fitZScore, selectStats } from '../../../src/data/normalise.ts';
import { evenlySpaced, makeWindows, windowStarts, withKnownTargets } from '../../../src/data/windows.ts';
import { isTickcastError } from '../../../src/errors/index.ts';

const HOUR = 3_600_000;

describe('chronological split', () => {
  it('ETT protocol on an ETTh1-sized hourly file: 8640/2880/2880 rows and 2785 test windows at 96/96', () => {
    const b = splitBorders(17_420, { kind: 'ett' }, HOUR);
    assert.deepEqual(b, { trainEnd: 8640, valEnd: 11_520, testEnd: 14_400 });
    assert.deepEqual(windowRange(b, 'train', 96, 96), { first: 0, last: 8448, count: 8449 });
    assert.deepEqual(windowRange(b, 'val', 96, 96), { first: 8544, last: 11_328, count: 2785 });
    assert.deepEqual(windowRange(b, 'test', 96, 96), { first: 11_424, last: 14_208, count: 2785 });
    // ETTm (15-minute) scales the months: 4 × as many rows.
    assert.deepEqual(splitBorders(69_680, { kind: 'ett' }, HOUR / 4), { trainEnd: 34_560, valEnd: 46_080, testEnd: 57_600 });
  });

  it('fractions cut by row, test windows reach back one window into validation', () => {
    const b = splitBorders(1000, parseSplit('0.7,0.1,0.2'), HOUR);
    assert.deepEqual(b, { trainEnd: 700, valEnd: 800, testEnd: 1000 });
    const r = windowRange(b, 'test', 24, 12);
    assert.equal(r.first, 776);
    assert.equal(r.last + 24 + 12, 1000); // the last window's last target is the last row
  });

  it('rejects bad --split values and a too-short span with what to change', () => {
    for (const bad of ['0.7,0.1', '0.8,0.2,0.2', 'a,b,c', '0,0.5,0.5']) {
      assert.throws(() => parseSplit(bad), (err: unknown) => isTickcastError(err) && err.code === 'TC_CLI_USAGE');
    }
    assert.throws(() => splitBorders(1000, { kind: 'ett' }, HOUR), /needs 20 months/);
    const b = splitBorders(100, parseSplit('0.7,0.1,0.2'), HOUR);
    assert.throws(() => requireWindows(b, 'val', 48, 24), (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_TOO_SHORT' && /shorter --window/.test(err.message));
  });
});

describe('z-score with training statistics', () => {
  it('mean and population std from the training rows only (by hand)', () => {
    const a = Float64Array.from([1, 2, 3, 4, 100]);
    const c = Float64Array.from([5, 5, 5, 5, -7]);
    const s = fitZScore(['a', 'c'], [a, c], 4);
    assert.deepEqual(s.mean, [2.5, 5]);
    assert.ok(Math.abs(s.std[0] - Math.sqrt(1.25)) < 1e-12); // ((1.5²+0.5²)·2)/4 = 1.25
    assert.equal(s.std[1], 1); // constant in training: scale 1, not a division by zero
    const z = applyZScore([a, c], s);
    assert.ok(Math.abs(z[0] - -1.5 / Math.sqrt(1.25)) < 1e-6); // row 0, col a
    assert.equal(z[9], -12); // row 4, col c: (−7 − 5) / 1
    // A test-span outlier does not move the statistics.
    a[4] = -1e6;
    assert.deepEqual(fitZScore(['a'], [a], 4).mean, [2.5]);
    assert.deepEqual(selectStats(s, ['c']).mean, [5]);
    assert.throws(() => selectStats(s, ['zz']), /no column "zz"/);
  });
});

describe('windows', () => {
  it('x is [n, window, features] and y is [n, horizon, targets] at the right rows', () => {
    // 6 rows × 2 features: value = 10·row + feature
    const values = Float32Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 2) + (i % 2));
    const starts = windowStarts(0, 2, 2); // starts 0, 2
    assert.deepEqual(Array.from(starts), [0, 2]);
    const ws = makeWindows(values, { window: 2, horizon: 2, features: 2, targetIndex: [1] }, starts);
    assert.equal(ws.n, 2);
    assert.deepEqual(Array.from(ws.x), [0, 1, 10, 11, 20, 21, 30, 31]);
    assert.deepEqual(Array.from(ws.y), [21, 31, 41, 51]);
    assert.equal(windowStarts(5, 4).length, 0);
  });

  it('evenlySpaced keeps at most max starts spread over the whole span, or all of them', () => {
    const all = windowStarts(0, 9); // 0 … 9
    assert.deepEqual(Array.from(evenlySpaced(all, 4)), [0, 2, 5, 7]);
    assert.equal(evenlySpaced(all, 10), all);
    assert.equal(evenlySpaced(all, undefined), all);
  });

  it('withKnownTargets drops exactly the windows whose forecast rows hold a filled-in row', () => {
    const filled = new Uint8Array(20);
    filled[10] = 1; // window 4, horizon 2: forecast rows s+4 … s+5 hold row 10 for s = 5 and 6
    assert.deepEqual(Array.from(withKnownTargets(windowStarts(0, 14), filled, 4, 2)), [0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14]);
    // A filled row inside the input window only is kept (the service fills its windows the same way).
    assert.ok(withKnownTargets(windowStarts(0, 14), filled, 4, 2).includes(8));
    assert.equal(withKnownTargets(windowStarts(0, 14), undefined, 4, 2).length, 15);
  });
});
