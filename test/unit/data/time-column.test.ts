import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvText } from '../../../src/data/csv.ts';
import { readCsvColumns } from '../../../src/data/columns.ts';
import { selectColumns, timeColumnOf } from '../../../src/data/table.ts';
import { openDetectRows } from '../../../src/cli/detect-rows.ts';
import { isTickcastError } from '../../../src/errors/index.ts';

const withCode = (code: string, text: string) => (err: unknown) => isTickcastError(err) && err.code === code && err.message.includes(text);

describe('a time column of compact dates (data/time-column.ts)', () => {
  it('12 digits YYYYMMDDHHMM are a date and time when the column starts with one (until 7 Dec 2026: epoch ms in 1976)', async () => {
    const text = 'date,v\n202301150930,1\n202301150931,2\n202301151000,3\n';
    const t = selectColumns(parseCsvText(text));
    assert.deepEqual(Array.from(t.timesMs), [Date.UTC(2023, 0, 15, 9, 30), Date.UTC(2023, 0, 15, 9, 31), Date.UTC(2023, 0, 15, 10, 0)]);
    assert.equal(t.stepMs, 60_000);
    // The streaming reader (train's) reads them alike.
    const dir = mkdtempSync(join(tmpdir(), 'time-column-'));
    try {
      const path = join(dir, 'x.csv');
      writeFileSync(path, text);
      const streamed = selectColumns(await readCsvColumns(path, (h) => timeColumnOf(h)));
      assert.deepEqual(Array.from(streamed.timesMs), Array.from(t.timesMs));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a column that does not start with a compact date reads 12 digits as epoch ms, as before', () => {
    const t = selectColumns(parseCsvText('date,v\n946684800000,1\n946684860000,2\n'));
    assert.equal(t.timesMs[0], Date.UTC(2000, 0, 1));
    assert.equal(t.stepMs, 60_000);
  });

  it('a cell of digits that is not a date says which cell and why, not "unsorted" (until 7 Dec 2026: 20231345 was epoch seconds, "not after the previous row")', () => {
    assert.throws(
      () => selectColumns(parseCsvText('date,v\n20231201,1\n20231202,2\n20231345,3\n')),
      withCode('TC_DATA_BAD_TIME', '<text>:4: time column "date" has "20231345", which is not a date: month 13 is not 01–12 (the column\'s first time, "20231201", is a compact date YYYYMMDD'),
    );
    assert.throws(() => selectColumns(parseCsvText('date,v\n20230227,1\n20230230,2\n')), withCode('TC_DATA_BAD_TIME', 'day 30 is not in February 2023 (01–28)'));
    assert.throws(() => selectColumns(parseCsvText('date,v\n202301150930,1\n202301152460,2\n')), withCode('TC_DATA_BAD_TIME', 'hour 24 is not 00–23'));
    assert.throws(() => selectColumns(parseCsvText('date,v\n20230115093000,1\n20230115093060,2\n')), withCode('TC_DATA_BAD_TIME', 'second 60 is not 00–59'));
    assert.throws(() => selectColumns(parseCsvText('date,v\n20230115,1\n2023011609,2\n')), withCode('TC_DATA_BAD_TIME', '"2023011609", which is not a date: it is not a compact date (YYYYMMDD, YYYYMMDDHHMM, YYYYMMDDHHMMSS: 8, 12 or 14 digits)'));
  });

  it('detect reads the column as train does: its rows carry the times, and a cell that is not a date says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'time-column-'));
    try {
      const path = join(dir, 'x.csv');
      writeFileSync(path, 'timestamp,value\n202301150930,1\n202301150931,2\n202313150932,3\n');
      const src = await openDetectRows(path);
      const rows = [];
      for await (const r of src.rows) rows.push(r);
      assert.deepEqual(rows.map((r) => r.ms), [Date.UTC(2023, 0, 15, 9, 30), Date.UTC(2023, 0, 15, 9, 31), Number.NaN]);
      assert.match(rows[2].notDate ?? '', /^month 13 is not 01–12/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
