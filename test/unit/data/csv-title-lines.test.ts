import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsvText, readCsvFile } from '../../../src/data/csv.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from '../cli/capture.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

/** The title lines of an ECB Statistical Data Warehouse (SDW) CSV download (quickviewexport.do?…&type=csv). */
const SDW_TITLES = [
  '"Data Source in SDW: null"',
  ',EXR.D.USD.EUR.SP00.A',
  ',"ECB reference exchange rate, US dollar/Euro, 2:15 pm (C.E.T.)"',
  'Collection:,Average of observations through period (A)',
];

/** `rows` daily rows, oldest first, below the SDW titles and (unless `unitLine` is false) its `Period\Unit:` header. */
function sdw(rows: number, unitLine = true): string {
  const lines = [...SDW_TITLES, ...(unitLine ? ['Period\\Unit:,[US dollar ]'] : [])];
  for (let r = 0; r < rows; r++) lines.push(`${new Date(Date.UTC(2024, 0, 1 + r)).toISOString().slice(0, 10)},${(1.09 + 0.01 * Math.sin(r / 5)).toFixed(4)}`);
  return lines.join('\n') + '\n';
}

const refused = (text: string) => (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_MALFORMED' && err.message === text;

describe('title lines above the header (an ECB SDW export)', () => {
  const dir = tempDirPerSuite('tickcast-titles-');

  it('the header is the line above the first data row; line numbers stay the file’s', async () => {
    const csv = parseCsvText(sdw(3), 's.csv');
    assert.deepEqual(csv.header, ['Period\\Unit:', '[US dollar ]']);
    assert.deepEqual(csv.cells, [['2024-01-01', '2024-01-02', '2024-01-03'], ['1.0900', '1.0920', '1.0939']]);
    assert.deepEqual(csv.lines, [6, 7, 8]);
    const noUnit = parseCsvText(sdw(2, false), 's.csv');
    assert.deepEqual(noUnit.header, ['Collection:', 'Average of observations through period (A)']);
    assert.deepEqual(noUnit.lines, [5, 6]);
    const file = join(dir(), 'sdw.csv');
    await writeFile(file, sdw(3));
    assert.deepEqual((await readCsvFile(file)).header, ['Period\\Unit:', '[US dollar ]']);
  });

  it('train reads an SDW download (the streamed reader)', async () => {
    const file = join(dir(), 'sdw-train.csv');
    await writeFile(file, sdw(120));
    const io = captureIo();
    assert.equal(await runCli(['train', '--data', file, '--out', join(dir(), 'm'), '--arch', 'linear', '--window', '7', '--horizon', '3'], io), 0, io.err());
    const res = JSON.parse(io.out());
    assert.deepEqual(res.spec.targets, ['[US dollar ]']);
    assert.equal(res.data.rows, 120);
    assert.equal(res.data.timeCol, 'Period\\Unit:');
  });

  it('no header found below a title: refused at the first line that did not fit, saying the header may be a title', () => {
    assert.throws(
      () => parseCsvText('Prices report\nsymbol,close\nABC,1\nABC,2\n', 't.csv'),
      refused('t.csv:2: expected 1 cells like the header, got 2; fix or remove that line (the header has one cell: if it is a title, delete the lines above the header; a header below title lines is found when the first data row follows it and starts with a number or a time)'),
    );
  });

  it('--skip-rows N: the first N lines are not read (titles that are not found by themselves)', async () => {
    const text = 'Prices report\nsymbol,close\nABC,1\nABC,2\n';
    const csv = parseCsvText(text, 't.csv', { skipRows: 1 });
    assert.deepEqual(csv.header, ['symbol', 'close']);
    assert.deepEqual(csv.lines, [3, 4]);
    const file = join(dir(), 'titled.csv');
    const rows = Array.from({ length: 120 }, (_, i) => `${1_700_000_000 + 3600 * i},${(50 + 5 * Math.sin(i / 4)).toFixed(3)}`);
    await writeFile(file, ['Meter 7 export', 'site,Berlin', 'timestamp,value', ...rows].join('\n'));
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', file, '--out', join(dir(), 'r.csv'), '--skip-rows', '2'], io), 0, io.err());
    const train = captureIo();
    assert.equal(await runCli(['train', '--data', file, '--skip-rows', '2', '--out', join(dir(), 'k'), '--arch', 'linear', '--window', '7', '--horizon', '3'], train), 0, train.err());
    assert.equal(JSON.parse(train.out()).data.rows, 120);
    const back = captureIo();
    assert.equal(await runCli(['backtest', '--data', file, '--skip-rows', '2', '--model', join(dir(), 'k')], back), 0, back.err());
    const bad = captureIo();
    assert.equal(await runCli(['train', '--data', file, '--skip-rows=-1', '--out', join(dir(), 'n')], bad), 64);
    assert.match(bad.err(), /--skip-rows must be >= 0/);
  });

  it('a ragged first row under a real header is refused as before, even when rows below it agree with it', () => {
    assert.throws(() => parseCsvText('date,v\n2024-01-01,1,2\n2024-01-02,3,4\n2024-01-03,5,6\n', 'r.csv'), refused('r.csv:2: expected 2 cells like the header, got 3; fix or remove that line'));
    const many = ['time,v', ...Array.from({ length: 40 }, (_, i) => `${1_700_000_000 + 60 * i},1,2`)].join('\n');
    assert.throws(() => parseCsvText(many, 'm.csv'), refused('m.csv:2: expected 2 cells like the header, got 3; fix or remove that line'));
  });
});
