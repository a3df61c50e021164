/**
 * `--data -` reads stdin; the messages that name the data file say `stdin` there (until 7 Dec 2026
 * `-:3: column "value" has "abc"`, `detect: -: the service refused …`, `train: -: no data rows`).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { cliArgv, runTickcast, shellWords, spawnCollect, type Exited } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

/** Run the CLI with `input` on its stdin, a shell pipe (`cat | tickcast …`) or, `socket`, Node's own stdio pipe (a socket pair); its exit code and stderr. */
function withStdin(args: readonly string[], input: string, socket = false): Promise<Exited> {
  if (socket) return runTickcast(args, { stdin: input });
  return spawnCollect('bash', ['-c', `cat | ${shellWords(cliArgv(args))}`], { stdin: input }).exited;
}

const stamp = (i: number) => new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString();

describe('--data - is named stdin', () => {
  const dir = tempDirPerSuite('tickcast-stdin-');

  it('a bad cell (file:line), refused rows and a file too short all say stdin, never "-"', async () => {
    const bad = await withStdin(['detect', '--data', '-', '--out', '-'], `timestamp,value\n${stamp(0)},1\n${stamp(1)},abc\n`);
    assert.equal(bad.code, 65, bad.stderr);
    assert.equal(bad.stderr, 'tickcast detect: stdin:3: column "value" has "abc", not a number [TC_DATA_NOT_NUMERIC]\n');

    const rows = Array.from({ length: 100 }, (_, i) => `${stamp(i === 60 ? 0 : i)},${i % 7}`);
    const late = await withStdin(['detect', '--data', '-', '--out', '-'], ['timestamp,value', ...rows].join('\n') + '\n');
    assert.equal(late.code, 0, late.stderr);
    assert.match(late.stderr, /^detect: stdin: the service refused 1 of 100 rows .*line 62: /m);

    const short = await withStdin(['train', '--data', '-', '--out', join(dir(), 'model'), '--arch', 'linear'], 'timestamp,value\n');
    assert.equal(short.code, 65, short.stderr);
    assert.equal(short.stderr, 'tickcast train: stdin: no data rows after the header [TC_DATA_TOO_SHORT]\n');
    await assert.rejects(stat(join(dir(), 'model')), 'no model written');
    for (const r of [bad, late, short]) assert.doesNotMatch(r.stderr, /(^|: )-:/m);
  });

  it('a model trained from stdin records its data as stdin, as the messages name it (until 7 Dec 2026: "-")', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${stamp(i)},${(i % 12) + (i % 5)}`);
    const out = join(dir(), 'from-stdin');
    const file = ['timestamp,value', ...rows].join('\n') + '\n';
    const r = await withStdin(['train', '--data', '-', '--out', out, '--arch', 'linear', '--window', '24', '--horizon', '6'], file);
    assert.equal(r.code, 0, r.stderr);
    const saved = JSON.parse(await readFile(join(out, 'linear-baseline.json'), 'utf8')) as { data: { path: string } };
    assert.equal(saved.data.path, 'stdin');
    assert.equal(JSON.parse(r.stdout).data.path, 'stdin', 'train\'s JSON result');
    const bt = await withStdin(['backtest', '--data', '-', '--model', out], file);
    assert.equal(bt.code, 0, bt.stderr);
    assert.equal(JSON.parse(bt.stdout).data, 'stdin', 'backtest\'s JSON result');
  });

  it('stdin a socket (a Node parent\'s stdio pipe) is read too: it was exit 66 "cannot read stdin (ENXIO)" (/dev/stdin cannot be opened on a socket)', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${stamp(i)},${i % 7}`);
    const r = await withStdin(['detect', '--data', '-', '--out', join(dir(), 'socket.results.csv')], ['timestamp,value', ...rows].join('\n') + '\n', true);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await readFile(join(dir(), 'socket.results.csv'), 'utf8')).trim().split('\n').length, 101);
  });
});
