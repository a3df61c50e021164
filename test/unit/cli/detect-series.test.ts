/**
 * `tickcast detect` on a long-format file (`timestamp,series,value`, rows of one time for each
 * series): one detector per series, as the service keys its state, so each series scores as it
 * does alone in its own file; the results name the series. Bad series ids stop the run with file:line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

const ROWS = 400;
const SERIES = ['cpu.a', 'cpu.b', 'disk/c'];

/** Each series its own shape (period, level, one spike at its own row); half-hourly, NAB's time form. */
function value(s: number, i: number): number {
  const spike = i === 250 + 40 * s ? 80 : 0;
  return 50 * (s + 1) + 10 * Math.sin((2 * Math.PI * i) / (24 + 12 * s)) + 1.5 * Math.sin(i * (12.9898 + s)) + spike;
}

function stamp(i: number): string {
  return new Date(Date.UTC(2024, 0, 1) + i * 1_800_000).toISOString().replace('T', ' ').slice(0, 19);
}

function alone(s: number): string {
  const lines = ['timestamp,value'];
  for (let i = 0; i < ROWS; i++) lines.push(`${stamp(i)},${value(s, i).toFixed(3)}`);
  return lines.join('\n') + '\n';
}

/** Every series' rows interleaved by time, as quant/SRE exports write them. */
function long(header = 'timestamp,series,value'): string {
  const lines = [header];
  for (let i = 0; i < ROWS; i++) for (let s = 0; s < SERIES.length; s++) lines.push(`${stamp(i)},${SERIES[s]},${value(s, i).toFixed(3)}`);
  return lines.join('\n') + '\n';
}

describe('tickcast detect: several series in one file', () => {
  let dir: string;
  withoutTickcastEnv();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-detect-series-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function detect(name: string, text: string, ...flags: string[]): Promise<{ code: number; err: string; out: string; results: string | null }> {
    const data = join(dir, `${name}.csv`);
    const out = join(dir, `${name}.results.csv`);
    await writeFile(data, text);
    const io = captureIo();
    const code = await runCli(['detect', '--data', data, '--out', out, '--chunk', '64', ...flags], io);
    const results = await readFile(out, 'utf8').catch(() => null);
    return { code, err: io.err(), out: io.out(), results };
  }

  it('scores each series as it scores alone in its own file, the results naming the series (the `series` column found by name)', async () => {
    const each: string[][] = [];
    for (let s = 0; s < SERIES.length; s++) {
      const r = await detect(`alone-${s}`, alone(s));
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
      const lines = r.results!.trimEnd().split('\n');
      assert.equal(lines[0], 'timestamp,value,anomaly_score');
      each.push(lines.slice(1));
    }
    const r = await detect('long', long());
    assert.equal(r.code, 0, r.err);
    assert.equal(r.err, '', 'no row refused');
    const summary = JSON.parse(r.out) as { rows: number; refused: number; series: number; seriesCol: string };
    assert.deepEqual([summary.rows, summary.refused, summary.series, summary.seriesCol], [ROWS * SERIES.length, 0, SERIES.length, 'series']);
    const lines = r.results!.trimEnd().split('\n');
    assert.equal(lines[0], 'series,timestamp,value,anomaly_score');
    const got = new Map<string, string[]>(SERIES.map((s) => [s, []]));
    for (const line of lines.slice(1)) {
      const [series, ...rest] = line.split(',');
      got.get(series)!.push(rest.join(','));
    }
    for (let s = 0; s < SERIES.length; s++) assert.deepEqual(got.get(SERIES[s]), each[s], `series ${SERIES[s]}`);
    // Not a vacuous match: each series' top score comes at its own spike (or the few rows after it, as the detector's view fills).
    for (let s = 0; s < SERIES.length; s++) {
      const scores = each[s].map((l) => Number(l.split(',')[2]));
      const top = scores.indexOf(Math.max(...scores)) - (250 + 40 * s);
      assert.ok(top >= 0 && top <= 5, `series ${SERIES[s]}'s top score ${top} rows after its spike`);
    }
  });

  it('reads another column with --series-col (exact name), and --series-col none scores the file as one series, as before', async () => {
    const named = await detect('named', long('timestamp,host,value'), '--series-col', 'host');
    assert.equal(named.code, 0, named.err);
    const plain = await detect('plain', long());
    assert.equal(named.results, plain.results);
    const none = await detect('none', long(), '--series-col', 'none');
    assert.equal(none.code, 0, none.err);
    assert.match(none.err, /refused 800 of 1200 rows/);
    assert.doesNotMatch(none.err, /--series-col/, 'none was asked for');
    const unnamed = await detect('unnamed', long('timestamp,host,value'));
    assert.match(unnamed.err, /800 of them repeat an earlier row's time: a file of several series scores one detector per series with --series-col/);
    assert.equal(none.results!.split('\n')[0], 'timestamp,value,anomaly_score');
    const clash = await detect('clash', long(), '--series-col', 'value');
    assert.equal(clash.code, 64);
    assert.match(clash.err, /--series-col value: that column is read as the value \(--value-col\); name the column of series ids \[TC_CLI_USAGE\]/);
    // A column named series read as the value is not also the series id.
    const asValue = await detect('as-value', alone(0).replace('timestamp,value', 'timestamp,series'), '--value-col', 'series');
    assert.equal(asValue.code, 0, asValue.err);
    assert.equal(asValue.results!.split('\n')[0], 'timestamp,value,anomaly_score');
    const missing = await detect('missing', long('timestamp,host,value'), '--series-col', 'Host');
    assert.equal(missing.code, 65);
    assert.match(missing.err, /no column named "Host" \(from --series-col\); the header has: timestamp, host, value/);
  });

  it('a series column named `none`: --series-col none still reads one series and says how to read that column; --series-col \'"none"\' reads it', async () => {
    // Until 7 Dec 2026 such a column could not be read: `none` always meant one series, without a word.
    const plain = await detect('plain-n', long());
    const file = long('timestamp,none,value');
    const quoted = await detect('quoted', file, '--series-col', '"none"');
    assert.equal(quoted.code, 0, quoted.err);
    assert.equal(quoted.results, plain.results, 'scored per series, as a column named series');
    assert.equal(JSON.parse(quoted.out).seriesCol, 'none');
    const bare = await detect('bare', file, '--series-col', 'none');
    assert.equal(bare.code, 0, bare.err);
    assert.equal(bare.results!.split('\n')[0], 'timestamp,value,anomaly_score', 'none keeps its documented meaning');
    assert.match(bare.err, /^detect: --series-col none reads the file as one series, and this file also has a column named "none": to read that column as the series ids, give --series-col '"none"'/);
    const other = await detect('other', long('timestamp,host,value'), '--series-col', '"host"');
    assert.equal(other.results, plain.results, 'any name may be quoted');
    const noNote = await detect('no-note', long(), '--series-col', 'none');
    assert.doesNotMatch(noNote.err, /column named "none"/);
  });

  it('a row refused in a file of several series is named with its series; late is within its series', async () => {
    const lines = long().split('\n');
    lines.splice(8, 0, `${stamp(0)},cpu.b,1.0`); // line 9: cpu.b back at 00:00 after its 00:30 row
    const r = await detect('late', lines.join('\n'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /refused 1 of 1201 rows .*line 9: late: .*\(series "cpu\.b", timestamp "2024-01-01 00:00:00", value 1\); 1 of them are late \(a time before an earlier row's of its series\)/);
    assert.doesNotMatch(r.err, /--series-col/);
  });

  it('stops at a bad series id with file:line and writes no results', async () => {
    const base = long().split('\n');
    const cases: Array<[string, string, RegExp, string[]]> = [
      ['empty', `${stamp(0)},,1.0`, /empty-series\.csv:5: column "series" is empty/, []],
      // The service's reason (series-refusal.ts): which characters, and how to allow them (until 7 Dec 2026 the bare "does not match").
      ['pattern', `${stamp(0)},a b,1.0`, /pattern-series\.csv:5: series id "a b" does not match .* \(input\.seriesPattern\): " " is not allowed; to take such ids set input\.seriesPattern \(TICKCAST_INPUT_SERIES_PATTERN\) to a pattern that allows it, .*\(column "series"\)/, []],
      ['symbol', `${stamp(0)},ES=F,1.0`, /symbol-series\.csv:5: series id "ES=F" .*"=" is not allowed; .*e\.g\. \^\(\?!\\\.\{1,2\}\$\)\[A-Za-z0-9\._:\/@=-\]\{1,128\}\$/, []],
      ['dots', `${stamp(0)},..,1.0`, /dots-series\.csv:5: series id "\.\." is refused: browsers and fetch\(\) resolve a "\.\." path segment/, []],
      ['cap', `${stamp(0)},disk/d,1.0`, /cap-series\.csv:5: a 4th series, "disk\/d", beyond --max-series 3/, ['--max-series', '3']],
    ];
    for (const [name, row, message, flags] of cases) {
      const lines = [...base.slice(0, 4), row, ...base.slice(4)]; // line 5: after the first row of each series
      const r = await detect(`${name}-series`, lines.join('\n'), ...flags);
      assert.equal(r.code, 65, `${name}: ${r.err}`);
      assert.match(r.err, message, name);
      assert.match(r.err, /\[TC_DATA_MALFORMED\]/, name);
      assert.equal(r.results, null, `${name}: no results file`);
      await assert.rejects(stat(join(dir, `${name}-series.results.csv`)));
      // Found by its name, not asked for: a file read as one series until 6 Dec 2026 is told the way back.
      assert.match(r.err, /the column was found by its name: --series-col none reads the file as one series, as before/, name);
    }
    // A file of one series with a label column named series (an id the service refuses): told how to read it as before; not when the column was named.
    const labelled = alone(0).split('\n').map((l, i) => (l === '' ? l : `${l},${i === 0 ? 'series' : 'CPU usage'}`)).join('\n');
    const found = await detect('labelled', labelled);
    assert.equal(found.code, 65, found.err);
    assert.match(found.err, /labelled\.csv:2: series id "CPU usage" .*input\.seriesPattern.*--series-col none reads the file as one series, as before/);
    const named = await detect('labelled-named', labelled, '--series-col', 'series');
    assert.equal(named.code, 65, named.err);
    assert.doesNotMatch(named.err, /--series-col none/);
    const asBefore = await detect('labelled-none', labelled, '--series-col', 'none');
    assert.equal(asBefore.code, 0, asBefore.err);
  });
});
