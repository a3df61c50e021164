/**
 * A value with Eurostat flags (`94.4 p` provisional, `98.7 e` estimated) is read as its number,
 * and `detect` shows it with its flags wherever it shows the value: the results file and the
 * refused-row report. Until 7 Dec 2026 both showed the bare number (`94.4`), so a provisional
 * reading could not be told from a final one in the output (docs/cli.md § Data files).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

const ROWS = 240;

/** Monthly `TIME_PERIOD,OBS_VALUE`, the last 5 values provisional, row 100 estimated, row 150 repeated (a refused duplicate, provisional) unless newest first. */
function eurostat(newestFirst = false): string {
  const rows: string[] = [];
  for (let i = 0; i < ROWS; i++) {
    const flag = i >= ROWS - 5 ? ' p' : i === 100 ? ' e' : '';
    rows.push(`${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')},${(100 + 10 * Math.sin(i / 6)).toFixed(1)}${flag}`);
  }
  if (newestFirst) return ['TIME_PERIOD,OBS_VALUE', ...rows.reverse()].join('\n') + '\n'; // no repeat: a file newest first throughout is read in reverse
  rows.splice(151, 0, `${rows[150].split(',')[0]},77.5 p`);
  return ['TIME_PERIOD,OBS_VALUE', ...rows].join('\n') + '\n';
}

describe('flagged values in detect', () => {
  withoutTickcastEnv();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-flags-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const newestFirst of [false, true]) {
    it(`keeps the flags in the results file and the refused-row report${newestFirst ? ' (newest first: rows through the temporary file)' : ''}`, async () => {
      const data = join(dir, `eu-${newestFirst}.csv`);
      await writeFile(data, eurostat(newestFirst));
      const out = join(dir, `r-${newestFirst}.csv`);
      const io = captureIo();
      assert.equal(await runCli(['detect', '--data', data, '--time-col', 'TIME_PERIOD', '--value-col', 'OBS_VALUE', '--out', out], io), 0, io.err());
      assert.equal(JSON.parse(io.out()).refused, newestFirst ? 0 : 1);
      if (!newestFirst) assert.match(io.err(), /duplicate: same timestamp as an earlier row \(timestamp "2012-07", value 77\.5 p\)/);
      const lines = (await readFile(out, 'utf8')).trim().split('\n');
      assert.equal(lines.length, ROWS + (newestFirst ? 1 : 2));
      const byTime = lines.filter((l) => /^2008-05,|^2019-(08|12),|^2019-07,/.test(l)).map((l) => l.split(',').slice(0, 2).join(','));
      assert.deepEqual(byTime, ['2008-05,91.8 e', '2019-07,109.6', '2019-08,109.9 p', '2019-12,108.5 p']);
      assert.ok(lines.every((l) => l.split(',').length === 3), 'every results row three cells');
    });
  }
});
