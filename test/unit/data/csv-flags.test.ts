/**
 * Eurostat's flags after a number (`108.35 p` provisional, `12.1 e` estimated, `5,2 bp`, `: c`;
 * src/data/csv-flags.ts): the number is read, the flags are not, and stderr says so once. Until
 * 7 Dec 2026 such a cell was exit 65 TC_DATA_NOT_NUMERIC (and train left its column out of the
 * features). Text after a number that is not a Eurostat flag is refused as before. A column of
 * flagged numbers only (`12 b`, `7 c`: ids) is text, not a default feature of train.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsvText, readCsvFile, readCsvFileSync } from '../../../src/data/csv.ts';
import { readCsvColumns } from '../../../src/data/columns.ts';
import { featureColumns } from '../../../src/data/feature-columns.ts';
import { DecimalCells } from '../../../src/data/csv-decimal.ts';
import { selectColumns } from '../../../src/data/table.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { openDetectRows } from '../../../src/cli/detect-rows.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';
import { captureIo } from '../cli/capture.ts';

describe('Eurostat flags after numbers', () => {
  const dir = tempDirPerSuite('tickcast-flags-');

  it('reads the number (either decimal mark), a flagged ":" as missing, and says once which flags were not read', () => {
    const d = new DecimalCells('f.csv', ['time', 'value', 'other'], ';');
    const rows = [
      { cells: ['2024-01', '108,35 p', '7'], line: 2 },
      { cells: ['2024-02', '12,1 e', '-3 bp'], line: 3 },
      { cells: ['2024-03', ': c', '5'], line: 4 },
      { cells: ['2024-04', '13,5', 'p'], line: 5 },
    ];
    const out = [...rows.flatMap((r) => d.push(r)), ...d.end()].map((r) => r.cells);
    assert.deepEqual(out, [['2024-01', '108.35', '7'], ['2024-02', '12.1', '-3'], ['2024-03', ':', '5'], ['2024-04', '13.5', 'p']]);
    assert.equal(d.note(), 'f.csv:2: column "value" has "108,35 p", a number with Eurostat flags after it: read as 108,35; 4 cells so, their flags not read (b break in time series, c confidential, e estimated, p provisional)');
    const t = selectColumns(parseCsvText('time,value\n2024-01-01,1.5 p\n2024-01-02,: z\n2024-01-03,2 e\n'), { missing: 'fill' });
    assert.deepEqual([...t.columns[0]], [1.5, Number.NaN, 2], 'a flagged : is a missing reading (filled later: ../../src/data/missing-cells.ts)');
    // `:c` without the space, as Eurostat's CSV and SDMX downloads write a confidential value: until 7 Dec 2026 exit 65, "not a number".
    const c = selectColumns(parseCsvText('time,value\n2024-01-01,1.5\n2024-01-02,:c\n2024-01-03,2\n2024-01-04,:cu\n2024-01-05,3\n', 'c.csv'), { missing: 'fill' });
    assert.deepEqual([...c.columns[0]], [1.5, Number.NaN, 2, Number.NaN, 3]);
    assert.equal(c.decimalNote, 'c.csv:3: column "value" has ":c", a number with Eurostat flags after it: read as :; 2 cells so, their flags not read (c confidential, u low reliability)');
  });

  it('other text after a number is refused as before', () => {
    for (const cell of ['12 kg', '5 x', '5p', 'p 5', '5 P', ':x', ':C', 'c:'])
      assert.throws(() => selectColumns(parseCsvText(`time,value\n2024-01-01,1\n2024-01-02,${cell}\n`, 'f.csv')), (err) => isTickcastError(err) && err.code === 'TC_DATA_NOT_NUMERIC' && err.message.includes(`"${cell}"`), cell);
  });

  it("detect's series ids keep what follows a number: '12 b' and '12 c' are two series, not 12 twice", async () => {
    // Before: both ids were cut to "12" (flags b, c), the two series read as one without a word.
    const data = join(dir(), 'ids.csv');
    await writeFile(data, 'timestamp,unit,value\n2024-01-01,12 b,1.5 p\n2024-01-01,12 c,2\n');
    const source = await openDetectRows(data, undefined, { series: 'unit' }, { pattern: /^/, max: 10 });
    try {
      const got = [];
      for await (const r of source.rows) got.push([r.series, r.value]);
      assert.deepEqual(got, [['12 b', 1.5], ['12 c', 2]], 'the value column still reads 1.5 p as 1.5');
    } finally {
      await source.close();
    }
  });

  it("train leaves out a column of ids that look like flagged numbers ('12 b', '7 c'); the value column's '108,35 p' is still read", async () => {
    // Before (review, 7 Dec 2026): the station column was cut to 12, 7 … and trained on as a feature, the note naming it.
    const data = join(dir(), 'stations.csv');
    const rows = Array.from({ length: 120 }, (_, i) => `${new Date(Date.UTC(2014, i, 1)).toISOString().slice(0, 7)};${[12, 7, 31][i % 3]} ${'bcp'[i % 3]};${(100 + 10 * Math.sin(i / 6)).toFixed(2).replace('.', ',')}${i === 4 ? ' p' : ''}`);
    await writeFile(data, ['TIME_PERIOD;station;OBS_VALUE', ...rows].join('\n') + '\n');
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--window', '12', '--horizon', '3', '--data', data, '--out', join(dir(), 'st')], io), 0, io.err());
    assert.match(io.err() + io.out(), /features \[OBS_VALUE\] → targets \[OBS_VALUE\]/);
    assert.match(io.err(), /stations\.csv:6: column "OBS_VALUE" has "\d+,\d+ p", a number with Eurostat flags after it: read as \d+,\d+; 1 cell so, their flags not read \(p provisional\)$/m);
    assert.doesNotMatch(io.err(), /column "station"/);
    // A column flagged in every row (every reading provisional) beside a column of ids, named as neither: which holds readings cannot be told; the refusal says how to read it.
    const allP = join(dir(), 'all-p.csv');
    await writeFile(allP, ['TIME_PERIOD;station;reading', ...rows.map((r) => `${r.replace(/ p$/, '')} p`)].join('\n') + '\n');
    const io2 = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--window', '12', '--horizon', '3', '--data', allP, '--out', join(dir(), 'p')], io2), 65);
    assert.match(io2.err(), /column "station" has "12 b"; each of its cells is a number then Eurostat flags, .*name it with --target or --features/);
    const d = new DecimalCells('f.csv', ['time', 'id', 'all p', 'with :'], ',');
    for (const r of [['2024-01', '12 b', '1.5 p', '2 e'], ['2024-02', '12 c', '1.6 p', ': c']]) d.push({ cells: r, line: 2 });
    assert.deepEqual([...d.flagText()], [[1, '12 b'], [2, '1.5 p']], 'a flagged ":" says numbers; a column of flagged cells only is text');
  });

  it('a file read whole reads flags as the stream of rows does: a column of ids is text, the notes are kept', async () => {
    // Before (7 Dec 2026): parseCsvText/readCsvFile(Sync) cut `12 b` to 12 in every column, so selectColumns took the
    // station ids as a feature, embedded.dataFile's fallback second column replayed them, and the flags note was lost.
    const text = 'TIME_PERIOD;station;OBS_VALUE\n2024-01;12 b;1,5 p\n2024-02;7 c;1,6\n2024-03;12 c;1,7\n';
    const file = join(dir(), 'ids-whole.csv');
    await writeFile(file, text);
    const streamed = selectColumns(await readCsvColumns(file, () => 0));
    for (const csv of [parseCsvText(text, file), readCsvFileSync(file), await readCsvFile(file)]) {
      const whole = selectColumns(csv);
      assert.deepEqual(whole.features, streamed.features);
      assert.deepEqual(whole.features, ['OBS_VALUE']);
      assert.deepEqual([...whole.columns[0]], [1.5, 1.6, 1.7]);
      assert.equal(whole.decimalNote, streamed.decimalNote);
      assert.match(whole.decimalNote ?? '', /ids-whole\.csv:2: column "OBS_VALUE" has "1,5 p", a number with Eurostat flags after it/);
      assert.deepEqual([...csv.flagText!], [[1, '12 b']]);
    }
    assert.throws(
      () => featureColumns(parseCsvText('date,station,OBS_VALUE\n2024-01-01,12 b,1.5 p\n2024-01-02,7 c,1.6\n', 'f.csv'), ['value']),
      (err) => isTickcastError(err) && err.code === 'TC_DATA_NOT_NUMERIC' && err.message.startsWith('f.csv: no column is named "value" (the model\'s feature), and the second, "station", has "12 b"; each of its cells is a number then Eurostat flags'),
      'the embedded replay does not read ids as the values',
    );
    assert.deepEqual(featureColumns(parseCsvText('t,station,value\n2024-01-01,12 b,1\n2024-01-02,7 c,2\n'), ['value']), [Float64Array.from([1, 2])], 'a column of its name reads');
  });

  it('a value column flagged in every row is read without --target where it cannot be ids: named as readings (OBS_VALUE), or the one column beside the time', async () => {
    // Before (7 Dec 2026): exit 65 "no numeric column besides the time column … name it with --target or --features".
    const values = Array.from({ length: 120 }, (_, i) => `${new Date(Date.UTC(2014, i, 1)).toISOString().slice(0, 7)};${(100 + 10 * Math.sin(i / 6)).toFixed(2).replace('.', ',')} p`);
    const files: Array<[string, string[]]> = [
      ['TIME_PERIOD;OBS_VALUE', values],
      ['TIME_PERIOD;geo;OBS_VALUE', values.map((v, i) => v.replace(';', `;${['12 b', '7 c'][i % 2]};`))],
      ['Zeit;Reihe', values],
    ];
    for (const [header, rows] of files) {
      const data = join(dir(), `${header.replace(/;/g, '-')}.csv`);
      await writeFile(data, [header, ...rows].join('\n') + '\n');
      const io = captureIo();
      assert.equal(await runCli(['train', '--arch', 'linear', '--window', '12', '--horizon', '3', '--time-col', header.split(';')[0], '--data', data, '--out', join(dir(), `m-${header.length}`)], io), 0, `${header}: ${io.err()}`);
      const value = header.split(';').at(-1)!;
      assert.match(io.err() + io.out(), new RegExp(`features \\[${value}\\] → targets \\[${value}\\]`), header);
      assert.match(io.err(), new RegExp(`:2: column "${value}" has "100,00 p", a number with Eurostat flags after it: read as 100,00; 120 cells so, their flags not read \\(p provisional\\)$`, 'm'), header);
    }
  });

  it('train reads a Eurostat file and says so on stderr', async () => {
    const data = join(dir(), 'eurostat.csv');
    const rows = Array.from({ length: 120 }, (_, i) => `${new Date(Date.UTC(2014, i, 1)).toISOString().slice(0, 7)};${(100 + 10 * Math.sin(i / 6)).toFixed(2).replace('.', ',')}${i >= 110 ? ' p' : i === 3 ? ' b' : ''}`);
    await writeFile(data, ['TIME_PERIOD;OBS_VALUE', ...rows].join('\n') + '\n');
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--window', '12', '--horizon', '3', '--data', data, '--out', join(dir(), 'm')], io), 0, io.err());
    assert.match(io.err(), /^train: .*eurostat\.csv:5: column "OBS_VALUE" has "\d+,\d+ b", a number with Eurostat flags after it: read as \d+,\d+; 11 cells so, their flags not read \(b break in time series, p provisional\)$/m);
  });
});
