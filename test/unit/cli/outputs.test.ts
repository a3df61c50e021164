/**
 * Where `train`, `backtest` and `detect` write: checked before the work, replaced only after it
 * succeeded, never a folder that held no model; flags checked before anything loads.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;
const linear = (out: string): string[] => ['train', '--data', fixture('five-minute.csv'), '--arch', 'linear', '--window', '24', '--horizon', '6', '--out', out];

describe('CLI outputs', () => {
  withoutTickcastEnv(); // detect reads the service configuration from the environment
  const dir = tempDirPerSuite('tickcast-outputs-');

  it('train --force keeps the old model when training fails, and replaces it only after success', async () => {
    const out = join(dir(), 'model');
    assert.equal(await runCli(linear(out), captureIo()), 0);
    const before = await readFile(join(out, 'linear-baseline.json'), 'utf8');
    // A hybrid run interrupted (Ctrl-C) fails after the data were read: the old model must survive.
    const controller = new AbortController();
    controller.abort(new Error('interrupted (SIGINT)'));
    const io = { ...captureIo(), signal: controller.signal };
    const hybrid = ['train', '--data', fixture('five-minute.csv'), '--window', '24', '--horizon', '6', '--epochs', '1', '--d-model', '4', '--lstm-layers', '1', '--transformer-layers', '0', '--max-train-windows', '8', '--max-val-windows', '8', '--force', '--out', out];
    assert.notEqual(await runCli(hybrid, io), 0);
    assert.equal(await readFile(join(out, 'linear-baseline.json'), 'utf8'), before, 'the old model is untouched');
    assert.deepEqual((await readdir(dir())).sort(), ['model'], 'no temporary folder left beside it');
    const again = captureIo();
    assert.equal(await runCli([...linear(out), '--ridge', '0.5', '--force'], again), 0, again.err());
    assert.notEqual(await readFile(join(out, 'linear-baseline.json'), 'utf8'), before);
    assert.deepEqual((await readdir(dir())).sort(), ['model']);
  });

  it('train --force refuses (exit 64) a non-empty folder that holds no model, and deletes nothing', async () => {
    const notes = join(dir(), 'notes');
    await mkdir(notes);
    await writeFile(join(notes, 'notes.txt'), 'precious');
    const io = captureIo();
    assert.equal(await runCli([...linear(notes), '--force'], io), 64);
    assert.match(io.err(), /--out .*notes holds no model \(it has: notes\.txt\), so --force will not replace it; choose another directory \[TC_CLI_USAGE\]/);
    assert.equal(await readFile(join(notes, 'notes.txt'), 'utf8'), 'precious');
  });

  it('train --out an existing file: exit 73 before any work, no stack trace, file untouched', async () => {
    const file = join(dir(), 'afile');
    await writeFile(file, 'keep');
    const io = captureIo();
    assert.equal(await runCli(linear(file), io), 73);
    assert.match(io.err(), /^tickcast train: --out .*afile is a file; give a directory for the model \[TC_CLI_CANNOT_CREATE\]\n$/);
    assert.equal(await readFile(file, 'utf8'), 'keep');
    const nested = captureIo();
    assert.equal(await runCli(linear(join(file, 'sub')), nested), 73);
    assert.match(nested.err(), /is not a directory/);
  });

  it('backtest --plot a directory: exit 73 before the model loads or the backtest runs', async () => {
    const model = join(dir(), 'for-plot');
    assert.equal(await runCli(linear(model), captureIo()), 0);
    const plotDir = join(dir(), 'plots.png');
    await mkdir(plotDir);
    const io = captureIo();
    assert.equal(await runCli(['backtest', '--data', fixture('five-minute.csv'), '--model', join(dir(), 'no-model'), '--plot', plotDir], io), 73, 'checked before the (missing) model is opened');
    assert.match(io.err(), /^tickcast backtest: --plot .*plots\.png is a directory; give a file path .*\[TC_CLI_CANNOT_CREATE\]\n$/);
    assert.equal(io.out(), '');
  });

  it('detect --out and backtest --plot in folders that do not exist yet: created, as train --out creates its own', async () => {
    const model = join(dir(), 'for-new-folders');
    assert.equal(await runCli(linear(model), captureIo()), 0);
    const plot = join(dir(), 'new', 'plots', 'p.html');
    const bt = captureIo();
    assert.equal(await runCli(['backtest', '--data', fixture('five-minute.csv'), '--model', model, '--plot', plot], bt), 0, bt.err());
    assert.match(await readFile(plot, 'utf8'), /<html/i);
    const results = join(dir(), 'new', 'results', 'r.csv');
    const nab = join(dir(), 'nab.csv');
    const rows = Array.from({ length: 200 }, (_, i) => `${new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString().replace('T', ' ').slice(0, 19)},${(10 + Math.sin(i / 5)).toFixed(3)}`);
    await writeFile(nab, ['timestamp,value', ...rows].join('\n') + '\n');
    const d = captureIo();
    assert.equal(await runCli(['detect', '--data', nab, '--out', results, '--model', model], d), 0, d.err());
    assert.equal((await readFile(results, 'utf8')).trim().split('\n').length, 201);
  });

  it('backtest messages name only what backtest can change', async () => {
    const model = join(dir(), 'short');
    assert.equal(await runCli(linear(model), captureIo()), 0);
    const few = join(dir(), 'few.csv');
    const lines = (await readFile(fixture('five-minute.csv'), 'utf8')).trim().split('\n');
    await writeFile(few, lines.slice(0, 21).join('\n') + '\n');
    const io = captureIo();
    assert.equal(await runCli(['backtest', '--data', few, '--model', model], io), 65);
    assert.match(io.err(), /the test span \(\d+ rows\) has room for no window of the model's 24 \+ 6 rows; give a file with more rows, or a larger test fraction with --split/);
    assert.doesNotMatch(io.err(), /--window|--horizon/);
    const other = join(dir(), 'other.csv');
    await writeFile(other, lines.map((l) => l.replace(/^([^,]*),(.*)$/, '$1,$2')).join('\n').replace(/^([^\n]*)/, (h) => h.split(',').map((c, i) => (i === 0 ? c : `x${c}`)).join(',')) + '\n');
    const io2 = captureIo();
    assert.equal(await runCli(['backtest', '--data', other, '--model', model], io2), 65);
    assert.match(io2.err(), /\(a column the model reads; map it onto one of this file's columns with --col value=<column>\)/);
    assert.doesNotMatch(io2.err(), /from --target|from --features/);
  });

  it('train --backend must name a backend (exit 64 listing them)', async () => {
    const io = captureIo();
    assert.equal(await runCli([...linear(join(dir(), 'b')), '--backend', 'bogus'], io), 64);
    assert.match(io.err(), /--backend must be one of auto, tfjs-node-gpu, tfjs-node, wasm, cpu; got "bogus"/);
  });
});
