import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsvText, readCsvFile } from '../../../src/data/csv.ts';
import { selectColumns } from '../../../src/data/table.ts';
import { isTickcastError } from '../../../src/errors/index.ts';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;
const withCode = (code: string, text?: string) => (err: unknown) =>
  isTickcastError(err) && err.code === code && (text === undefined || err.message.includes(text));

describe('column selection', () => {
  it('defaults: time column by name, features = numeric columns, target = last numeric column', async () => {
    const t = selectColumns(await readCsvFile(fixture('hourly-demand.csv')));
    assert.equal(t.timeCol, 'timestamp');
    assert.deepEqual(t.features, ['load', 'temp_c', 'demand']); // "site" is text: left out
    assert.deepEqual(t.targets, ['demand']);
    assert.deepEqual(t.targetIndex, [2]);
    assert.equal(t.rows, 720);
    assert.equal(t.stepMs, 3_600_000);
    assert.equal(t.timesMs[1] - t.timesMs[0], 3_600_000);
    assert.equal(t.columns[0][0], 49.744);
  });

  it('explicit features and targets; a target missing from features is appended', () => {
    const csv = parseCsvText('when,a,b,c\n2024-01-01 00:00,1,2,3\n2024-01-01 01:00,4,5,6\n');
    const t = selectColumns(csv, { timeCol: 'when', features: ['b'], targets: ['a'] });
    assert.deepEqual(t.features, ['b', 'a']);
    assert.deepEqual(t.targets, ['a']);
    assert.deepEqual(t.targetIndex, [1]);
    assert.deepEqual(Array.from(t.columns[1]), [1, 4]);
  });

  it('uses column 0 as time when no column has a time-like name, and epoch seconds work', async () => {
    const t = selectColumns(parseCsvText('t0,v\n1700000000,1\n1700000300,2\n'));
    assert.equal(t.timeCol, 't0');
    assert.equal(t.stepMs, 300_000);
    const five = selectColumns(await readCsvFile(fixture('five-minute.csv')));
    assert.equal(five.timeCol, 'time');
    assert.equal(five.stepMs, 300_000);
  });

  it('--time-col none: rows in file order, no time parsing', () => {
    const t = selectColumns(parseCsvText('x,y\n5,1\n3,2\n'), { timeCol: null });
    assert.equal(t.timeCol, null);
    assert.deepEqual(t.features, ['x', 'y']);
    assert.deepEqual(t.targets, ['y']);
  });

  it('a missing column names the flag and lists the header', () => {
    const csv = parseCsvText('date,a\n2024-01-01,1\n');
    assert.throws(() => selectColumns(csv, { targets: ['OT'] }), withCode('TC_DATA_COLUMN_MISSING', 'no column named "OT" (from --target); the header has: date, a'));
    assert.throws(() => selectColumns(csv, { features: ['zz'] }), withCode('TC_DATA_COLUMN_MISSING', '--features'));
    assert.throws(() => selectColumns(csv, { timeCol: 'ts' }), withCode('TC_DATA_COLUMN_MISSING', '--time-col'));
    assert.throws(() => selectColumns(csv, { targets: ['date'] }), withCode('TC_DATA_COLUMN_MISSING', 'is the time column'));
  });

  it('default features come from the whole column: an empty first cell does not drop a numeric column', () => {
    const csv = parseCsvText('date,a,site,b\n2024-01-01,,x,1\n2024-01-02,2,y,2\n', 'gap.csv');
    assert.throws(() => selectColumns(csv), withCode('TC_DATA_NOT_NUMERIC', 'gap.csv:2: column "a" has ""'), 'the empty cell is reported, not the column dropped');
    const full = selectColumns(parseCsvText('date,a,site,b\n2024-01-01,,x,1\n2024-01-02,2,y,2\n'), { features: ['b'] });
    assert.deepEqual(full.features, ['b']);
    assert.deepEqual(selectColumns(parseCsvText('date,a,site,b\n2024-01-01,1,,1\n2024-01-02,2,y,2\n')).features, ['a', 'b'], 'a text column stays out');
  });

  it('columns a saved model reads (backtest) are not blamed on flags the command does not have', () => {
    const csv = parseCsvText('date,a\n2024-01-01,1\n2024-01-02,x\n', 'm.csv');
    assert.throws(() => selectColumns(csv, { targets: ['OT'], features: ['OT'], from: 'model' }), withCode('TC_DATA_COLUMN_MISSING', 'no column named "OT" (a column the model reads); the header has: date, a'));
    assert.throws(() => selectColumns(csv, { targets: ['a'], features: ['a'], from: 'model' }), (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_NOT_NUMERIC' && !err.message.includes('--features') && err.message.includes('(the model reads this column)'));
    assert.throws(() => selectColumns(csv, { timeCol: 'ts', targets: ['a'], from: 'model', timeColFrom: 'the time column the model was trained with' }), withCode('TC_DATA_COLUMN_MISSING', '(the time column the model was trained with)'));
  });

  it('a non-numeric cell is reported with file, line, column and value', async () => {
    await assert.rejects(
      readCsvFile(fixture('not-numeric.csv')).then((csv) => selectColumns(csv, { targets: ['b'], features: ['a', 'b'] })),
      withCode('TC_DATA_NOT_NUMERIC', 'not-numeric.csv:3: column "a" has "n/a"'),
    );
  });

  it('unsorted or duplicate timestamps are rejected with both line numbers', async () => {
    await assert.rejects(
      readCsvFile(fixture('unsorted.csv')).then((csv) => selectColumns(csv)),
      withCode('TC_DATA_TIME_UNSORTED', 'unsorted.csv:4: time "2024-01-01 01:00:00" is not after the previous row (line 3); sort the file'),
    );
    assert.throws(() => selectColumns(parseCsvText('date,v\n2024-01-01,1\n2024-01-01,2\n')), withCode('TC_DATA_TIME_UNSORTED'));
  });

  it('a date column beside a time column (date,time,value) says the two are not joined, not only "sort the file" (until 7 Dec 2026)', () => {
    assert.throws(
      () => selectColumns(parseCsvText('date,time,value\n2024-01-01,00:00,1\n2024-01-01,01:00,2\n')),
      withCode('TC_DATA_TIME_UNSORTED', ':3: time "2024-01-01" is not after the previous row (line 2); the file\'s column "time" is not read with "date" (a date and a time in two columns are not joined): write them as one column'),
    );
    // The repeat is compared as the column reads it: a 12-digit compact date (202401010000) alone is
    // epoch ms, and until 7 Dec 2026 that reading made the hint fall back to "sort the file".
    assert.throws(
      () => selectColumns(parseCsvText('date,time,value\n202401010000,00:00,1\n202401010000,01:00,2\n')),
      withCode('TC_DATA_TIME_UNSORTED', ':3: time "202401010000" is not after the previous row (line 2); the file\'s column "time" is not read with "date" (a date and a time in two columns are not joined)'),
    );
    // A time out of order (not a repeat), or a file with no second time-like column, keeps the sort
    // advice (two rows newest first are read in reverse since 7 Dec 2026: a third breaks the order).
    assert.throws(() => selectColumns(parseCsvText('date,time,value\n2024-01-02,00:00,1\n2024-01-01,01:00,2\n2024-01-03,01:00,2\n')), withCode('TC_DATA_TIME_UNSORTED', 'sort the file by time'));
  });

  it('an unparseable time says which forms are accepted', () => {
    assert.throws(() => selectColumns(parseCsvText('date,v\nmonday,1\n')), withCode('TC_DATA_BAD_TIME', 'use ISO-8601'));
    // Since 7 Dec 2026 a day/month date says why it is not read.
    assert.throws(() => selectColumns(parseCsvText('date,v\n01/02/2024,1\n')), withCode('TC_DATA_BAD_TIME', 'has "01/02/2024" (day-first or month-first: a cell does not say which, so such dates are not read); use ISO-8601'));
    assert.throws(() => selectColumns(parseCsvText('date,v\n30.02.2024,1\n')), withCode('TC_DATA_BAD_TIME', 'has "30.02.2024" (read day first, as DD.MM.YYYY: not a date on the calendar)'));
    assert.throws(() => selectColumns(parseCsvText('date,v\n31.01.24,1\n')), withCode('TC_DATA_BAD_TIME', 'has "31.01.24" (a 2-digit year is not read'));
  });

  it('a file of values with no time column is refused naming --time-col none, not read as times in 1970 (until 7 Dec 2026)', () => {
    // Before: column 0 ("load") was read as epoch seconds: 1970, one row a second apart, and not a feature; or "sort the file".
    const hint = 'g.csv:2: no column is named date, timestamp, time, datetime, ts or time period, so the first, "load", was taken as the time, but its first cell, "5", is 1970-01-01T00:00:05.000Z as epoch seconds';
    assert.throws(() => selectColumns(parseCsvText('load,temp\n5,1\n6,2\n7,3\n', 'g.csv')), withCode('TC_DATA_BAD_TIME', hint));
    assert.throws(() => selectColumns(parseCsvText('load,temp\n5,1\n4,2\n', 'g.csv')), withCode('TC_DATA_BAD_TIME', 'pass --time-col none (rows in file order)'));
    assert.deepEqual(selectColumns(parseCsvText('load,temp\n5,1\n6,2\n'), { timeCol: null }).features, ['load', 'temp']);
    // Dates before 1973 (FRED's series start in 1947) and a column named as a time are read as before.
    assert.equal(selectColumns(parseCsvText('observation_date,cpi\n1947-01-01,21.48\n1947-02-01,21.62\n')).timeCol, 'observation_date');
    assert.equal(selectColumns(parseCsvText('ts,v\n5,1\n6,2\n')).timeCol, 'ts');
  });

  it('a hexadecimal, binary or octal cell is not a number (Number() reads "0x10" as 16)', () => {
    for (const cell of ['0x10', '0b1', '0O7']) {
      assert.throws(() => selectColumns(parseCsvText(`date,v\n2024-01-01,1\n2024-01-02,${cell}\n`, 'h.csv')), withCode('TC_DATA_NOT_NUMERIC', `h.csv:3: column "v" has "${cell}", not a finite number; numbers are read in decimal only`), cell);
    }
    assert.deepEqual(selectColumns(parseCsvText('date,v,w\n2024-01-01,1,0x1\n2024-01-02,2,0x2\n')).features, ['v'], 'a column of hex is not a default feature');
    assert.deepEqual([...selectColumns(parseCsvText('date,v\n2024-01-01,0.5\n2024-01-02,-1e3\n2024-01-03,+.25\n')).columns[0]], [0.5, -1000, 0.25]);
  });

  it('a value beyond the service bound (|v| > 1e150) is TC_DATA_OUT_OF_DOMAIN with its line and column, not a model of NaN', () => {
    assert.throws(() => selectColumns(parseCsvText('date,v\n2024-01-01,1\n2024-01-02,-1e300\n', 'b.csv')), withCode('TC_DATA_OUT_OF_DOMAIN', 'b.csv:3: column "v" has -1e+300; tickcast takes values with |value| ≤ 1e+150'));
    assert.deepEqual([...selectColumns(parseCsvText('date,v\n2024-01-01,1e150\n2024-01-02,-1e150\n')).columns[0]], [1e150, -1e150], 'the bound itself is taken');
  });

  it('a column read whose name is not UTF-8 (Latin-1 bytes read as U+FFFD) is refused, saying how to save the file', () => {
    const latin1 = 'date,temp\ufffdrature,v\n2024-01-01,1,2\n2024-01-02,3,4\n';
    assert.throws(() => selectColumns(parseCsvText(latin1, 'l.csv')), withCode('TC_DATA_MALFORMED', 'l.csv: the header is not UTF-8; column "temp\ufffdrature" holds bytes that are not UTF-8'));
    assert.deepEqual(selectColumns(parseCsvText(latin1), { features: ['v'] }).features, ['v'], 'a column not read does not matter');
    assert.throws(() => selectColumns(parseCsvText(latin1), { features: ['température'] }), withCode('TC_DATA_COLUMN_MISSING', 'save the file as UTF-8'));
  });

  it('a header-only file is too short', () => {
    assert.throws(() => selectColumns(parseCsvText('date,v\n')), withCode('TC_DATA_TOO_SHORT'));
  });
});
