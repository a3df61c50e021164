/**
 * `train` reads its file into parsed columns as it goes (../../../src/data/columns.ts) instead of
 * holding every cell's text; the table and every error must come out as from the text
 * (readCsvFile + selectColumns), which backtest and the fixtures still use.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCsvFile } from '../../../src/data/csv.ts';
import { selectColumns, type ColumnSelection } from '../../../src/data/table.ts';
import { loadTable } from '../../../src/cli/dataset.ts';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

/** The outcome of a read, comparable: the table, or the error's code, message and details. */
async function outcome(read: () => Promise<unknown>): Promise<unknown> {
  try {
    return { table: await read() };
  } catch (err) {
    const e = err as { code?: string; message: string; details?: unknown };
    return { code: e.code, message: e.message, details: e.details };
  }
}

/** Files and selections whose outcome depends on which error is found first, or on cells past a bad one. */
const CASES: Array<[string, string, ColumnSelection]> = [
  ['plain', 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2.5\n2024-01-01 02:00:00,-3\n', {}],
  ['text column left out, empty first cell kept', 'time,site,a,b\n1700000000,x,,1\n1700000300,y,2,2\n1700000600,z,3,3\n', { features: ['b'] }],
  ['empty cell further down', 'time,a\n1700000000,1\n1700000300,\n1700000600,3\n', {}],
  ['bad number below an unsorted time: the number is reported', 'time,a\n1700000600,1\n1700000300,2\n1700000900,x\n', {}],
  ['unsorted time', 'time,a\n1700000600,1\n1700000300,2\n1700000900,3\n', {}],
  ['newest first (read in reverse since 7 Dec 2026)', 'time,a\n1700000600,1\n1700000300,2\n1700000000,3\n', {}],
  ['duplicate time', 'time,a\n1700000600,1\n1700000600,2\n', {}],
  ['unreadable time after an unsorted one', 'time,a\n1700000600,1\n1700000300,2\n1700000900,3\nsoon,3\n', {}],
  ['unreadable time', 'time,a\n1700000600,1\nsoon,2\n', {}],
  ['bad cell in a column not read', 'time,a,b\n1700000000,1,1\n1700000300,2,oops\n', { features: ['a'], targets: ['a'] }],
  ['a text column asked for', 'time,a,b\n1700000000,1,x\n1700000300,2,y\n', { features: ['a', 'b'] }],
  ['decimal commas', 'time;a\n1700000000;1,5\n1700000300;2,5\n', {}],
  ['--time-col none', 'a,b\n1,2\n3,4\n', { timeCol: null }],
  ['--time-col missing', 'time,a\n1700000000,1\n', { timeCol: 'when' }],
  ['--time-col named, another column called time', 'time,when,a\nx,1700000000,1\ny,1700000300,2\n', { timeCol: 'when', features: ['a'] }],
  ['time column as a feature', 'time,a\n1700000000,1\n', { features: ['time'] }],
  ['header only', 'time,a\n', {}],
  ['Infinity and hex', 'time,a\n1700000000,1\n1700000300,0x10\n1700000600,Infinity\n', {}],
  ['beyond the value bound', 'time,a\n1700000000,1\n1700000300,-1e151\n', {}],
  ['quoted cells, CRLF, blank lines', 'time,"a"\r\n\r\n"1700000000"," 1 "\r\n1700000300,2\r\n', {}],
];

/** What some of them must come to (checked against the code before this reader, 6 Dec 2026: all the same): the code and file line. */
const EXPECTED: Record<string, [string, number]> = {
  'empty cell further down': ['TC_DATA_NOT_NUMERIC', 3],
  'bad number below an unsorted time: the number is reported': ['TC_DATA_NOT_NUMERIC', 4],
  'unsorted time': ['TC_DATA_TIME_UNSORTED', 4],
  'duplicate time': ['TC_DATA_TIME_UNSORTED', 3],
  'unreadable time after an unsorted one': ['TC_DATA_TIME_UNSORTED', 4],
  'unreadable time': ['TC_DATA_BAD_TIME', 3],
  'a text column asked for': ['TC_DATA_NOT_NUMERIC', 2],
  'Infinity and hex': ['TC_DATA_NOT_NUMERIC', 3], // the hex cell: until 6 Dec 2026 read as 16, and Infinity (line 4) was the first refused
  'beyond the value bound': ['TC_DATA_OUT_OF_DOMAIN', 3],
};

describe('train reads parsed columns as read, with the outcomes of the text', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-columns-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  for (const [name, text, sel] of CASES) {
    it(name, async () => {
      const path = join(dir, `${name.replace(/\W+/g, '-')}.csv`);
      await writeFile(path, text);
      const streamed = await outcome(() => loadTable(path, sel));
      assert.deepEqual(streamed, await outcome(async () => selectColumns(await readCsvFile(path), sel)));
      const expected = EXPECTED[name];
      if (expected) assert.deepEqual([(streamed as { code?: string }).code, (streamed as { details?: { line?: number } }).details?.line], expected);
    });
  }

  it('the fixtures', async () => {
    for (const name of ['hourly-demand.csv', 'five-minute.csv', 'not-numeric.csv', 'unsorted.csv']) {
      for (const sel of [{}, { targets: ['b'], features: ['a', 'b'] }] as ColumnSelection[]) {
        const path = fixture(name);
        assert.deepEqual(await outcome(() => loadTable(path, sel)), await outcome(async () => selectColumns(await readCsvFile(path), sel)), `${name} ${JSON.stringify(sel)}`);
      }
    }
  });

  it('more rows than the arrays start with (they grow)', async () => {
    const path = join(dir, 'long.csv');
    const rows = Array.from({ length: 5000 }, (_, i) => `${1700000000 + i * 60},${(i * 0.37).toFixed(2)},${i % 3}`);
    await writeFile(path, `ts,x,y\n${rows.join('\n')}\n`);
    const t = (await outcome(() => loadTable(path, {}))) as { table: { rows: number; columns: Float64Array[]; timesMs: Float64Array } };
    assert.deepEqual(t, await outcome(async () => selectColumns(await readCsvFile(path), {})));
    assert.equal(t.table.rows, 5000);
    assert.equal(t.table.columns[0].length, 5000);
    // Every value, the ones at each doubling (1024, 2048, 4096) included: until 6 Dec 2026's fix they were written into the old array and read 0.
    for (let i = 0; i < 5000; i++) {
      assert.equal(t.table.columns[0][i], Number((i * 0.37).toFixed(2)), `x at row ${i}`);
      assert.equal(t.table.columns[1][i], i % 3, `y at row ${i}`);
      assert.equal(t.table.timesMs[i], (1700000000 + i * 60) * 1000, `time at row ${i}`);
    }
  });

  it('file lines past the first doubling are right (an error at line 1026, row 1024: where the arrays first grow)', async () => {
    const path = join(dir, 'late-error.csv');
    const rows = Array.from({ length: 1600 }, (_, i) => `${1700000000 + i * 60},${i === 1024 ? 'x' : i}`);
    await writeFile(path, `ts,v\n${rows.join('\n')}\n`);
    assert.match(String(((await outcome(() => loadTable(path, {}))) as { message: string }).message), /late-error\.csv:1026: column "v" has "x"/);
  });
});
