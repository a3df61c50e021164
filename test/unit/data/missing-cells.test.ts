/**
 * Missing cells (empty, `NA`, `NaN`, …) in a column read, as pandas and R write a sensor's or a
 * market's gaps (src/data/missing-cells.ts): kept as NaN by the reader under `missing: 'fill' |
 * 'skip'`, then carried forward or dropped as the service resolves a tick that lacks a feature or
 * a reading that never came. Until 7 Dec 2026 the first such cell stopped every command (exit 65).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsvText } from '../../../src/data/csv.ts';
import { isMissingCell } from '../../../src/data/missing-marks.ts';
import { fillGaps } from '../../../src/data/missing-cells.ts';
import { selectColumns } from '../../../src/data/table.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** Hourly `date,a,b` rows; `cells(i)` gives row i's two cells as text. */
function file(rows: number, cells: (i: number) => [string, string]): string {
  const lines = ['date,a,b'];
  for (let i = 0; i < rows; i++) lines.push(`${new Date(T0 + i * HOUR).toISOString().slice(0, 19)},${cells(i).join(',')}`);
  return lines.join('\n') + '\n';
}

test('the markers pandas, R and Excel write for a missing reading are missing; values and text are not', () => {
  for (const m of ['', 'NA', 'na', 'NaN', 'nan', '-nan', 'null', 'NULL', 'None', 'N/A', '#N/A', '<NA>']) assert.ok(isMissingCell(m), m);
  for (const v of ['0', 'Infinity', 'abc', 'n.a.', '-', 'x', '....']) assert.ok(!isMissingCell(v), v);
  assert.ok(isMissingCell('.'), "the Bundesbank's and SAS's '.' is missing (decided 7 Dec 2026; until then not, exit 65)");
});

test("statistics offices' not-available marks are missing: Eurostat's ':', the World Bank's and OECD's '..', Destatis' '...' (until 7 Dec 2026 exit 65)", () => {
  for (const m of [':', '..', '...']) assert.ok(isMissingCell(m), m);
  const t = selectColumns(parseCsvText(file(50, (i) => [i === 10 ? ':' : i === 20 ? '..' : String(i), i === 30 ? '...' : String(100 + i)]), 'eurostat.csv'), { missing: 'fill' });
  assert.deepEqual(t.features, ['a', 'b']);
  assert.ok(Number.isNaN(t.columns[0][10]) && Number.isNaN(t.columns[0][20]) && Number.isNaN(t.columns[1][30]));
});

test('fill: a cell a row lacks is carried from the row before; a row that lacks every column is dropped and filled in as a lost reading', () => {
  const gaps: Record<number, [string, string]> = { 0: ['NA', '1'], 155: ['', '7'], 159: ['NaN', 'NA'], 162: ['3', 'null'] };
  const csv = parseCsvText(file(200, (i) => gaps[i] ?? [String(i), String(100 + i)]), 'gaps.csv');
  const t = selectColumns(csv, { missing: 'fill' });
  assert.deepEqual(t.features, ['a', 'b'], 'a column whose first cell is NA is still a numeric column');
  assert.ok(Number.isNaN(t.columns[0][155]));
  const out = fillGaps(t, 'fill', 8);
  assert.deepEqual(out.missing, { policy: 'fill', cells: 5, byColumn: { a: 3, b: 2 }, droppedRows: 2, carriedCells: 2 });
  const a = [...out.table.columns[0]];
  const b = [...out.table.columns[1]];
  assert.equal(out.table.rows, 199, 'row 0 (nothing to carry) is gone; row 159 is filled back in');
  assert.equal(out.table.timesMs[0], T0 + HOUR);
  assert.equal(a[154], 154, 'row 155 carries a from row 154');
  assert.equal(b[154], 7);
  assert.equal(a[158], 159, 'row 159 (no values) interpolated between rows 158 and 160, as --fill-missed fills a lost row');
  assert.equal(b[158], 259);
  assert.equal(b[161], 261, 'row 162 carries b');
  assert.deepEqual([...out.filled.keys()].filter((r) => out.filled[r] === 1), [158, 161], 'the filled row and the row whose target (b) was carried');
  assert.ok(a.every(Number.isFinite) && b.every(Number.isFinite));
});

test('skip drops every row with a missing cell; with --fill-missed 0 they stay out', () => {
  const csv = parseCsvText(file(20, (i) => (i === 5 ? ['', '7'] : i === 6 ? ['6', 'NA'] : [String(i), String(i)])), 'gaps.csv');
  const out = fillGaps(selectColumns(csv, { missing: 'skip' }), 'skip', 0);
  assert.equal(out.table.rows, 18);
  assert.deepEqual(out.missing, { policy: 'skip', cells: 2, byColumn: { a: 1, b: 1 }, droppedRows: 2, carriedCells: 0 });
});

test('error (the reader\'s default) stops at the first missing cell, naming --missing; a column with no number at all is an error under every policy', () => {
  const csv = parseCsvText(file(5, (i) => (i === 2 ? ['NA', `${i}`] : [`${i}`, `${i}`])), 'gaps.csv'); // columns that vary: a constant one is no default feature (since 7 Dec 2026)
  assert.throws(() => selectColumns(csv), (e: Error & { code?: string }) => e.code === 'TC_DATA_NOT_NUMERIC' && /gaps\.csv:4: column "a" has "NA".*--missing fill/.test(e.message));
  const empty = parseCsvText(file(5, () => ['NA', '1']), 'empty.csv');
  for (const missing of ['fill', 'skip', 'error'] as const) {
    assert.throws(() => selectColumns(empty, { features: ['a'], missing }), (e: Error & { code?: string }) => e.code === 'TC_DATA_NOT_NUMERIC' && /empty\.csv: column "a" has no numbers: all 5 of its cells/.test(e.message), missing);
  }
  const text = parseCsvText(file(5, (i) => (i === 2 ? ['abc', `${i}`] : [`${i}`, `${i}`])), 'text.csv');
  assert.throws(() => selectColumns(text, { missing: 'fill' }), /text\.csv:4: column "a" has "abc", not a finite number/, 'text is not a missing reading');
});

test('skip that drops every row says so, not that the train span is short', () => {
  // Columns missing on alternate rows: every row lacks one. Until 7 Dec 2026 the table came back
  // with 0 rows and `train` said "the train span has room for 0 windows ...; use a shorter --window".
  const t = selectColumns(parseCsvText(file(100, (i) => (i % 2 ? ['NA', `${i}`] : [`${i}`, '']))), { missing: 'skip' });
  assert.throws(
    () => fillGaps(t, 'skip', 0),
    (e: Error & { code?: string }) =>
      e.code === 'TC_DATA_TOO_SHORT' && /every one of its 100 rows lacks a cell in a column read \(a 50, b 50\); --missing skip drops each such row/.test(e.message),
  );
  assert.equal(fillGaps(t, 'fill', 0).table.rows, 99, 'fill keeps them (from the row where both columns have had a value)');
});
