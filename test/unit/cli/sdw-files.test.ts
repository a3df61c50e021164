/**
 * The command line on central-bank downloads, as a quant saves them: the ECB's Statistical Data
 * Warehouse (SDW) and the Bundesbank write title lines above the header and their rows newest
 * first, with periods such as `2024Jan` or `2024Q1`; the ECB Data Portal writes `2024-Q1`,
 * `2024-01`. Each case failed before the change named in its title (7 Dec 2026).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTickcast } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

/** SDW's CSV download's title lines, then its header `Period\Unit:,[US dollar ]`. */
const SDW_TITLES = ['"Data Source in SDW: null"', ',EXR.D.USD.EUR.SP00.A', ',"ECB reference exchange rate, US dollar/Euro, 2:15 pm (C.E.T.)"', 'Collection:,Average of observations through period (A)'];
const SDW_HEADER = 'Period\\Unit:,[US dollar ]';

/** `n` daily rows (every day from 2023-01-01) as `[date, value]`, oldest first. */
function daily(n: number): [string, string][] {
  const t0 = Date.UTC(2023, 0, 1);
  return Array.from({ length: n }, (_, i) => [new Date(t0 + i * 86_400_000).toISOString().slice(0, 10), (1.08 + 0.03 * Math.sin(i / 9) + 0.001 * (i % 7)).toFixed(4)]);
}

const csv = (lines: readonly string[]): string => lines.join('\n') + '\n';
const rowsOf = (rows: readonly [string, string][]): string[] => rows.map(([t, v]) => `${t},${v}`);
const TRAIN = ['--arch', 'linear', '--window', '14', '--horizon', '1'];

describe('tickcast on SDW and ECB Data Portal downloads', () => {
  const dir = tempDirPerSuite('tickcast-sdw-');

  it('a newest-first file (an SDW download) is read in reverse, said on stderr, and reads as the same file oldest first', async () => {
    // Before: exit 65 TC_DATA_TIME_UNSORTED at line 7, "sort the file by time".
    const rows = daily(300);
    const newest = join(dir(), 'newest-first.csv');
    const oldest = join(dir(), 'oldest-first.csv');
    await writeFile(newest, csv([...SDW_TITLES, SDW_HEADER, ...rowsOf([...rows].reverse())]));
    await writeFile(oldest, csv([...SDW_TITLES, SDW_HEADER, ...rowsOf(rows)]));
    const model = join(dir(), 'newest-model');
    const t = await runTickcast(['train', ...TRAIN, '--data', newest, '--out', model]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /^train: .*newest-first\.csv: the rows are newest first .*read in reverse, oldest first$/m);
    assert.match(t.stderr, /^train: 300 rows every 1d,/m);
    const backtests = await Promise.all([newest, oldest].map((data) => runTickcast(['backtest', '--data', data, '--model', model])));
    for (const b of backtests) assert.equal(b.code, 0, b.stderr);
    assert.match(backtests[0].stderr, /^backtest: .*newest-first\.csv: the rows are newest first/m);
    assert.doesNotMatch(backtests[1].stderr, /newest first/);
    const metrics = backtests.map((b) => (JSON.parse(b.stdout) as { metrics: unknown }).metrics);
    assert.deepEqual(metrics[0], metrics[1], 'the same forecasts as on the file oldest first');
  });

  it('a file whose times do not run one way throughout is still refused, naming the line', async () => {
    const rows = [...daily(300)].reverse();
    [rows[10], rows[11]] = [rows[11], rows[10]];
    const data = join(dir(), 'mixed.csv');
    await writeFile(data, csv([...SDW_TITLES, SDW_HEADER, ...rowsOf(rows)]));
    const r = await runTickcast(['train', ...TRAIN, '--data', data, '--out', join(dir(), 'never')]);
    assert.equal(r.code, 65, r.stderr);
    assert.match(r.stderr, /mixed\.csv:17: time "2023-10-17" is not before the previous row \(line 16\) \(the rows above it are newest first.*\[TC_DATA_TIME_UNSORTED\]\n$/);
  });
});

describe('tickcast on monthly, quarterly, semi-annual and weekly periods', () => {
  const dir = tempDirPerSuite('tickcast-periods-');
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const value = (i: number): string => (1.1 + 0.1 * Math.sin(i / 9)).toFixed(4);
  /** 240 periods from 2000 (months or quarters), each as `spell(year, index in year)`, oldest first. */
  const periods = (perYear: number, spell: (y: number, k: number) => string): [string, string][] =>
    Array.from({ length: 240 }, (_, i) => [spell(2000 + Math.floor(i / perYear), i % perYear), value(i)]);

  for (const [name, perYear, spell, step] of [
    // The step: until 7 Dec 2026 the most common spacing in days, `31d` monthly, `92d` quarterly (src/data/calendar-step.ts).
    ['SDW monthly 2024Jan, newest first below title lines', 12, (y: number, k: number) => `${y}${months[k]}`, '1 month \\(monthly\\)'],
    ['SDW quarterly 2024Q1, newest first below title lines', 4, (y: number, k: number) => `${y}Q${k + 1}`, '3 months \\(quarterly\\)'],
    ['ECB Data Portal monthly 2024-01', 12, (y: number, k: number) => `${y}-${String(k + 1).padStart(2, '0')}`, '1 month \\(monthly\\)'],
    ['ECB Data Portal quarterly 2024-Q1', 4, (y: number, k: number) => `${y}-Q${k + 1}`, '3 months \\(quarterly\\)'],
    // Since 7 Dec 2026; until then TC_DATA_BAD_TIME (exit 65).
    ['SDW semi-annual 2024S1, newest first below title lines', 2, (y: number, k: number) => `${y}S${k + 1}`, '6 months \\(semi-annual\\)'],
    ['ECB Data Portal semi-annual 2024-S1', 2, (y: number, k: number) => `${y}-S${k + 1}`, '6 months \\(semi-annual\\)'],
    ['SDW weekly 2024W01, newest first below title lines', 52, (y: number, k: number) => `${y}W${String(k + 1).padStart(2, '0')}`, '7d'],
    ['ECB Data Portal weekly 2024-W01', 52, (y: number, k: number) => `${y}-W${String(k + 1).padStart(2, '0')}`, '7d'],
  ] as const) {
    it(`${name}: read as each period's first day`, async () => {
      // Before: exit 65, TC_DATA_MALFORMED at line 2 below SDW's title lines (the header was not found
      // above rows that start with a period), TC_DATA_BAD_TIME for the Data Portal's periods.
      const rows = periods(perYear, spell);
      const sdw = name.startsWith('SDW');
      const data = join(dir(), `${name.replace(/\W+/g, '-')}.csv`);
      await writeFile(data, csv(sdw ? [...SDW_TITLES, SDW_HEADER, ...rowsOf([...rows].reverse())] : ['TIME PERIOD,OBS.VALUE', ...rowsOf(rows)]));
      const r = await runTickcast(['train', ...TRAIN, '--data', data, '--out', join(dir(), `${name.replace(/\W+/g, '-')}-model`)]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`^train: 240 rows every ${step},`, 'm'));
      const res = JSON.parse(r.stdout) as { data: { timeCol: string; borders: unknown } };
      assert.equal(res.data.timeCol, sdw ? 'Period\\Unit:' : 'TIME PERIOD');
    });
  }
});

describe('the ECB\'s SDMX-CSV (KEY,FREQ,…,TIME_PERIOD,OBS_VALUE)', () => {
  const dir = tempDirPerSuite('tickcast-sdmx-');

  it('TIME_PERIOD is found as the time column (one name key for time and price names)', async () => {
    // Before: time names were matched in lower case only, so column 0 (KEY) was read as the time: exit 65 TC_DATA_BAD_TIME.
    const rows = Array.from({ length: 240 }, (_, i) => `EXR.M.USD.EUR.SP00.A,M,USD,${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')},${(1.1 + 0.1 * Math.sin(i / 9)).toFixed(4)},A`);
    const data = join(dir(), 'sdmx.csv');
    await writeFile(data, csv(['KEY,FREQ,CURRENCY,TIME_PERIOD,OBS_VALUE,OBS_STATUS', ...rows]));
    const r = await runTickcast(['train', ...TRAIN, '--data', data, '--out', join(dir(), 'model')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^train: 240 rows every 1 month \(monthly\), features \[OBS_VALUE\]/m);
    assert.equal((JSON.parse(r.stdout) as { data: { timeCol: string } }).data.timeCol, 'TIME_PERIOD');
  });
});

describe('lines above the header that are not read are said on stderr', () => {
  const dir = tempDirPerSuite('tickcast-skipped-');

  it('title lines found above the header (an SDW download): train and detect say how many and the first', async () => {
    // Before: nothing was said, so a header found in the wrong place (or a title line dropped) went unseen.
    const data = join(dir(), 'sdw.csv');
    await writeFile(data, csv([...SDW_TITLES, SDW_HEADER, ...rowsOf(daily(300))]));
    const t = await runTickcast(['train', ...TRAIN, '--data', data, '--out', join(dir(), 'model')]);
    assert.equal(t.code, 0, t.stderr);
    assert.match(t.stderr, /^train: .*sdw\.csv: 4 lines above the header \(line 5\) not read \(title lines, found above the first row of data\); the first, line 1: "Data Source in SDW: null"$/m);
    const d = await runTickcast(['detect', '--data', data, '--out', join(dir(), 'results.csv'), '--time-col', 'Period\\Unit:', '--value-col', '[US dollar ]']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stderr, /^detect: .*sdw\.csv: 4 lines above the header \(line 5\) not read \(title lines/m);
  });

  it('--skip-rows: backtest says how many lines and the first, counting blank ones; a file without either says nothing', async () => {
    const plain = join(dir(), 'plain.csv');
    await writeFile(plain, csv(['date,value', ...rowsOf(daily(300))]));
    const skipped = join(dir(), 'skipped.csv');
    await writeFile(skipped, csv(['Export of 2026-12-07 by the desk', '', 'date,value', ...rowsOf(daily(300))]));
    const model = join(dir(), 'plain-model');
    const t = await runTickcast(['train', ...TRAIN, '--data', plain, '--out', model]);
    assert.equal(t.code, 0, t.stderr);
    assert.doesNotMatch(t.stderr, /not read/);
    const b = await runTickcast(['backtest', '--data', skipped, '--model', model, '--skip-rows', '2']);
    assert.equal(b.code, 0, b.stderr);
    assert.match(b.stderr, /^backtest: .*skipped\.csv: 2 lines above the header \(line 3\) not read \(--skip-rows\); the first, line 1: Export of 2026-12-07 by the desk$/m);
  });
});

describe('a ;-separated exchange export whose prices all have three decimals', () => {
  const dir = tempDirPerSuite('tickcast-3dec-');

  it('reads its commas as decimal commas: train forecasts the price in its units', async () => {
    // Before: exit 65 TC_DATA_NOT_NUMERIC "100,000 … no number in the 300 rows from there tells which; give --decimal".
    const rows = Array.from({ length: 300 }, (_, i) => {
      const p = 100 + 5 * Math.sin(i / 20);
      return `${new Date(Date.UTC(2023, 0, 2) + i * 86_400_000).toISOString().slice(0, 10)};${p.toFixed(3).replace('.', ',')};${(p + 0.5).toFixed(3).replace('.', ',')};${1000 + i}`;
    });
    const data = join(dir(), 'xetra.csv');
    await writeFile(data, csv(['Datum;Eröffnung;Schlusskurs;Umsatz', ...rows]));
    const r = await runTickcast(['train', ...TRAIN, '--data', data, '--out', join(dir(), 'model')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^train: 300 rows every 1d, features \[Eröffnung, Schlusskurs, Umsatz\] → targets \[Schlusskurs\]/m);
    const saved = JSON.parse(await readFile(join(dir(), 'model', 'linear-baseline.json'), 'utf8')) as { normalisation: { columns: string[]; mean: number[] } };
    const mean = saved.normalisation.mean[saved.normalisation.columns.indexOf('Schlusskurs')];
    assert.ok(Math.abs(mean - 100.5) < 1, `the price read as ~100, not ~100000 (mean ${mean})`);
  });
});
