/**
 * Footnote lines below a file's rows, as statistics offices end their downloads (`"Source:
 * Statistisches Bundesamt"`, `"p = provisional"`): not read, and said on stderr by every command
 * (since 7 Dec 2026; until then exit 65 TC_DATA_MALFORMED "expected 2 cells like the header").
 * Such a line with rows below it is still refused, as before.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsvText } from '../../../src/data/csv.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { runTickcast } from '../../helpers/cli-process.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

const FOOTER = ['', '"Source: Statistisches Bundesamt"', '"p = provisional"'];

function daily(n: number, header = 'date,value'): string[] {
  const t0 = Date.UTC(2024, 0, 1);
  return [header, ...Array.from({ length: n }, (_, i) => `${new Date(t0 + i * 86_400_000).toISOString().slice(0, 10)},${(100 + 10 * Math.sin(i / 7)).toFixed(2)}`)];
}

const malformedAt = (line: number) => (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_MALFORMED' && err.message.startsWith(`f.csv:${line}: expected 2 cells like the header, got 1`);

describe('footnote lines below the rows', () => {
  const dir = tempDirPerSuite('tickcast-footer-');

  it('are not read when only such lines follow to the end; a row below one is its error, as before', () => {
    const csv = parseCsvText([...daily(3), ...FOOTER].join('\n') + '\n', 'f.csv');
    assert.deepEqual(csv.lines, [2, 3, 4]);
    assert.deepEqual(csv.footer, { count: 2, first: { text: '"Source: Statistisches Bundesamt"', lineNo: 6 } });
    assert.equal(parseCsvText(daily(3).join('\n')).footer, undefined);
    assert.throws(() => parseCsvText([...daily(3), '"note"', '2024-02-01,5'].join('\n'), 'f.csv'), malformedAt(5));
    assert.throws(() => parseCsvText([...daily(3), '"note"', 'x,y'].join('\n'), 'f.csv'), malformedAt(5), 'a line as wide as the header below one is not a footnote either');
    assert.throws(() => parseCsvText([...daily(3), 'Source: ECB,2024,x'].join('\n'), 'f.csv'), /f\.csv:5: expected 2 cells like the header, got 3/, 'a line with a number is not a footnote');
    assert.throws(() => parseCsvText([...daily(3), ...Array.from({ length: 51 }, (_, i) => `"note ${i}"`)].join('\n'), 'f.csv'), malformedAt(5), 'nor are more than 50 lines');
  });

  it('train and detect read the file above them and say so on stderr', async () => {
    const note = /: 2 lines below the last row not read \(footnotes: text with no number or time\); the first, line 203: "Source: Statistisches Bundesamt"/;
    const data = join(dir(), 'destatis.csv');
    await writeFile(data, [...daily(200), ...FOOTER].join('\n') + '\n');
    const t = await runTickcast(['train', '--arch', 'linear', '--window', '14', '--horizon', '7', '--data', data, '--out', join(dir(), 'm')]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, new RegExp(`train: ${data.replaceAll('/', '\\/')}${note.source}`));
    const nab = join(dir(), 'nab.csv');
    await writeFile(nab, [...daily(200, 'timestamp,value'), ...FOOTER].join('\n') + '\n');
    const d = await runTickcast(['detect', '--data', nab, '--out', join(dir(), 'out.csv')]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, new RegExp(`detect: ${nab.replaceAll('/', '\\/')}${note.source}`));
  });

  it('a line as wide as the header, text then blank cells (a ; file\'s "Quelle: Deutsche Bundesbank;"), is one too; with rows below it, a row as before', () => {
    const bb = ['Datum;Wert', '2024-01-01;1,5', '2024-01-02;2,5'];
    const csv = parseCsvText([...bb, 'Quelle: Deutsche Bundesbank;', '"Stand: 07.12.2026"', '', 'Deutsche Bundesbank;;'.slice(0, -1)].join('\n'), 'f.csv');
    assert.deepEqual(csv.lines, [2, 3]);
    assert.deepEqual(csv.footer, { count: 3, first: { text: 'Quelle: Deutsche Bundesbank;', lineNo: 4 } });
    const mid = parseCsvText([...daily(2), 'note,', 'n/a,', '2024-02-01,5'].join('\n'), 'f.csv');
    assert.deepEqual(mid.lines, [2, 3, 4, 5, 6], 'note, is read as a row, as before (its time cell refused where it is read); n/a, is a missing time, not a footnote');
    assert.deepEqual(mid.cells[0].slice(2), ['note', 'n/a', '2024-02-01']);
    assert.throws(() => parseCsvText([...daily(2), 'note,', '"note 2"', '2024-02-01,5'].join('\n'), 'f.csv'), malformedAt(5), 'a narrower line among them is its error, as before');
  });

  it('detect reads a newest-first ; file with a decimal comma and a header-wide footnote, oldest first', async () => {
    const nab = join(dir(), 'bundesbank.csv');
    const rows = daily(200, 'timestamp;value').slice(1).reverse().map((l) => l.replace(',', ';').replace('.', ','));
    await writeFile(nab, ['timestamp;value', ...rows, 'Quelle: Deutsche Bundesbank;', ''].join('\n'));
    const d = await runTickcast(['detect', '--data', nab, '--out', join(dir(), 'bb.csv')]);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /read in reverse, oldest first/);
    assert.match(d.stderr, /1 line below the last row not read \(footnotes: text with no number or time\); the first, line 202: Quelle: Deutsche Bundesbank;/);
    const out = (await readFile(join(dir(), 'bb.csv'), 'utf8')).trim().split('\n');
    assert.equal(out.length, 201);
    assert.match(out[1], /^2024-01-01,100,/);
  });
  it("a long-format file's last row of a series id and blank cells (sensor-a;;) is a row with its time and value missing, not a footnote", async () => {
    // Before (7 Dec 2026): dropped as a footnote, stderr saying "1 line below the last row not read … sensor-a;;".
    const rows = ['series;timestamp;value', 'sensor-a;2024-01-01;1,5', 'sensor-b;2024-01-01;2,5', 'sensor-a;2024-01-02;1,6'];
    const csv = parseCsvText([...rows, 'sensor-b;;', 'Quelle: Deutsche Bundesbank;;'].join('\n'), 'f.csv');
    assert.deepEqual(csv.lines, [2, 3, 4, 5], 'an id the first column holds above starts a row');
    assert.deepEqual(csv.cells.map((c) => c[3]), ['sensor-b', '', '']);
    assert.deepEqual(csv.footer, { count: 1, first: { text: 'Quelle: Deutsche Bundesbank;;', lineNo: 6 } }, 'text the column never held is a footnote, as before');
    assert.equal(parseCsvText([...rows, 'sensor-c;;'].join('\n')).footer?.count, 1, 'an id not seen above is a footnote (said on stderr)');
    assert.equal(parseCsvText(['date;value', '2024-01-01;1', 'Quelle: x;'].join('\n')).footer?.count, 1, 'a file whose first column is times keeps no ids');
    const data = join(dir(), 'long.csv');
    await writeFile(data, [...rows, 'sensor-a;;', ''].join('\n'));
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir(), 'long-out.csv')], io), 0, io.err());
    assert.doesNotMatch(io.err(), /not read \(footnotes/);
    assert.match(io.err(), /1 of 4 rows have no value/);
    const out = (await readFile(join(dir(), 'long-out.csv'), 'utf8')).trim().split('\n');
    assert.deepEqual(out.slice(-1), ['sensor-a,,,0'], 'written back as the file has it, score 0, counted as missing');
  });
});
