/**
 * Decimal commas (src/data/csv-decimal.ts): a `;`-separated file from Excel/LibreOffice in a de/fr
 * locale reads as its users mean it; a file that mixes marks or never tells is refused naming the
 * line and cell. Until 7 Dec 2026 every such number was TC_DATA_NOT_NUMERIC (and `train` left such
 * a column out of its default features without a word).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvText } from '../../../src/data/csv.ts';
import { cellSays, commaToPoint, LOOKAHEAD } from '../../../src/data/csv-decimal.ts';
import { selectColumns } from '../../../src/data/table.ts';
import { loadTable } from '../../../src/cli/dataset.ts';
import { isTickcastError } from '../../../src/errors/index.ts';

const refused = (text: string) => (err: unknown) => isTickcastError(err) && err.code === 'TC_DATA_NOT_NUMERIC' && err.message.includes(text);

describe('decimal commas', () => {
  it('what a cell says, and a decimal-comma cell with a decimal point', () => {
    assert.deepEqual(['1,25', ',5', '-1.234,5', '1.234.567', '2.75', '1,234.5', '1.234', '0.234', '12', '31.01.2024', 'n.a.'].map(cellSays), ['comma', 'comma', 'comma', 'comma', 'point', 'point', 'untold', 'point', null, null, null]);
    assert.deepEqual(['1,25', '-1.234,5', '1.234.567', '1.234', '12', '31.01.2024'].map(commaToPoint), ['1.25', '-1234.5', '1234567', '1234', '12', '31.01.2024']);
  });

  it('reads an Excel de export: BOM, CRLF, ;, dotted dates, decimal commas and thousands dots', () => {
    const text = '\ufeffDatum;Schlusskurs;Umsatz\r\n01.01.2024;1.234,50;100.000\r\n02.01.2024;1.255,37;1.100.137\r\n03.01.2024;999,5;7\r\n';
    const t = selectColumns(parseCsvText(text, 'x.csv'));
    assert.equal(t.timeCol, 'Datum');
    assert.deepEqual(t.features, ['Schlusskurs', 'Umsatz']);
    assert.deepEqual([...t.columns[0]], [1234.5, 1255.37, 999.5]);
    assert.deepEqual([...t.columns[1]], [100000, 1100137, 7]);
    assert.deepEqual([...t.timesMs], [Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 2), Date.UTC(2024, 0, 3)]);
  });

  it('holds back rows that do not tell until one does, then reads them the same way', () => {
    assert.deepEqual(parseCsvText('t;v\n1;1.234\n2;5\n3;2,5\n').cells[1], ['1234', '5', '2.5']);
    assert.deepEqual(parseCsvText('t;v\n1;1.234\n2;5\n3;2.5\n').cells[1], ['1.234', '5', '2.5']);
    assert.deepEqual(parseCsvText('t;v\n1;1.5\n2;1.234\n').cells[1], ['1.5', '1.234'], 'a ;-separated file with decimal points reads as before');
  });

  it('refuses a file that mixes marks, or never tells, naming line, column and cell', () => {
    assert.throws(() => parseCsvText('t;a;b\n1;1,5;2\n2;3;2.75\n', 'm.csv'), refused('m.csv:3: column "b" has "2.75", a number with a decimal point, but line 2 (column "a": "1,5") has a decimal comma; fix that cell, or give --decimal comma or --decimal point'));
    assert.throws(() => parseCsvText('t;a\n1;2.75\n2;1,5\n', 'm.csv'), refused('m.csv:3: column "a" has "1,5", a number with a decimal comma, but line 2'));
    assert.throws(() => parseCsvText('t;a\n1;1.234\n2;2.000\n', 'u.csv'), refused('u.csv:2: column "a" has "1.234", which is 1.234 with a decimal point or 1234 with a thousands dot'));
    const long = `t;a\n${Array.from({ length: LOOKAHEAD + 5 }, (_, i) => `${i};1.000\n`).join('')}${LOOKAHEAD + 5};2,5\n`;
    assert.throws(() => parseCsvText(long, 'l.csv'), refused(`no number in the ${LOOKAHEAD} rows from there tells which`));
  });

  it('--decimal point and comma say it; a comma-separated file is read with decimal points unless told', () => {
    assert.deepEqual(parseCsvText('t;a\n1;1.234\n', 'p', { decimal: 'point' }).cells[1], ['1.234']);
    assert.deepEqual(parseCsvText('t;a\n1;1.234\n', 'p', { decimal: 'comma' }).cells[1], ['1234']);
    assert.throws(() => parseCsvText('t;a\n1;2.75\n', 'c.csv', { decimal: 'comma' }), refused('c.csv:2: column "a" has "2.75", a number with a decimal point, but --decimal comma was given'));
    assert.deepEqual(parseCsvText('t,a\n1,"1,234"\n').cells[1], ['1,234'], 'a quoted US thousands separator is not read as a decimal comma');
    assert.deepEqual(parseCsvText('t,a\n1,"1,5"\n', 'p', { decimal: 'comma' }).cells[1], ['1.5']);
  });

  it('train reads a file as it streams it the same way, rows held back included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tickcast-decimal-'));
    try {
      const path = join(dir, 'de.csv');
      await writeFile(path, 'Datum;Kurs\r\n01.01.2024;1.000\r\n02.01.2024;1.001\r\n03.01.2024;1.002,5\r\n');
      const t = await loadTable(path, {});
      assert.deepEqual([...t.columns[0]], [1000, 1001, 1002.5]);
      await writeFile(path, 'Datum;Kurs\r\n01.01.2024;1.000\r\n02.01.2024;1.001\r\n');
      assert.deepEqual([...(await loadTable(path, { decimal: 'point' })).columns[0]], [1, 1.001]);
      await assert.rejects(loadTable(path, {}), refused('de.csv:2: column "Kurs" has "1.000"'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a thousands comma (US locale) in a ;- or tab-separated file', () => {
  it('"1,234" does not tell (1.234 with a decimal comma, or 1234 with a thousands comma): a US tab export of counts is not read as 1.234', () => {
    assert.deepEqual(['1,234', '-12,345', '0,234', '1,2345'].map(cellSays), ['untold', 'untold', 'comma', 'comma']);
    assert.throws(() => parseCsvText('t\tcount\n1\t1,234\n2\t5,678\n3\t12\n', 'us.tsv'), refused('us.tsv:2: column "count" has "1,234", which is 1.234 with a decimal comma or 1234 with a thousands comma'));
    assert.deepEqual(parseCsvText('t\tcount\tv\n1\t1,234\t2.5\n2\t5,678\t3\n').cells[1], ['1234', '5678'], 'read as 1234 once a decimal point tells');
    assert.deepEqual(parseCsvText('t;a\n1;1,234\n2;2,5\n').cells[1], ['1.234', '2.5'], 'and as 1.234 once a decimal comma tells');
    assert.deepEqual(parseCsvText('t\ta\n1\t2.5\n2\t1,234.5\n').cells[1], ['2.5', '1234.5'], 'a thousands comma with a decimal point, under a decimal point');
  });

  it('a ;-separated file where no cell tells: a comma is a decimal comma (a ; export is from a decimal-comma locale; until 7 Dec 2026 refused)', () => {
    assert.deepEqual(parseCsvText('t;a;b\n1;100,250;7\n2;101,000;8\n').cells[1], ['100.250', '101.000']);
    const long = `t;a\n${Array.from({ length: LOOKAHEAD + 5 }, (_, i) => `${i};1,000\n`).join('')}${LOOKAHEAD + 5};2.5\n`;
    assert.throws(() => parseCsvText(long, 'l.csv'), refused(`l.csv:${LOOKAHEAD + 7}: column "a" has "2.5", a number with a decimal point, but line 2 (column "a": "1,000") has a decimal comma`), 'a later decimal point is refused as mixed');
    assert.deepEqual(parseCsvText('t;a\n1;1,234\n2;2.5\n3;1,234.5\n').cells[1], ['1234', '2.5', '1234.5'], 'a cell that tells still decides, as before');
    assert.throws(() => parseCsvText('t\ta\n1\t1,234\n', 'us.tsv'), refused('us.tsv:2:'), 'a tab export is still refused (US locales write tabs too)');
    assert.throws(() => parseCsvText('t;a\n1;1.234\n', 'u.csv'), refused('u.csv:2:'), 'a dot still does not tell');
  });

  it('--decimal point reads thousands commas in a ; file (1,234 / 1,234.5 / 1,234,567); until 7 Dec 2026 no --decimal read a ; file of US counts', () => {
    const us = 'Date;Count;Price\n2024-01-01;1,234;1,000.50\n2024-01-02;12,345,678;999.5\n2024-01-03;7;-1,002.25\n';
    const t = parseCsvText(us, 'us.csv', { decimal: 'point' });
    assert.deepEqual(t.cells.slice(1), [['1234', '12345678', '7'], ['1000.50', '999.5', '-1002.25']]);
    assert.equal(cellSays('12,345,678'), 'point', 'two commas are never a decimal comma');
    assert.deepEqual(parseCsvText('t;a;note\n1;1,5;x\n', 'p', { decimal: 'point' }).cells[1], ['1,5'], 'a decimal comma under point is left as it is (it does not read, as before)');
    assert.deepEqual(parseCsvText('t,a\n1,"1,234.5"\n', 'p', { decimal: 'point' }).cells[1], ['1234.5'], 'a quoted US number in a ,-separated file, when --decimal point says so');
    assert.deepEqual(parseCsvText('t,a\n1,"1,234.5"\n').cells[1], ['1,234.5'], 'auto in a ,-separated file reads as before');
    assert.deepEqual(parseCsvText('Datum;Wert\n2024-01-01;1.234,5\n2024-01-02;12.345.678\n', 'de.csv', { decimal: 'comma' }).cells[1], ['1234.5', '12345678'], 'and --decimal comma reads thousands dots');
  });
});
