/**
 * Pipes: a reader that goes away (`tickcast … | head`, a `jq` that quit) ends the command quietly
 * with 141, as SIGPIPE ends a Unix tool; `-` reads stdin (--data) and writes stdout (detect --out). Until 7 Dec 2026 stdout's EPIPE was an unhandled 'error' event
 * (exit 1 and a stack trace), and `detect --out /dev/stdout` said exit 73 "nothing was written;
 * free space or give another path" after it had written rows.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnCollect, startTickcast, tickcastBin as bin } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

describe('a reader that closes the pipe', () => {
  const dir = tempDirPerSuite('tickcast-pipe-');

  it('stdout closed before the JSON result is written: exit 141, nothing on stderr', async () => {
    // stdout a socket pair (Node's 'pipe') that this side closes before the process has loaded (which takes far longer).
    const { child, exited } = startTickcast(['version', '--json']);
    child.stdout!.destroy();
    const r = await exited;
    assert.equal(r.stderr, '');
    assert.equal(r.code, 141);
  });

  it('detect --out /dev/stdout read by `head`: the rows it got, then exit 141 without a word', async () => {
    const data = join(dir(), 'long.csv');
    const lines = ['timestamp,value'];
    for (let i = 0; i < 4000; i++) lines.push(`${new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString()},${(10 + Math.sin(i / 30)).toFixed(3)}`);
    await writeFile(data, lines.join('\n') + '\n');
    // A shell pipe (a real one: /dev/stdout can be opened on it) into `head -3`, which exits after the first write of 1,024 result lines; the next write finds no reader.
    const script = `"${process.execPath}" "${bin}" detect --data "${data}" --out /dev/stdout 2>"${join(dir(), 'err.txt')}" | head -3; exit \${PIPESTATUS[0]}`;
    const { code, stdout: got } = await spawnCollect('bash', ['-c', script], { stderr: 'inherit' }).exited;
    assert.equal(got, 'timestamp,value,anomaly_score\n2024-01-01T00:00:00.000Z,10,0\n2024-01-01T00:05:00.000Z,10.033,0\n');
    assert.equal(await readFile(join(dir(), 'err.txt'), 'utf8'), '');
    assert.equal(code, 141);
  });

  it('`-` is stdin for --data and stdout for detect --out (the JSON result then on stderr); no file named - is written', async () => {
    // Until 7 Dec 2026: --data - was exit 66 "cannot read CSV file "-"", --out - wrote a file named - in the current folder.
    const data = join(dir(), 'short.csv');
    const lines = ['timestamp,value'];
    for (let i = 0; i < 300; i++) lines.push(`${new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString()},${(10 + Math.sin(i / 30)).toFixed(3)}`);
    await writeFile(data, lines.join('\n') + '\n');
    const script = `cat "${data}" | "${process.execPath}" "${bin}" detect --data - --out - 2>"${join(dir(), 'json.txt')}"`;
    const { code, stdout: got } = await spawnCollect('bash', ['-c', script], { cwd: dir(), stderr: 'inherit' }).exited;
    assert.equal(code, 0);
    const results = got.trim().split('\n');
    assert.equal(results.length, 301, 'stdout holds the results CSV alone');
    assert.equal(results[0], 'timestamp,value,anomaly_score');
    const summary = JSON.parse(await readFile(join(dir(), 'json.txt'), 'utf8'));
    assert.equal(summary.rows, 300);
    assert.equal(summary.out, '-');
    await assert.rejects(readFile(join(dir(), '-')), { code: 'ENOENT' });
  });
});
