import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell } from '../../../src/data/csv-cells.ts';
import { parseCsvText, readCsvFile, readCsvFileSync, splitCsvLine } from '../../../src/data/csv.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

describe('CSV reader', () => {
  it('splits plain and quoted cells, with "" escapes and trimmed whitespace', () => {
    assert.deepEqual(splitCsvLine('a, b ,c'), ['a', 'b', 'c']);
    assert.deepEqual(splitCsvLine('"x,y",2,"say ""hi"""'), ['x,y', '2', 'say "hi"']);
    assert.deepEqual(splitCsvLine('1;2;3', ';'), ['1', '2', '3']);
  });

  it('reads a file line by line into text columns with their line numbers', async () => {
    const csv = await readCsvFile(fixture('hourly-demand.csv'));
    assert.deepEqual(csv.header, ['timestamp', 'site', 'load', 'temp_c', 'demand']);
    assert.equal(csv.cells[0].length, 720);
    assert.equal(csv.cells[0][0], '2024-03-01 00:00:00');
    assert.equal(csv.cells[1][719], 'north');
    assert.equal(csv.lines[0], 2);
    assert.equal(csv.lines[719], 721);
  });

  it('skips blank lines, strips a BOM, accepts CRLF and semicolons', () => {
    const csv = parseCsvText('\ufeffdate;v\r\n2024-01-01;1\r\n\r\n2024-01-02;2\r\n');
    assert.deepEqual(csv.header, ['date', 'v']);
    assert.deepEqual(csv.cells[1], ['1', '2']);
    assert.deepEqual(csv.lines, [2, 4]);
  });

  it('rejects a row with the wrong number of cells, naming the line', () => {
    assert.throws(
      () => parseCsvText('date,a,b\n2024-01-01,1,2\n2024-01-02,3\n', 'x.csv'),
      (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_MALFORMED' && err.message.startsWith('x.csv:3: expected 3 cells'),
    );
  });

  it('rejects duplicate and empty header names', () => {
    assert.throws(() => parseCsvText('a,b,a\n1,2,3\n'), /column "a" appears twice/);
    assert.throws(() => parseCsvText('a,,c\n1,2,3\n'), /empty column name/);
  });

  it('reports an unreadable file with TC_DATA_UNREADABLE and the path', async () => {
    await assert.rejects(readCsvFile('/nonexistent/dir/file.csv'), (err: unknown) => {
      return isTickcastError(err) && err.code === 'TC_DATA_UNREADABLE' && err.message.includes('/nonexistent/dir/file.csv') && err.cause !== undefined;
    });
    // Why in words, as the configuration's files say it (until 7 Dec 2026 Node's "ENOENT: no such file or directory, open …").
    assert.throws(() => readCsvFileSync('/nonexistent/dir/file.csv', 'bootstrap data'), (err: unknown) => {
      return isTickcastError(err) && err.code === 'TC_DATA_UNREADABLE' && err.message === 'cannot read bootstrap data "/nonexistent/dir/file.csv" (no such file); check the path';
    });
  });

  it('a file that reads but does not parse is TC_DATA_MALFORMED with file:line, not TC_DATA_UNREADABLE', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickcast-csv-'));
    try {
      const cases: Array<[string, string | Buffer, RegExp]> = [
        ['extra.csv', 'timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 01:00:00,2,3\n', /extra\.csv:3: expected 2 cells/],
        ['dup.csv', 'timestamp,value,value\n2024-01-01 00:00:00,1,2\n', /dup\.csv:1: column "value" appears twice/],
        ['empty-name.csv', 'timestamp,,value\n2024-01-01 00:00:00,1,2\n', /empty-name\.csv:1: the header row has an empty column name/],
        ['bin.csv', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00, 0x2c, 0x0a, 0x00, 0x01]), /bin\.csv:1: .*binary file/],
      ];
      for (const [name, body, message] of cases) {
        const path = join(dir, name);
        await writeFile(path, body);
        await assert.rejects(readCsvFile(path), (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_MALFORMED' && message.test(err.message), name);
      }
      await assert.rejects(readCsvFile(dir), (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_UNREADABLE', 'a directory is unreadable');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a header-less file (its first line is data) is refused naming the line, not read with values as column names', () => {
    const refused = (text: string) => () => parseCsvText(text, 'x.csv');
    const noHeader = (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_MALFORMED' && /^x\.csv:1: the first line ".*" holds values, not column names: the file has no header row/.test(err.message);
    assert.throws(refused('2024-01-01 00:00:00,50.000\n2024-01-01 00:05:00,51.0\n'), noHeader);
    assert.throws(refused('1704067200,50\n1704067500,51\n'), noHeader, 'epoch seconds and a whole number');
    assert.throws(refused('\ufeff2024-01-01T00:00:00Z;1.5\r\n2024-01-01T00:05:00Z;2\r\n'), noHeader, 'BOM, ; and CRLF');
    // Names that are short whole numbers (pandas' 0, 1, 2; years) stay names, as does any word.
    assert.deepEqual(parseCsvText('0,1\n5,6\n').header, ['0', '1']);
    assert.deepEqual(parseCsvText('date,2024\n2024-01-01,6\n').header, ['date', '2024']);
  });

  it('a ragged row with a quote left open, and a header ending in its delimiter, say so', () => {
    assert.throws(() => parseCsvText('date,note,v\n2024-01-01,"two\nlines",1\n', 'q.csv'), (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_MALFORMED' && err.message === 'q.csv:2: expected 3 cells like the header, got 2 (the line has a quote that is not closed: a quoted cell may not hold a line break); fix or remove that line');
    assert.throws(() => parseCsvText('date,v\n2024-01-01,1,2\n', 'r.csv'), (err: unknown) => isTickcastError(err) && err.message === 'r.csv:2: expected 2 cells like the header, got 3; fix or remove that line');
    assert.throws(() => parseCsvText('date,v,\n2024-01-01,1,\n', 't.csv'), /t\.csv:1: the header row has an empty column name \(the line ends with a delimiter\); give every column a name/);
  });

  it("Excel's sep= first line names the delimiter", () => {
    const csv = parseCsvText('sep=;\r\ndate;v\r\n2024-01-01;1,5\r\n');
    assert.deepEqual(csv.header, ['date', 'v']);
    assert.deepEqual(csv.cells[1], ['1.5'], 'a decimal comma in a ;-separated file (since 7 Dec 2026; csv-decimal.test.ts)');
    assert.deepEqual(csv.lines, [3]);
  });

  it('writes a cell that holds a delimiter, a quote or a line break quoted, so it reads back as one cell', () => {
    for (const text of ['Jan 1, 2024', 'say "hi"', 'a;b', 'plain', '']) assert.deepEqual(splitCsvLine(`${csvCell(text)},1`), [text, '1'], text);
    assert.equal(csvCell('2024-01-01 00:00:00'), '2024-01-01 00:00:00');
  });

  it('rejects an empty file', () => {
    assert.throws(() => parseCsvText('\n\n'), (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_TOO_SHORT');
  });
});
