import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import type { CommandEntry } from '../../../src/cli/commands.ts';
import { captureIo } from './capture.ts';
import { decodePng } from '../eval/png-decode.ts';
import { runTickcast } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

describe('tickcast CLI', () => {
  const dir = tempDirPerSuite('tickcast-cli-');

  it('lists commands on --help and rejects an unknown command with exit 64', async () => {
    const io = captureIo();
    assert.equal(await runCli(['--help'], io), 0);
    assert.match(io.out(), /train\s+train a forecasting model/);
    assert.match(io.out(), /backtest\s+rolling-origin evaluation/);
    assert.match(io.out(), /detect\s+score a NAB-format CSV/);
    const bad = captureIo();
    assert.equal(await runCli(['tarin'], bad), 64);
    assert.match(bad.err(), /unknown command "tarin"; did you mean "train"\?; commands: train, detect, backtest/);
    const far = captureIo();
    assert.equal(await runCli(['forecast'], far), 64);
    assert.match(far.err(), /unknown command "forecast"; commands: train/);
    // docs/cli.md: every error line ends with its code, `tickcast <command>: <message> [<code>]`;
    // until 7 Dec 2026 the unknown-command line had none (a script matching the code missed it).
    assert.match(bad.err(), / \[TC_CLI_USAGE\]\n$/);
    assert.match(far.err(), / \[TC_CLI_USAGE\]\n$/);
  });

  // Until 6 Dec 2026 a misspelt flag was only "Unknown option '--windw'" (the config names the key it
  // most likely meant; the CLI now does too).
  it('a misspelt flag names the flag it most likely meant; one far from every flag names none', async () => {
    for (const [typo, meant] of [['--windw', '--window'], ['--batch_size', '--batch-size'], ['--Target', '--target']]) {
      const io = captureIo();
      assert.equal(await runCli(['train', '--data', 'x.csv', '--out', join(dir(), 'y'), typo, '3'], io), 64);
      assert.match(io.err(), new RegExp(`Unknown option '${typo}'; did you mean ${meant}\\?; run "tickcast train --help"`));
    }
    const io = captureIo();
    assert.equal(await runCli(['detect', '--window', '3'], io), 64);
    assert.doesNotMatch(io.err(), /did you mean/);
  });

  it('a command is one registry entry: runCli dispatches to whatever is registered', async () => {
    const seen: string[][] = [];
    const registry: CommandEntry[] = [{ name: 'echo', summary: 'echo args', load: async () => ({ run: async (argv) => (seen.push(argv), 3) }) }];
    assert.equal(await runCli(['echo', '--x', '1'], captureIo(), registry), 3);
    assert.deepEqual(seen, [['--x', '1']]);
  });

  it('train --help documents every flag with its default', async () => {
    const io = captureIo();
    assert.equal(await runCli(['train', '--help'], io), 0);
    for (const flag of ['--data', '--out', '--time-col', '--target', '--features', '--window', '--horizon', '--epochs', '--batch-size', '--d-model', '--split', '--arch']) {
      assert.ok(io.out().includes(flag), `help lacks ${flag}`);
    }
    assert.match(io.out(), /--split <spec>\s+.*\(default 0\.7,0\.1,0\.2\)/);
    // Every name the reader takes for a time column (src/data/table.ts), not a subset of them.
    assert.match(io.out(), /--time-col <name\|none>\s+.*'"none"' for a column named none.*default: the first named date\/timestamp\/time\/datetime\/ts\/time period, any case, punctuation alike, else column 0/);
  });

  it('usage errors exit 64 and say what to do; stdout stays empty', async () => {
    const io = captureIo();
    assert.equal(await runCli(['train', '--out', dir(), '--window', 'abc', '--bogus'], io), 64);
    assert.equal(io.out(), '');
    assert.match(io.err(), /^tickcast train: Unknown option '--bogus'.*tickcast train --help.* \[TC_CLI_USAGE\]\n$/s);
    const io2 = captureIo();
    assert.equal(await runCli(['train', '--out', join(dir(), 'x'), '--window', '1.5'], io2), 64);
    assert.match(io2.err(), /--data is required/);
    assert.match(io2.err(), /--window must be a whole number; got 1.5/);
  });

  it('data errors exit 65 with file and line', async () => {
    const io = captureIo();
    assert.equal(await runCli(['train', '--data', fixture('unsorted.csv'), '--out', join(dir(), 'u'), '--arch', 'linear'], io), 65);
    assert.match(io.err(), /unsorted\.csv:4: .* \[TC_DATA_TIME_UNSORTED\]/);
    const io2 = captureIo();
    assert.equal(await runCli(['train', '--data', fixture('hourly-demand.csv'), '--target', 'OT', '--out', join(dir(), 'v'), '--arch', 'linear'], io2), 65);
    assert.match(io2.err(), /no column named "OT" \(from --target\); the header has: timestamp, site, load, temp_c, demand/);
    const io3 = captureIo();
    assert.equal(await runCli(['train', '--data', join(dir(), 'nope.csv'), '--out', join(dir(), 'w'), '--arch', 'linear'], io3), 66);
  });

  it('train --arch linear then backtest: JSON results, train-only statistics, metrics and a PNG plot', async () => {
    const out = join(dir(), 'lin');
    const t = captureIo();
    const code = await runCli(['train', '--data', fixture('hourly-demand.csv'), '--arch', 'linear', '--window', '48', '--horizon', '12', '--out', out], t);
    assert.equal(code, 0, t.err());
    const res = JSON.parse(t.out());
    assert.equal(res.ok, true);
    assert.deepEqual(res.spec.features, ['load', 'temp_c', 'demand']);
    assert.deepEqual(res.spec.targets, ['demand']);
    assert.deepEqual(res.data.borders, { trainEnd: 504, valEnd: 576, testEnd: 720 });
    // statistics are from the 504 training rows, not the whole file
    const csv = (await readFile(fixture('hourly-demand.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => Number(l.split(',')[4]));
    const trainMean = csv.slice(0, 504).reduce((a, b) => a + b, 0) / 504;
    assert.ok(Math.abs(res.normalisation.mean[2] - trainMean) < 1e-9);
    assert.match(t.err(), /720 rows every 1h, features \[load, temp_c, demand\] → targets \[demand\], windows train 445 \/ val 61 \/ test 133/); // span rows − horizon + 1

    const b = captureIo();
    const png = join(dir(), 'bt.png');
    assert.equal(await runCli(['backtest', '--data', fixture('hourly-demand.csv'), '--model', out, '--plot', png], b), 0, b.err());
    const bt = JSON.parse(b.out());
    assert.equal(bt.windows, 133); // 144 test rows, horizon 12 → 133 origins at stride 1
    assert.equal(bt.season, 24);
    assert.equal(bt.split.spec, '0.7,0.1,0.2');
    const m = bt.metrics.overall;
    // a daily sine is easy for a 48-step linear model: well below repeat-last and seasonal-naive
    assert.ok(m.mse < 0.7 * bt.baselines.repeatLast.overall.mse, `model ${m.mse} vs repeat-last ${bt.baselines.repeatLast.overall.mse}`);
    assert.ok(bt.relativeMaeVsSeasonalNaive < 1);
    assert.ok(m.coverage > 0.5 && m.coverage <= 1);
    assert.equal(bt.plot, png);
    const img = decodePng(await readFile(png));
    assert.equal(img.width, 1200);
    assert.equal(img.height, 64 + 300);

    // --stride and --season override; HTML plot
    const c = captureIo();
    const html = join(dir(), 'bt.html');
    assert.equal(await runCli(['backtest', '--data', fixture('hourly-demand.csv'), '--model', out, '--stride', '10', '--season', '168', '--plot', html], c), 0, c.err());
    const bt2 = JSON.parse(c.out());
    assert.equal(bt2.windows, 14);
    assert.equal(bt2.season, 168);
    assert.match(await readFile(html, 'utf8'), /<svg [^>]*>[\s\S]*demand/);
  });

  it('train --log: the spec records the ln features, statistics are of ln(value), backtest says which space', async () => {
    const out = join(dir(), 'lin-log');
    const t = captureIo();
    assert.equal(await runCli(['train', '--data', fixture('hourly-demand.csv'), '--arch', 'linear', '--window', '48', '--horizon', '12', '--log', 'targets', '--out', out], t), 0, t.err());
    const res = JSON.parse(t.out());
    assert.deepEqual(res.spec.logFeatures, ['demand']);
    const csv = (await readFile(fixture('hourly-demand.csv'), 'utf8')).trim().split('\n').slice(1).map((l) => l.split(',').map(Number));
    const logMean = csv.slice(0, 504).reduce((a, r) => a + Math.log(r[4]), 0) / 504;
    const loadMean = csv.slice(0, 504).reduce((a, r) => a + r[2], 0) / 504;
    assert.ok(Math.abs(res.normalisation.mean[2] - logMean) < 1e-9, 'demand: mean of ln(value)');
    assert.ok(Math.abs(res.normalisation.mean[0] - loadMean) < 1e-9, 'load: as it is');
    assert.deepEqual(JSON.parse(await readFile(join(out, 'linear-baseline.json'), 'utf8')).model.spec.logFeatures, ['demand'], 'stored in the artifact');

    const b = captureIo();
    assert.equal(await runCli(['backtest', '--data', fixture('hourly-demand.csv'), '--model', out], b), 0, b.err());
    const bt = JSON.parse(b.out());
    assert.match(bt.metricsSpace, /ln\(value\) for \[demand\]/);
    assert.equal(bt.metrics.perTarget[0].maeOriginal, undefined, 'no data-unit figures from a log-space z-score');
    assert.ok(bt.relativeMaeVsSeasonalNaive < 1, `a daily cycle in ln space: ${bt.relativeMaeVsSeasonalNaive}`);

    const bad = captureIo();
    assert.equal(await runCli(['train', '--data', fixture('hourly-demand.csv'), '--arch', 'linear', '--log', 'site', '--out', join(dir(), 'lin-log2')], bad), 64);
    assert.match(bad.err(), /--log names column "site", which is not a feature \[load, temp_c, demand\]/);
    const zero = join(dir(), 'zero.csv');
    await writeFile(zero, ['t,v', ...Array.from({ length: 200 }, (_, i) => `${i},${i === 150 ? 0 : 10 + (i % 7)}`)].join('\n') + '\n');
    const dom = captureIo();
    assert.equal(await runCli(['train', '--data', zero, '--time-col', 'none', '--arch', 'linear', '--window', '8', '--horizon', '2', '--log', 'targets', '--out', join(dir(), 'lin-log3')], dom), 65);
    assert.match(dom.err(), /zero\.csv: column "v" has 0 at data row 151; a column modelled as ln\(value\) \(--log\) must be > 0 and finite everywhere \[TC_DATA_OUT_OF_DOMAIN\]/);
  });

  it('train records the file\'s closures (a market\'s nights) in the artifact and says the service serves it windows the same way', async () => {
    const rows = ['time,price'];
    for (let i = 0; i < 24 * 40; i++) if (i % 24 >= 6) rows.push(`${new Date(Date.UTC(2026, 0, 5) + i * 3_600_000).toISOString()},${(100 + Math.sin(i / 3)).toFixed(3)}`);
    const file = join(dir(), 'bars.csv');
    await writeFile(file, rows.join('\n') + '\n');
    const t = captureIo();
    assert.equal(await runCli(['train', '--data', file, '--arch', 'linear', '--window', '24', '--horizon', '6', '--out', join(dir(), 'bars')], t), 0, t.err());
    const res = JSON.parse(t.out());
    assert.ok(res.data.closures.closed >= 35 && res.data.closures.closed === res.data.closures.late, JSON.stringify(res.data.closures));
    assert.match(t.err(), /late rows follow hours it is never read in \(nights, weekends\).*windows\.openHours auto/);
    // A file read around the clock: no closures, no notice.
    const t2 = captureIo();
    assert.equal(await runCli(['train', '--data', fixture('hourly-demand.csv'), '--arch', 'linear', '--window', '48', '--horizon', '12', '--out', join(dir(), 'demand')], t2), 0, t2.err());
    assert.deepEqual(JSON.parse(t2.out()).data.closures, { late: 0, closed: 0 });
    assert.doesNotMatch(t2.err(), /never read in/);
  });

  it('train fills the rows a file lost on its clock (--fill-missed) and backtest fills them the same way, scoring no window that forecasts one', async () => {
    const rows = ['time,load'];
    const lost = (i: number): boolean => i > 20 && i % 11 === 0;
    for (let i = 0; i < 24 * 30; i++) if (!lost(i)) rows.push(`${new Date(Date.UTC(2026, 0, 5) + i * 3_600_000).toISOString()},${(50 + 10 * Math.sin((2 * Math.PI * i) / 24)).toFixed(3)}`);
    const file = join(dir(), 'lossy.csv');
    await writeFile(file, rows.join('\n') + '\n');
    const t = captureIo();
    const out = join(dir(), 'lossy');
    assert.equal(await runCli(['train', '--data', file, '--arch', 'linear', '--window', '24', '--horizon', '6', '--out', out], t), 0, t.err());
    const res = JSON.parse(t.out());
    const expected = Array.from({ length: 24 * 30 }, (_, i) => i).filter(lost).length - 3; // the first three come before the clock is learned
    assert.equal(res.data.filledRows, expected);
    assert.equal(res.data.fillMissed, 8);
    assert.match(t.err(), new RegExp(`; ${expected} rows the file lost on its clock filled in \\(--fill-missed 8\\)`));
    const b = captureIo();
    assert.equal(await runCli(['backtest', '--data', file, '--model', out], b), 0, b.err());
    const bt = JSON.parse(b.out());
    assert.equal(bt.filledRows, expected);
    assert.match(b.err(), /rows the file lost filled in as in training \(a window forecasting one is not scored\)/);
    const testRows = bt.split.testRows;
    assert.ok(bt.windows < testRows - 24 - 6 + 1 && bt.windows > 0, `scored ${bt.windows} of ${testRows - 24 - 6 + 1} test windows`);
    // --fill-missed 0: rows as they came.
    const t0 = captureIo();
    assert.equal(await runCli(['train', '--data', file, '--arch', 'linear', '--window', '24', '--horizon', '6', '--fill-missed', '0', '--out', join(dir(), 'lossy0')], t0), 0, t0.err());
    assert.equal(JSON.parse(t0.out()).data.filledRows, 0);
  });

  it('refuses to overwrite a non-empty --out without --force; backtest of a missing or corrupt model dir', async () => {
    const out = join(dir(), 'lin2');
    const args = ['train', '--data', fixture('five-minute.csv'), '--arch', 'linear', '--window', '24', '--horizon', '6', '--out', out];
    assert.equal(await runCli(args, captureIo()), 0);
    const again = captureIo();
    assert.equal(await runCli(args, again), 64);
    assert.match(again.err(), /exists and is not empty; .* --force/);
    assert.equal(await runCli([...args, '--force'], captureIo()), 0);

    const missing = captureIo();
    assert.equal(await runCli(['backtest', '--data', fixture('five-minute.csv'), '--model', join(dir(), 'none')], missing), 66);
    assert.match(missing.err(), /no model directory at .*tickcast train/);

    const empty = join(dir(), 'empty');
    await mkdir(empty);
    const none = captureIo();
    assert.equal(await runCli(['backtest', '--data', fixture('five-minute.csv'), '--model', empty], none), 78);
    assert.match(none.err(), /holds no model \(model.json or linear-baseline.json\); train one/);

    await writeFile(join(out, 'linear-baseline.json'), '{"format":"tickcast-linear-baseline","formatVersion":1,"model":{"weights":[1]}}');
    const corrupt = captureIo();
    assert.equal(await runCli(['backtest', '--data', fixture('five-minute.csv'), '--model', out], corrupt), 78);
    assert.match(corrupt.err(), /inconsistent .* \[TC_MODEL_ARTIFACT_CORRUPT\]/);
  });

  it('bin/tickcast.js runs as a process: JSON on stdout, exit code from the error', async () => {
    const trained = await runTickcast(['train', '--data', fixture('five-minute.csv'), '--arch', 'linear', '--window', '24', '--horizon', '6', '--out', join(dir(), 'proc')], { env: process.env });
    assert.equal(trained.code, 0, trained.stderr);
    assert.equal(JSON.parse(trained.stdout).spec.window, 24);
    const usage = await runTickcast(['backtest'], { env: process.env });
    assert.equal(usage.code, 64);
    assert.match(usage.stderr, /--data is required/);
  });
});
