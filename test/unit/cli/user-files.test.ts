/**
 * The command line as a new user meets it: their own files (long ones, odd paths) and mistakes.
 * Each case failed before the fix named in its title (a crash with exit 1 and a stack trace, or an
 * output left half-written).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, TickcastError } from '../../../src/errors/index.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';
import { cliArgv, runTickcast, spawnCollect, startTickcast, type Exited } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

/** `rows` minutely rows of `timestamp,value` (NAB's form), a slow sine. */
function series(rows: number): string {
  const t0 = Date.UTC(2024, 0, 1);
  const lines = ['timestamp,value'];
  for (let i = 0; i < rows; i++) lines.push(`${new Date(t0 + i * 60_000).toISOString().replace('T', ' ').slice(0, 19)},${(10 + Math.sin(i / 40)).toFixed(3)}`);
  return lines.join('\n') + '\n';
}

/**
 * Run bin/tickcast.js as a process; `nodeArgs` go to node itself. With `fileSizeKiB` it runs under
 * that file-size limit (`ulimit -f`, SIGXFSZ ignored so a write past it fails with EFBIG): a disk
 * that fills up part-way through a write.
 */
function spawnCli(args: readonly string[], nodeArgs: readonly string[] = [], fileSizeKiB?: number): Promise<Exited> {
  if (fileSizeKiB === undefined) return runTickcast(args, { nodeArgs });
  return spawnCollect('bash', ['-c', `ulimit -f ${fileSizeKiB}; trap '' XFSZ; exec "$@"`, 'tickcast', ...cliArgv(args, nodeArgs)]).exited;
}

describe('tickcast with a user\'s own files', () => {
  withoutTickcastEnv(); // detect reads the service configuration from the environment
  const dir = tempDirPerSuite('tickcast-user-');

  it('detect on a long file: maxScore is found without spreading every score onto the call stack', async () => {
    // Math.max(...scores) overflowed node's default stack past ~125,000 rows, after the whole run,
    // with exit 1. A smaller stack shows the same at 12,000 rows, which a test can afford.
    const data = join(dir(), 'long.csv');
    await writeFile(data, series(12_000));
    const r = await spawnCli(['detect', '--data', data, '--out', join(dir(), 'long-results.csv'), '--chunk', '2048'], ['--stack-size=100']);
    assert.equal(r.code, 0, r.stderr);
    const res = JSON.parse(r.stdout) as { rows: number; maxScore: number };
    assert.equal(res.rows, 12_000);
    assert.ok(res.maxScore >= 0 && res.maxScore <= 1, `maxScore ${res.maxScore}`);
  });

  it('backtest --plot with a long --plot-rows: the plot is drawn, not a stack overflow', async () => {
    const data = join(dir(), 'plot.csv');
    await writeFile(data, series(50_000));
    const model = join(dir(), 'plot-model');
    const t = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--window', '24', '--horizon', '1', '--split', '0.1,0.1,0.8', '--data', data, '--out', model], t), 0, t.err());
    const png = join(dir(), 'plot.png');
    const io = captureIo();
    assert.equal(await runCli(['backtest', '--data', data, '--model', model, '--plot', png, '--plot-rows', '40000'], io), 0, io.err());
    assert.ok((await stat(png)).size > 0);
    assert.equal(JSON.parse(io.out()).plot, png);
    assert.deepEqual([...(await readFile(png)).subarray(1, 4)], [...Buffer.from('PNG')]);
  });

  it('an empty path flag (`--out ""`, an unset shell variable) is a usage error before any work', async () => {
    // Before: train trained the model and then failed renaming it to "" (exit 1, a stack trace);
    // detect scored the whole file and then failed to open "".
    const data = join(dir(), 'short.csv');
    await writeFile(data, series(600));
    for (const argv of [
      ['train', '--arch', 'linear', '--window', '24', '--horizon', '1', '--data', data, '--out', ''],
      ['detect', '--data', data, '--out', ' '],
      ['backtest', '--data', data, '--model', ''],
      ['train', '--data', '', '--out', join(dir(), 'never')],
    ]) {
      const io = captureIo();
      assert.equal(await runCli(argv, io), 64, `${argv.join(' ')}: ${io.err()}`);
      assert.match(io.err(), /^tickcast \w+: --(out|model|data) must not be empty .*\[TC_CLI_USAGE\]\n$/);
      assert.doesNotMatch(io.err(), /^train: |\n\s+at /m, 'no work started, no stack trace');
      assert.equal(io.out(), '');
    }
    await assert.rejects(stat(join(dir(), 'never')));
  });

  it('a write that fails part-way (disk full, a size limit) leaves the earlier output whole: exit 73, no stack trace', { skip: process.platform === 'win32' }, async () => {
    // Before: detect wrote --out in place, so the earlier results were cut off mid-row at the limit
    // (exit 1, a stack trace); train's model folder was kept but the failure was exit 1 with a stack trace.
    const data = join(dir(), 'full.csv');
    await writeFile(data, series(600));
    const results = join(dir(), 'earlier-results.csv');
    const earlier = 'timestamp,value,anomaly_score\n' + '2023-01-01 00:00:00,1,0\n'.repeat(1000);
    await writeFile(results, earlier);
    const d = await spawnCli(['detect', '--data', data, '--out', results], [], 8);
    assert.equal(d.code, 73, d.stderr);
    assert.match(d.stderr, /^tickcast detect: --out .*earlier-results\.csv: cannot write it: EFBIG.*the file there is as it was.*\[TC_CLI_CANNOT_CREATE\]\n$/);
    assert.equal(d.stdout, '');
    assert.equal(await readFile(results, 'utf8'), earlier, 'the earlier results are whole');

    const model = join(dir(), 'full-model');
    const t = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--window', '24', '--horizon', '1', '--data', data, '--out', model], t), 0, t.err());
    const before = await readFile(join(model, 'linear-baseline.json'), 'utf8');
    const r = await spawnCli(['train', '--arch', 'linear', '--window', '240', '--horizon', '24', '--data', data, '--out', model, '--force'], [], 8);
    assert.equal(r.code, 73, r.stderr);
    assert.match(r.stderr, /\ntickcast train: --out .*full-model: cannot write the model: EFBIG.*\[TC_CLI_CANNOT_CREATE\]\n$/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(await readFile(join(model, 'linear-baseline.json'), 'utf8'), before, 'the earlier model is kept');
    assert.deepEqual((await readdir(dir())).filter((f) => f.includes('.tmp-')), [], 'no temporary file is left behind');
  });

  it('Ctrl-C (delivered twice, as under npx) stops train: exit 130, TC_CLI_INTERRUPTED, no model written', { skip: process.platform === 'win32' }, async () => {
    // Before: the first SIGINT was caught and ignored by everything but a hybrid fit, so a linear
    // train (or detect, or reading a long file) ran on and wrote its output, exit 0.
    const data = join(dir(), 'ctrl-c.csv');
    await writeFile(data, series(30_000));
    const out = join(dir(), 'ctrl-c-model');
    const { child, exited } = startTickcast(['train', '--arch', 'linear', '--window', '96', '--horizon', '24', '--data', data, '--out', out]);
    // Sent once the file is read and the fit (a second or more of synchronous work) has begun.
    let seen = '';
    child.stderr!.on('data', (b: Buffer) => {
      if (seen.includes('train: ')) return;
      if ((seen += b).includes('train: ')) {
        // One Ctrl-C under npx / npm run arrives twice, ~10 ms apart (terminal and npm): still one clean stop.
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 10);
      }
    });
    const { code, stdout, stderr } = await exited;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /\ntickcast train: interrupted by SIGINT; stopped without writing any output .*\[TC_CLI_INTERRUPTED\]\n$/);
    assert.equal(stdout, '');
    await assert.rejects(stat(out), 'no model');
    assert.deepEqual((await readdir(dir())).filter((f) => f.includes('.tmp-')), []);
  });

  it('Ctrl-C during a long linear fit stops it at once: exit 130, no model, not when the fit ends', { skip: process.platform === 'win32' }, async () => {
    // Before: the fit ran synchronously to its end (here about a minute of work) and only then
    // saw the Ctrl-C; now it gives the event loop a turn every ~50 ms of work.
    const data = join(dir(), 'long-fit.csv');
    await writeFile(data, series(30_000));
    const out = join(dir(), 'long-fit-model');
    // ~19,000 windows of 2,001 × 2,001 products each: tens of seconds of fit on any machine.
    const { child, exited } = startTickcast(['train', '--arch', 'linear', '--window', '2000', '--horizon', '24', '--data', data, '--out', out]);
    let seen = '';
    let sentAt = 0;
    child.stderr!.on('data', (b: Buffer) => {
      seen += b;
      if (sentAt === 0 && seen.includes('train: ')) {
        sentAt = -1;
        // Well into the fit (it starts right after that line).
        setTimeout(() => {
          sentAt = Date.now();
          child.kill('SIGINT');
        }, 1000);
      }
    });
    const { code, stderr } = await exited;
    const took = Date.now() - sentAt;
    assert.equal(code, 130, stderr);
    assert.match(stderr, /\ntickcast train: interrupted by SIGINT; stopped without writing any output .*\[TC_CLI_INTERRUPTED\]\n$/);
    assert.ok(took < 5000, `stopped ${took} ms after the Ctrl-C`);
    await assert.rejects(stat(out), 'no model');
  });

  it('an aborted signal stops detect between chunks: exit 130, no results file', async () => {
    const data = join(dir(), 'abort.csv');
    await writeFile(data, series(20_000));
    const out = join(dir(), 'abort-results.csv');
    const controller = new AbortController();
    const io = { ...captureIo(), signal: controller.signal };
    const timer = setTimeout(() => controller.abort(new TickcastError(ErrorCodes.CLI_INTERRUPTED, 'interrupted by SIGINT', { details: { signal: 'SIGINT' } })), 300);
    const code = await runCli(['detect', '--data', data, '--out', out, '--chunk', '64'], io);
    clearTimeout(timer);
    assert.equal(code, 130, io.err());
    assert.match(io.err(), /^tickcast detect: interrupted by SIGINT \[TC_CLI_INTERRUPTED\]\n$/);
    await assert.rejects(stat(out));
  });

  it('detect reads a header of other names: Timestamp/Value in any case, other names with --time-col and --value-col', async () => {
    // Before: only a header with exactly "timestamp" and "value" was read, and no flag could name others.
    const rows = series(300).split('\n').slice(1).join('\n');
    const caps = join(dir(), 'caps.csv');
    await writeFile(caps, 'Timestamp;Value\n' + rows.replaceAll(',', ';'));
    const a = captureIo();
    // Every value has three decimals (10.025: or 10025 with a thousands dot, in a ;-separated file): --decimal says which (since 7 Dec 2026).
    assert.equal(await runCli(['detect', '--data', caps, '--decimal', 'point', '--out', join(dir(), 'caps-results.csv')], a), 0, a.err());
    assert.equal(JSON.parse(a.out()).rows, 300);

    const other = join(dir(), 'other.csv');
    await writeFile(other, 'date,price\n' + rows);
    const b = captureIo();
    assert.equal(await runCli(['detect', '--data', other, '--out', join(dir(), 'other-results.csv')], b), 65);
    assert.match(b.err(), /other\.csv: no column named "timestamp" \(the default; name the column to read with --time-col\); the header has: date, price \[TC_DATA_COLUMN_MISSING\]\n$/);
    const c = captureIo();
    assert.equal(await runCli(['detect', '--data', other, '--out', join(dir(), 'other-results.csv'), '--time-col', 'date', '--value-col', 'price'], c), 0, c.err());
    const results = (await readFile(join(dir(), 'other-results.csv'), 'utf8')).split('\n');
    assert.equal(results[0], 'timestamp,value,anomaly_score', 'the results stay in NAB\'s form');
    assert.equal(results.filter((l) => l !== '').length, 301);
  });

  it('a daily file of compact dates (20240101) trains one row a day and detect scores it (until 7 Dec 2026: 1970, "every 1s", every row refused)', async () => {
    const lines = ['date,value'];
    for (let i = 0; i < 400; i++) lines.push(`${new Date(Date.UTC(2023, 0, 1) + i * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '')},${(50 + 10 * Math.sin((2 * Math.PI * i) / 7)).toFixed(3)}`);
    const data = join(dir(), 'compact.csv');
    await writeFile(data, lines.join('\n') + '\n');
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir(), 'compact-m'), '--window', '28', '--horizon', '7'], io), 0, io.err());
    assert.match(io.err(), /^train: 400 rows every 1d,/);
    assert.equal(JSON.parse(io.out()).data.stepMs, 86_400_000);
    const d = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir(), 'compact-r.csv'), '--time-col', 'date'], d), 0, d.err());
    assert.equal(JSON.parse(d.out()).refused, 0);
  });

  it('a UTF-16 export is named as such, not as a binary file; a decimal-comma export is read', async () => {
    // Before: UTF-16 (Excel's "Unicode Text") was "a binary file, not a text CSV". A semicolon file
    // with decimal commas had "no numeric column" (train) or "not a number" (detect), exit 65, until 7 Dec 2026.
    const text = series(200);
    const utf16 = join(dir(), 'utf16.csv');
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    // Prices with two decimals (10,00), as an Excel export writes them: a comma followed by three
    // digits (10,025) could be a US thousands separator, so a tab file of only those is asked about
    // (below); a ;-separated one is read with decimal commas since 7 Dec 2026 (the ; says the locale).
    const commaText = text.replaceAll(',', ';').replaceAll('.', ',').replace(/(\d,\d\d)\d$/gm, '$1');
    const comma = join(dir(), 'comma.csv');
    await writeFile(comma, commaText);
    const three = join(dir(), 'three.csv');
    await writeFile(three, text.replaceAll(',', ';').replaceAll('.', ','));
    const threeTab = join(dir(), 'three.tsv');
    await writeFile(threeTab, text.replaceAll(',', '\t').replaceAll('.', ','));
    const mixed = join(dir(), 'mixed.csv');
    await writeFile(mixed, commaText.replace('10,02', '10.02'));
    const cases: [string[], number, RegExp][] = [
      [['train', '--arch', 'linear', '--data', utf16, '--out', join(dir(), 'u-m')], 65, /utf16\.csv: the file is UTF-16 text .* save it as "CSV UTF-8".*\[TC_DATA_MALFORMED\]\n$/],
      [['detect', '--data', utf16, '--out', join(dir(), 'u-r.csv')], 65, /utf16\.csv: the file is UTF-16 text .*\[TC_DATA_MALFORMED\]\n$/],
      [['train', '--arch', 'linear', '--window', '24', '--horizon', '6', '--data', comma, '--out', join(dir(), 'c-m')], 0, /^train: 200 rows every 1m, features \[value\]/],
      [['detect', '--data', comma, '--out', join(dir(), 'c-r.csv')], 0, /^(?!.*TC_)/s],
      [['train', '--arch', 'linear', '--data', mixed, '--out', join(dir(), 'x-m')], 65, /mixed\.csv:3: column "value" has "10\.02", a number with a decimal point, but line 2 \(column "value": "10,00"\) has a decimal comma; .*\[TC_DATA_NOT_NUMERIC\]\n$/],
      [['train', '--arch', 'linear', '--window', '24', '--horizon', '6', '--data', three, '--out', join(dir(), 't-auto')], 0, /^train: .*three\.csv:2: no number in the file says which decimal mark it uses; column "value" has "10,000": read as 10\.000, its comma a decimal comma.*\ntrain: 200 rows every 1m, features \[value\]/], // the guess said since 7 Dec 2026
      [['train', '--arch', 'linear', '--data', threeTab, '--out', join(dir(), 't-m')], 65, /three\.tsv:2: column "value" has "10,000", which is 10\.000 with a decimal comma or 10000 with a thousands comma .*give --decimal comma or --decimal point .*\[TC_DATA_NOT_NUMERIC\]\n$/],
      [['train', '--arch', 'linear', '--window', '24', '--horizon', '6', '--decimal', 'comma', '--data', three, '--out', join(dir(), 't-m')], 0, /^train: 200 rows every 1m, features \[value\]/],
      [['detect', '--data', comma, '--decimal', 'dot', '--out', join(dir(), 'd-r.csv')], 64, /--decimal must be auto, comma or point; got "dot" \[TC_CLI_USAGE\]\n$/],
    ];
    for (const [argv, code, message] of cases) {
      const io = captureIo();
      assert.equal(await runCli(argv, io), code, io.err());
      assert.match(io.err(), message);
    }
    assert.equal((await readFile(join(dir(), 'c-r.csv'), 'utf8')).split('\n')[1].split(',')[1], '10', 'detect writes the value read (10,00 → 10)');
  });

  it('a write a device refuses (/dev/full) reads the same from backtest --plot and detect --out: exit 73, one message', { skip: !existsSync('/dev/full') }, async () => {
    // Before: backtest (writeOutputFile) said "the file there is as it was", detect (openOutputFile)
    // "nothing was written", for the same device; neither is what happens to a device.
    const data = join(dir(), 'device.csv');
    await writeFile(data, series(600));
    const model = join(dir(), 'device-model');
    const t = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--window', '24', '--horizon', '1', '--data', data, '--out', model], t), 0, t.err());
    const [png, csv] = [join(dir(), 'device-full.png'), join(dir(), 'device-full.csv')];
    for (const link of [png, csv]) await symlink('/dev/full', link);
    const runs = await Promise.all([
      runTickcast(['backtest', '--data', data, '--model', model, '--plot', png]),
      runTickcast(['detect', '--data', data, '--out', csv]),
    ]);
    const said = runs.map((r) => {
      assert.equal(r.code, 73, r.stderr);
      assert.equal(r.stdout, '');
      return /\ntickcast \w+: --\w+ \S+: cannot write it: ENOSPC\b[^;]*; (.*)\[TC_CLI_CANNOT_CREATE\]\n$/.exec(`\n${r.stderr}`)?.[1];
    });
    assert.equal(said[0], 'it is a device or pipe, written as is: what it took before the failure stays there; free space or give another path ', runs[0].stderr);
    assert.equal(said[1], said[0], runs[1].stderr);
  });
});
