/**
 * A US BLS download as it comes: `Series ID,Year,Period,Label,Value`, the period `M01`…`M12` and
 * `M13` (the year's average) after each December. Until 7 Dec 2026 every command took column 0 as
 * the time and refused the file (exit 65 `time column "Series ID" has "LNS14000000"`)
 * (docs/cli.md § Data files, src/data/bls-periods.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blsTime } from '../../../src/data/bls-periods.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const YEARS = 20; // 2000–2019

const rate = (i: number): string => (5 + Math.sin(i / 7) + (i % 3) * 0.1).toFixed(1);

function bls(): string {
  const lines = ['Series ID,Year,Period,Label,Value'];
  for (let y = 0; y < YEARS; y++) {
    for (let m = 0; m < 12; m++) lines.push(`LNS14000000,${2000 + y},M${String(m + 1).padStart(2, '0')},${2000 + y} ${MONTHS[m]},${rate(y * 12 + m)}`);
    lines.push(`LNS14000000,${2000 + y},M13,${2000 + y} Annual,5.0`);
  }
  return lines.join('\n') + '\n';
}

describe('a BLS download (Year and Period columns)', () => {
  withoutTickcastEnv();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-bls-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('trains and detects on the months, the M13 annual averages left out, said once on stderr', async () => {
    const data = join(dir, 'lns.csv');
    await writeFile(data, bls());
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'm'), '--window', '12', '--horizon', '3'], io), 0, io.err());
    const trained = JSON.parse(io.out());
    assert.equal(trained.data.rows, YEARS * 12);
    assert.equal(trained.data.timeCol, 'timestamp');
    assert.deepEqual(trained.spec.features, ['Value']);
    assert.match(io.err(), /a BLS layout \(columns "Year" and "Period"\): read as one column, timestamp .*; 20 rows of an annual average \(M13: .*\) not read, the first, line 14/);
    assert.equal(io.err().match(/BLS layout/g)?.length, 1);
    assert.match(io.err(), /every 1 month \(monthly\)/);

    const out = join(dir, 'r.csv');
    const det = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--model', join(dir, 'm'), '--out', out], det), 0, det.err());
    assert.deepEqual([JSON.parse(det.out()).rows, JSON.parse(det.out()).refused], [YEARS * 12, 0]);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    assert.equal(lines.length, YEARS * 12 + 1);
    assert.match(lines[1], /^2000-01,5,/);
    assert.match(lines[13], /^2001-01,/, 'M13 is not a row');
  });

  it('reads quarterly, semi-annual and annual periods; their averages are none', () => {
    assert.deepEqual(['M01', 'M12', 'Q03', 'S02', 'A01'].map((p) => blsTime('2014', p)), ['2014-01', '2014-12', '2014-Q3', '2014-S2', '2014-01-01']);
    assert.deepEqual(['M13', 'Q05', 'S03'].map((p) => blsTime('2014', p)), [undefined, undefined, undefined]);
  });

  it('a file with a Year and a Period column that are not BLS periods is read as before', async () => {
    const data = join(dir, 'other.csv');
    await writeFile(data, 'timestamp,year,period,value\n' + Array.from({ length: 40 }, (_, i) => `2024-01-01T${String(i % 24).padStart(2, '0')}:00:00Z,2024,${(i % 4) + 1},${i}`).slice(0, 24).join('\n') + '\n');
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'ro.csv')], io), 0, io.err());
    assert.doesNotMatch(io.err(), /BLS/);
  });
});
