/**
 * A UK ONS time series download as it comes: no header row, eight metadata lines (`"Title"`,
 * `"CDID"`, `"Source dataset ID"`, `"PreUnit"`, `"Unit"`, `"Release date"`, `"Next release"`,
 * `"Important notes"`), then annual, quarterly and monthly rows one block after another. Until
 * 7 Dec 2026 `train` said "no numeric column" and `detect` "no column named timestamp" (exit 65),
 * and a year alone read as epoch seconds (docs/cli.md § Data files, src/data/ons-layout.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const YEARS = 30; // 1994–2023

const META = [
  '"Title","CPIH ANNUAL RATE 00: ALL ITEMS 2015=100"',
  '"CDID","L55O"',
  '"Source dataset ID","MM23"',
  '"PreUnit",""',
  '"Unit","%"',
  '"Release date","15-11-2023"',
  '"Next release","20 December 2023"',
  '"Important notes",""',
];

const rate = (i: number): string => (2 + Math.sin(i / 5) + (i % 4) * 0.1).toFixed(1);

function ons(blocks: { annual: boolean; quarterly: boolean; monthly: boolean }): string {
  const lines = [...META];
  if (blocks.annual) for (let y = 0; y < YEARS; y++) lines.push(`"${1994 + y}","${rate(y)}"`);
  if (blocks.quarterly) for (let q = 0; q < YEARS * 4; q++) lines.push(`"${1994 + Math.floor(q / 4)} Q${(q % 4) + 1}","${rate(q)}"`);
  if (blocks.monthly) for (let m = 0; m < YEARS * 12; m++) lines.push(`"${1994 + Math.floor(m / 12)} ${MONTHS[m % 12]}","${rate(m)}"`);
  return lines.join('\n') + '\n';
}

describe('an ONS time series download', () => {
  withoutTickcastEnv();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-ons-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains and detects on the finest of its frequencies, the metadata not read, all said on stderr', async () => {
    const data = join(dir, 'l55o.csv');
    await writeFile(data, ons({ annual: true, quarterly: true, monthly: true }));
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'm'), '--window', '12', '--horizon', '3'], io), 0, io.err());
    const trained = JSON.parse(io.out());
    assert.equal(trained.data.rows, YEARS * 12);
    assert.deepEqual(trained.spec.features, ['value']);
    assert.match(io.err(), /an ONS time series \(CDID L55O, "CPIH ANNUAL RATE 00: ALL ITEMS 2015=100"\), read as columns timestamp, value; rows of 3 frequencies \(360 monthly, 120 quarterly, 30 annual\): the monthly rows read, the 150 others not/);
    assert.match(io.err(), /8 metadata lines above the rows not read, the first, line 1: "Title"/);
    assert.match(io.err(), /every 1 month \(monthly\)/);

    const out = join(dir, 'r.csv');
    const det = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--model', join(dir, 'm'), '--out', out], det), 0, det.err());
    assert.deepEqual([JSON.parse(det.out()).rows, JSON.parse(det.out()).refused], [YEARS * 12, 0]);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    assert.equal(lines.length, YEARS * 12 + 1);
    assert.match(lines[1], /^1994 JAN,2,/);
  });

  it('reads a file of years alone as 1 January of each (not epoch seconds), and detect writes the years back', async () => {
    const data = join(dir, 'annual.csv');
    await writeFile(data, ons({ annual: true, quarterly: false, monthly: false }));
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'a'), '--window', '6', '--horizon', '2'], io), 0, io.err());
    assert.equal(JSON.parse(io.out()).data.rows, YEARS);
    assert.match(io.err(), /its rows annual/);
    assert.match(io.err(), /every 12 months \(annual\)/);

    const out = join(dir, 'ra.csv');
    const det = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', out], det), 0, det.err());
    assert.equal(JSON.parse(det.out()).refused, 0, 'a year in 1970 (epoch seconds) would be refused by the service');
    assert.match((await readFile(out, 'utf8')).split('\n')[1], /^1994,2,/);
  });

  it('--frequency reads the block asked for instead of the finest (train, backtest, detect)', async () => {
    const data = join(dir, 'l55o-q.csv');
    await writeFile(data, ons({ annual: true, quarterly: true, monthly: true }));
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--frequency', 'quarterly', '--out', join(dir, 'q'), '--window', '8', '--horizon', '2'], io), 0, io.err());
    assert.equal(JSON.parse(io.out()).data.rows, YEARS * 4);
    assert.match(io.err(), /the quarterly rows read, the 390 others not \(one series has one step; --frequency quarterly\)/);
    assert.match(io.err(), /every 3 months \(quarterly\)/);

    const bt = captureIo();
    assert.equal(await runCli(['backtest', '--model', join(dir, 'q'), '--data', data, '--frequency', 'quarterly'], bt), 0, bt.err());
    assert.match(bt.err(), /season 4/);

    const out = join(dir, 'rq.csv');
    const det = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--frequency', 'annual', '--out', out], det), 0, det.err());
    assert.equal(JSON.parse(det.out()).rows, YEARS);
    assert.match((await readFile(out, 'utf8')).split('\n')[1], /^1994,/);
  });

  it('--frequency is refused, not ignored, where it cannot apply', async () => {
    const monthly = join(dir, 'monthly.csv');
    await writeFile(monthly, ons({ annual: false, quarterly: false, monthly: true }));
    const none = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', monthly, '--frequency', 'annual', '--out', join(dir, 'x')], none), 65, none.err());
    assert.match(none.err(), /--frequency annual: this ONS time series has no annual rows \(it has 360 monthly\).*\[TC_DATA_TOO_SHORT\]/);

    const plain = join(dir, 'plain.csv');
    await writeFile(plain, 'timestamp,value\n' + Array.from({ length: 30 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},${i}`).join('\n') + '\n');
    const notOns = captureIo();
    assert.equal(await runCli(['detect', '--data', plain, '--frequency', 'monthly', '--out', join(dir, 'rp.csv')], notOns), 64, notOns.err());
    assert.match(notOns.err(), /this file is not one; leave --frequency out \[TC_CLI_USAGE\]/);

    const bad = captureIo();
    assert.equal(await runCli(['detect', '--data', monthly, '--frequency', 'weekly', '--out', join(dir, 'rw.csv')], bad), 64, bad.err());
    assert.match(bad.err(), /--frequency must be annual, quarterly or monthly; got "weekly"/);
  });

  it('a file whose first line is a Title column but has no CDID line is read as before (its header)', async () => {
    const data = join(dir, 'books.csv');
    await writeFile(data, 'Title,date,value\n' + Array.from({ length: 40 }, (_, i) => `b${i},2024-01-${String((i % 28) + 1).padStart(2, '0')}T${String(Math.floor(i / 28)).padStart(2, '0')}:00:00Z,${i}`).join('\n') + '\n');
    const io = captureIo();
    const code = await runCli(['detect', '--data', data, '--time-col', 'date', '--series-col', 'none', '--out', join(dir, 'rb.csv')], io);
    assert.equal(code, 0, io.err());
    assert.doesNotMatch(io.err(), /ONS/);
  });

  it('a file of just a header whose first column is Title is a header without rows, not an empty file', async () => {
    // The first line is held until the second says whether the file is an ONS one; a file that
    // ended there lost it (until 7 Dec 2026, night: "the file is empty; expected a header row").
    const data = join(dir, 'header-only.csv');
    await writeFile(data, 'Title,value\n');
    for (const cmd of [['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'h')], ['detect', '--data', data, '--time-col', 'Title', '--out', join(dir, 'rh.csv')]]) {
      const io = captureIo();
      assert.equal(await runCli(cmd, io), 65, io.err());
      assert.match(io.err(), /no data rows after the header \[TC_DATA_TOO_SHORT\]/, cmd[0]);
      assert.doesNotMatch(io.err(), /empty/, cmd[0]);
    }
  });
});
