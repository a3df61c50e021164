/**
 * `--time-col none` (no time column) and a column actually named `none`: `none` keeps its meaning
 * and says how to read the column instead; `--time-col '"none"'` (the name in double quotes, as
 * `--series-col '"none"'`) reads it, and a model trained so reads it again in backtest. Until
 * 7 Dec 2026 such a column could not be named, and a model whose time column was found by position
 * under that name saved "none", which backtest read as no time column.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, out: io.out(), err: io.err() };
}

describe('--time-col none and a column named none', () => {
  let dir: string;
  let file: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-none-'));
    const [, ...rows] = (await readFile(fixture('five-minute.csv'), 'utf8')).trim().split('\n');
    file = join(dir, 'none.csv');
    await writeFile(file, ['none,value', ...rows].join('\n') + '\n');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const train = (out: string, ...flags: string[]) => cli(['train', '--data', file, '--arch', 'linear', '--window', '24', '--horizon', '6', '--out', join(dir, out), ...flags]);

  it('--time-col \'"none"\' reads the column named none as the time, and backtest reads it again from the model', async () => {
    const t = await train('quoted', '--time-col', '"none"');
    assert.equal(t.code, 0, t.err);
    assert.equal(JSON.parse(t.out).data.timeCol, 'none');
    assert.equal(JSON.parse(t.out).data.stepMs, 300_000);
    const bt = await cli(['backtest', '--data', file, '--model', join(dir, 'quoted')]);
    assert.equal(bt.code, 0, bt.err);
    assert.equal(JSON.parse(bt.out).timeCol, 'none', 'the model\'s time column "none" is a name, not "no time column"');
  });

  it('the column found by position (column 0) is saved and read back by name too', async () => {
    const t = await train('found');
    assert.equal(t.code, 0, t.err);
    assert.equal(JSON.parse(t.out).data.timeCol, 'none');
    const bt = await cli(['backtest', '--data', file, '--model', join(dir, 'found')]);
    assert.equal(bt.code, 0, bt.err);
    assert.equal(JSON.parse(bt.out).timeCol, 'none');
  });

  it('--time-col none keeps its meaning on such a file and says how to read the column instead', async () => {
    const t = await train('bare', '--time-col', 'none', '--features', 'value');
    assert.equal(t.code, 0, t.err);
    assert.equal(JSON.parse(t.out).data.timeCol, null);
    const note = `--time-col none reads the rows in file order, without a time column, and this file also has a column named "none": to read that column as the times, give --time-col '"none"' (the name in double quotes)`;
    assert.ok(t.err.includes(`train: ${note}\n`), t.err);
    const bt = await cli(['backtest', '--data', file, '--model', join(dir, 'bare'), '--time-col', 'none']);
    assert.equal(bt.code, 0, bt.err);
    assert.equal(JSON.parse(bt.out).timeCol, null);
    assert.ok(bt.err.includes(`backtest: ${note}\n`), bt.err);
  });
});
