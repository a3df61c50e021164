/**
 * Feeds closed some hours for bench:nab (src/eval/nab/closures.ts): rows re-timed into a
 * schedule's open hours keep their order, values and windows; rows dropped in closed hours move
 * window edges to the nearest row kept inside the window.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inOpenHours, NIGHTS_CLOSED, WEEKENDS_CLOSED, withoutClosedRows } from '../../../src/eval/nab/closures.ts';
import { hourlyTimestamp, nabTimestampMs, sweepFile } from '../../../src/eval/nab/index.ts';

const rows = Array.from({ length: 24 * 21 }, (_, i) => ({ timestamp: hourlyTimestamp(i), value: i })); // from Wed 2020-01-01 00:00
const windows = [[hourlyTimestamp(100), hourlyTimestamp(130)], [hourlyTimestamp(300), hourlyTimestamp(320)]] as const;
const hour = (ts: string): number => new Date(nabTimestampMs(ts)).getUTCHours();
const day = (ts: string): number => new Date(nabTimestampMs(ts)).getUTCDay();

test('re-timed to an 18-hour session: every row kept in order, none in 00:00–05:59, an hour apart within a session, windows on their rows', () => {
  const out = inOpenHours(rows, windows, NIGHTS_CLOSED);
  assert.deepEqual(out.rows.map((r) => r.value), rows.map((r) => r.value));
  assert.ok(out.rows.every((r) => hour(r.timestamp) >= 6));
  const ms = out.rows.map((r) => nabTimestampMs(r.timestamp));
  const steps = ms.slice(1).map((t, i) => (t - ms[i]) / 3_600_000);
  assert.deepEqual([...new Set(steps)].sort((a, b) => a - b), [1, 7], 'an hour, or the night (23:00 → 06:00)');
  // Window edges follow their rows: the scorer finds them (it throws on an edge that is not a row).
  assert.deepEqual(out.windows.map(([a, b]) => [out.rows.findIndex((r) => r.timestamp === a), out.rows.findIndex((r) => r.timestamp === b)]), [[100, 130], [300, 320]]);
  assert.equal(sweepFile(out.rows.map((r) => r.timestamp), out.rows.map(() => 0), out.windows, 'f').length, rows.length - 75);
});

test('a row a day on business days: Monday to Friday at 00:00 UTC, a weekend is a 3-day step', () => {
  const out = inOpenHours(rows.slice(0, 40), [], WEEKENDS_CLOSED, true);
  assert.ok(out.rows.every((r) => hour(r.timestamp) === 0 && day(r.timestamp) >= 1 && day(r.timestamp) <= 5));
  const ms = out.rows.map((r) => nabTimestampMs(r.timestamp));
  assert.deepEqual([...new Set(ms.slice(1).map((t, i) => (t - ms[i]) / 86_400_000))].sort(), [1, 3]);
});

test('rows in closed hours dropped: windows move to the nearest rows kept inside them', () => {
  const out = withoutClosedRows(rows, windows, NIGHTS_CLOSED);
  assert.equal(out.rows.length, 18 * 21);
  assert.ok(out.rows.every((r) => hour(r.timestamp) >= 6));
  // Row 100 is day 4 04:00 (closed): the window starts at 06:00 that day (row 102); row 130 is day 5 10:00 (open).
  assert.deepEqual(out.windows[0], [hourlyTimestamp(102), hourlyTimestamp(130)]);
  assert.deepEqual(out.windows[1], [hourlyTimestamp(300), hourlyTimestamp(320)]);
});
