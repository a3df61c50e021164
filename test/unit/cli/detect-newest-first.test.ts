/**
 * `tickcast detect` on a newest-first file (an ECB SDW download), run as a process. Before 7 Dec
 * 2026 detect streamed the rows as written, so the service refused every row after the first as
 * late (src/cli/detect-order.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTickcast } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

const DAY = 86_400_000;
const day = (i: number): string => new Date(Date.UTC(2023, 0, 1) + i * DAY).toISOString().slice(0, 10);
/** `n` daily rows `date,value`, oldest first. */
const daily = (n: number, phase = 0): string[] => Array.from({ length: n }, (_, i) => `${day(i)},${(1.08 + 0.03 * Math.sin(i / 9 + phase) + 0.001 * (i % 7)).toFixed(4)}`);
const csv = (lines: readonly string[]): string => lines.join('\n') + '\n';
const NOTE = /^detect: .*: the rows are newest first \(time runs backwards down the file\); read in reverse, oldest first$/m;

describe('tickcast detect on a newest-first file', () => {
  const dir = tempDirPerSuite('tickcast-detect-newest-');

  it('scores a newest-first file in reverse, says so, and writes what the file oldest first gives', async () => {
    // Before: "the service refused 199 of 200 rows … 199 of them are late".
    const rows = daily(200);
    const newest = join(dir(), 'newest.csv');
    const oldest = join(dir(), 'oldest.csv');
    await writeFile(newest, csv(['"Data Source in SDW: null"', 'Period\\Unit:,[US dollar ]', ...[...rows].reverse()]));
    await writeFile(oldest, csv(['Period\\Unit:,[US dollar ]', ...rows]));
    const cols = ['--time-col', 'Period\\Unit:', '--value-col', '[US dollar ]'];
    const [n, o] = await Promise.all(
      [newest, oldest].map((data) => runTickcast(['detect', '--data', data, '--out', `${data}.out`, ...cols])),
    );
    assert.equal(n.code, 0, n.stderr);
    assert.equal(o.code, 0, o.stderr);
    assert.match(n.stderr, NOTE);
    assert.doesNotMatch(n.stderr, /refused/);
    assert.doesNotMatch(o.stderr, /newest first/);
    assert.equal((JSON.parse(n.stdout) as { refused: number }).refused, 0);
    assert.equal(await readFile(`${newest}.out`, 'utf8'), await readFile(`${oldest}.out`, 'utf8'), 'the results of the file oldest first');
  });

  it('a long-format file, each series newest first, is reversed too', async () => {
    const a = daily(120).map((r) => `${r.split(',')[0]},a,${r.split(',')[1]}`).reverse();
    const b = daily(120, 1).map((r) => `${r.split(',')[0]},b,${r.split(',')[1]}`).reverse();
    const data = join(dir(), 'long.csv');
    await writeFile(data, csv(['timestamp,series,value', ...a, ...b]));
    const r = await runTickcast(['detect', '--data', data, '--out', join(dir(), 'long.out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, NOTE);
    assert.equal((JSON.parse(r.stdout) as { refused: number; series: number }).refused, 0);
  });

  it('a long-format file whose series share each timestamp gives the results of the file oldest first (series in file order at each time)', async () => {
    // Before: read last row first, the series at one time came reversed (b, a), the results file unlike the oldest-first one's.
    const a = daily(60).map((r) => `${r.split(',')[0]},a,${r.split(',')[1]}`);
    const b = daily(60, 1).map((r) => `${r.split(',')[0]},b,${r.split(',')[1]}`);
    const oldestRows = a.flatMap((r, i) => [r, b[i]]);
    const newestRows = a.flatMap((r, i) => [r, b[i]]).reverse();
    for (let i = 0; i < newestRows.length; i += 2) [newestRows[i], newestRows[i + 1]] = [newestRows[i + 1], newestRows[i]]; // a before b at each time, newest time first
    const newest = join(dir(), 'shared-newest.csv');
    const oldest = join(dir(), 'shared-oldest.csv');
    await writeFile(newest, csv(['timestamp,series,value', ...newestRows]));
    await writeFile(oldest, csv(['timestamp,series,value', ...oldestRows]));
    const [n, o] = await Promise.all([newest, oldest].map((data) => runTickcast(['detect', '--data', data, '--out', `${data}.out`])));
    assert.equal(n.code, 0, n.stderr);
    assert.equal(o.code, 0, o.stderr);
    assert.match(n.stderr, NOTE);
    assert.equal(await readFile(`${newest}.out`, 'utf8'), await readFile(`${oldest}.out`, 'utf8'), 'the results of the file oldest first');
  });

  it('a long-format file whose first series has one row is reversed too (the order is that of the first series seen twice)', async () => {
    // Before: only the head's series was looked for again; with one row it never came back, so
    // the file was scored as written: "the service refused 238 of 241 rows".
    const a = daily(120).map((r) => `${r.split(',')[0]},a,${r.split(',')[1]}`).reverse();
    const b = daily(120, 1).map((r) => `${r.split(',')[0]},b,${r.split(',')[1]}`).reverse();
    const data = join(dir(), 'long-single.csv');
    await writeFile(data, csv(['timestamp,series,value', `${day(5)},once,1.1`, ...a, ...b]));
    const r = await runTickcast(['detect', '--data', data, '--out', join(dir(), 'long-single.out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, NOTE);
    assert.equal((JSON.parse(r.stdout) as { refused: number }).refused, 0);
  });

  it('a file whose times do not run backwards throughout is scored as written, its late rows reported', async () => {
    const rows = [...daily(200)].reverse();
    [rows[50], rows[51]] = [rows[51], rows[50]];
    const data = join(dir(), 'mixed.csv');
    await writeFile(data, csv(['timestamp,value', ...rows]));
    const r = await runTickcast(['detect', '--data', data, '--out', join(dir(), 'mixed.out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /newest first/);
    assert.match(r.stderr, /the service refused 199 of 200 rows/);
  });

  it('a row whose time does not read (at the top, or further down) neither keeps nor breaks the order: refused, the rest reversed', async () => {
    // Before: the file was scored as written, "the service refused 201 of 202 rows" (199 late).
    const rows = [...daily(200)].reverse();
    rows.splice(120, 0, 'not a date,1.1');
    const data = join(dir(), 'bad-time.csv');
    await writeFile(data, csv(['timestamp,value', 'n/a,1.0', ...rows]));
    const r = await runTickcast(['detect', '--data', data, '--out', join(dir(), 'bad-time.out')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, NOTE);
    assert.match(r.stderr, /the service refused 2 of 202 rows/);
  });

  it('from stdin: scored as it comes, with a note saying to give the file or sort it', async () => {
    // Before: only "199 of them are late …: sort the file by time", which did not say detect reads such a file in reverse.
    const r = await runTickcast(['detect', '--data', '-', '--out', join(dir(), 'stdin.out')], { stdin: csv(['timestamp,value', ...[...daily(200)].reverse()]) });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^detect: stdin: the rows are newest first .*scored as they come.*give --data file\.csv \(detect reads a newest-first file in reverse, oldest first\), or sort it oldest first$/m);
    assert.match(r.stderr, /the service refused 199 of 200 rows/);
  });
});
