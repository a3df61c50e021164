/**
 * Files with gaps, as sensors and markets export them (pandas writes an empty cell or `NaN`, R
 * writes `NA`): `train`, `backtest` and `detect` read them (--missing, docs/cli.md § Data files)
 * and say how many cells were missing in their JSON result. Until 7 Dec 2026 the first such cell
 * stopped every command with exit 65.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

const ROWS = 1200;
/** Row index → the value cell written there instead of a number. */
const GAPS: Record<number, string> = { 300: '', 301: 'NA', 700: 'NaN', 900: 'null' };

/** Half-hourly `timestamp,value` (NAB's form), a daily cycle; `gaps` replaces those rows' values. */
function csv(gaps: Record<number, string> = GAPS): string {
  const t0 = Date.UTC(2024, 0, 1);
  const lines = ['timestamp,value'];
  for (let i = 0; i < ROWS; i++) {
    const v = gaps[i] ?? (50 + 10 * Math.sin((2 * Math.PI * i) / 48) + ((i * 7919) % 13) / 13).toFixed(3);
    lines.push(`${new Date(t0 + i * 1_800_000).toISOString().replace('T', ' ').slice(0, 19)},${v}`);
  }
  return lines.join('\n') + '\n';
}

describe('files with missing readings', () => {
  withoutTickcastEnv(); // detect reads the service configuration from the environment
  let dir: string;
  let data: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-missing-'));
    data = join(dir, 'gaps.csv');
    await writeFile(data, csv());
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('train and backtest fill them by default and count them; --missing error stops as before', async () => {
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'm'), '--window', '48', '--horizon', '6'], io), 0, io.err());
    const trained = JSON.parse(io.out());
    assert.deepEqual(trained.missing, { policy: 'fill', cells: 4, byColumn: { value: 4 }, droppedRows: 4, carriedCells: 0 });
    assert.equal(trained.data.rows, ROWS, 'the rows without a value are filled back in as lost readings');
    assert.match(io.err(), /4 missing cells \(empty, NA, NaN…: value 4\)/);

    const bt = captureIo();
    assert.equal(await runCli(['backtest', '--data', data, '--model', join(dir, 'm')], bt), 0, bt.err());
    assert.equal(JSON.parse(bt.out()).missing.cells, 4);

    const stop = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'm2'), '--missing', 'error'], stop), 65);
    assert.match(stop.err(), /gaps\.csv:302: column "value" has "", not a finite number.*--missing fill.*\[TC_DATA_NOT_NUMERIC\]/);
  });

  it('backtest says how many test windows it scored, and stops when a gap in every forecast span leaves none', async () => {
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'bt-m'), '--window', '48', '--horizon', '6', '--split', '0.7,0.1,0.2'], io), 0, io.err());
    // A target cell missing every 5th row of the last 240 (the test span): each 6-row forecast span holds a carried target.
    const holes = join(dir, 'holes.csv');
    await writeFile(holes, csv(Object.fromEntries(Array.from({ length: 48 }, (_, i) => [ROWS - 240 + 5 * i, 'NA']))));
    const none = captureIo();
    assert.equal(await runCli(['backtest', '--data', holes, '--model', join(dir, 'bt-m')], none), 65, none.out());
    assert.match(none.err(), /none of the \d+ test windows can be scored: each forecasts a target that was carried forward or filled in .*\[TC_DATA_TOO_SHORT\]/);
    // One missing target in the test span: the windows forecasting it are left out, and the count says so.
    const one = join(dir, 'one.csv');
    await writeFile(one, csv({ [ROWS - 100]: 'NA' }));
    const some = captureIo();
    assert.equal(await runCli(['backtest', '--data', one, '--model', join(dir, 'bt-m')], some), 0, some.err());
    const result = JSON.parse(some.out());
    assert.equal(result.unscoredWindows, 6, 'the 6 windows whose forecast span holds the carried row');
    assert.equal(result.windows + result.unscoredWindows, 240 - 6 + 1, "every window of the 240-row test span, as without the gap");
    assert.match(some.err(), new RegExp(`${result.windows + 6} test windows \\(stride 1\\), ${result.windows} scored \\(6 forecast a carried or filled-in target\\)`));
  });

  it('detect skips them as missed readings: 0 in the results, the cell written back, counted as missing, not refused', async () => {
    const out = join(dir, 'r.csv');
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', out], io), 0, io.err());
    const result = JSON.parse(io.out());
    assert.equal(result.rows, ROWS);
    assert.equal(result.missing, 4);
    assert.equal(result.refused, 0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    assert.equal(lines.length, ROWS + 1);
    assert.match(lines[302], /^2024-01-07 06:30:00,NA,0$/);
    assert.match(lines[901], /,null,0$/);
    assert.match(io.err(), /4 of 1200 rows have no value .* skipped as missed readings/);

    const stop = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r2.csv'), '--missing', 'error'], stop), 65);
    assert.match(stop.err(), /gaps\.csv:302: column "value" has "", not a number; --missing skip/);
  });

  it("detect writes a flagged missing cell back with its flag (Eurostat's ':c', ': c')", async () => {
    const flagged = join(dir, 'flagged.csv');
    await writeFile(flagged, csv({ 400: ':c', 401: ': c', 402: ':' }));
    const out = join(dir, 'f.csv');
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', flagged, '--out', out], io), 0, io.err());
    assert.equal(JSON.parse(io.out()).missing, 3);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    assert.match(lines[401], /,:c,0$/, 'until 7 Dec 2026 written as ":", its flag lost');
    assert.match(lines[402], /,: c,0$/);
    assert.match(lines[403], /,:,0$/);
  });

  it('a value column with no number at all, or with text, is still an error', async () => {
    const none = join(dir, 'none.csv');
    await writeFile(none, csv(Object.fromEntries(Array.from({ length: ROWS }, (_, i) => [i, 'NA']))));
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', none, '--out', join(dir, 'n.csv')], io), 65);
    assert.match(io.err(), /none\.csv: column "value" has no numbers: all 1200 rows .*\[TC_DATA_NOT_NUMERIC\]/);
    const tr = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', none, '--out', join(dir, 'n-m'), '--target', 'value'], tr), 65);
    assert.match(tr.err(), /column "value" has no numbers/);
    const text = join(dir, 'text.csv');
    await writeFile(text, csv({ 500: 'n.a.' }));
    const tx = captureIo();
    assert.equal(await runCli(['detect', '--data', text, '--out', join(dir, 't.csv')], tx), 65);
    assert.match(tx.err(), /text\.csv:502: column "value" has "n\.a\.", not a number \[TC_DATA_NOT_NUMERIC\]/);
  });
});
