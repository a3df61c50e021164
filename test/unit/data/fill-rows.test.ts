/**
 * Rows a file lost on its clock, filled in for training as the window store fills a feed's missed
 * readings (src/data/fill-rows.ts): the same rule, times and interpolation; nothing filled in a
 * market's closed hours, without a time column, or with --fill-missed 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fillLostRows } from '../../../src/data/fill-rows.ts';
import type { SeriesTable } from '../../../src/data/table.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';

const HOUR = 3_600_000;
const MONDAY = Date.UTC(2026, 0, 5);

function table(rows: { t: number; v: number[] }[], timeCol: string | null = 'time'): SeriesTable {
  const F = rows[0].v.length;
  return {
    path: 'x.csv',
    timeCol,
    timesMs: Float64Array.from(rows, (r) => r.t),
    stepMs: HOUR,
    features: Array.from({ length: F }, (_, f) => `c${f}`),
    targets: ['c0'],
    targetIndex: [0],
    columns: Array.from({ length: F }, (_, f) => Float64Array.from(rows, (r) => r.v[f])),
    rows: rows.length,
  };
}

test('lost rows are filled at the clock times, as the window store fills them (linear; geometric for a log column; NaN carries)', () => {
  const lost = new Set([80, 81, 120]);
  const rows = Array.from({ length: 200 }, (_, i) => i).filter((i) => !lost.has(i)).map((i) => ({ t: MONDAY + i * HOUR, v: [10 + i, 2 ** (i / 10), i === 82 ? Number.NaN : i] }));
  const out = fillLostRows(table(rows), 8, ['c1']);
  assert.equal(out.count, 3);
  assert.equal(out.table.rows, 200);
  assert.deepEqual([...out.table.timesMs], Array.from({ length: 200 }, (_, i) => MONDAY + i * HOUR));
  assert.deepEqual([...out.filled.keys()].filter((i) => out.filled[i] === 1), [80, 81, 120]);
  assert.ok(Math.abs(out.table.columns[0][81] - 91) < 1e-9, 'linear');
  assert.ok(Math.abs(out.table.columns[1][80] - 2 ** 8) < 1e-9, 'geometric in a log column');
  assert.equal(out.table.columns[2][81], 79, 'a NaN row carries the last value into the rows filled before it');
  // The window store, fed the same rows, holds the same values at the same times.
  const store = new WindowStore({ window: 200, features: 3, stride: 1, maxSeries: 1, idleEvictMs: 1e15, duplicatePolicy: 'drop', normHalfLifeTicks: 1000, fillMissed: 8, logFeatures: [false, true, false] });
  for (const r of rows) store.push('s', r.t, r.v, 0);
  const held = store.recent('s')!;
  assert.deepEqual(held.filled, [80, 81, 120]);
  for (const i of [80, 81, 120]) for (let f = 0; f < 3; f++) assert.ok(Math.abs(held.values[i][f] - out.table.columns[f][i]) < 1e-3 * Math.abs(held.values[i][f]), `row ${i} column ${f}`);
});

test('nothing is filled in hours the file is closed, without a time column, or with maxFill 0', () => {
  const bars = Array.from({ length: 24 * 40 }, (_, i) => i).filter((i) => i % 24 >= 6 && i !== 24 * 20 + 12).map((i) => ({ t: MONDAY + i * HOUR, v: [i] }));
  const out = fillLostRows(table(bars), 8);
  assert.equal(out.openHours, true, 'the file has a closure a night');
  assert.deepEqual([...out.filled.keys()].filter((i) => out.filled[i] === 1).map((i) => new Date(out.table.timesMs[i]).getUTCHours()), [12], 'only the row lost at 12:00');
  const plain = Array.from({ length: 100 }, (_, i) => i).filter((i) => i !== 70).map((i) => ({ t: MONDAY + i * HOUR, v: [i] }));
  assert.equal(fillLostRows(table(plain, null), 8).count, 0);
  assert.equal(fillLostRows(table(plain), 0).count, 0);
  assert.equal(fillLostRows(table(plain), 8).count, 1);
});
