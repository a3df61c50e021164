import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';

const fixture = (name: string): string => new URL(`../../fixtures/${name}`, import.meta.url).pathname;

/** A copy of a fixture with another header line (and, optionally, each row changed). */
async function renamed(dir: string, from: string, name: string, header: string, row: (line: string) => string = (l) => l): Promise<string> {
  const [, ...rows] = (await readFile(fixture(from), 'utf8')).trim().split('\n');
  const path = join(dir, name);
  await writeFile(path, [header, ...rows.map(row)].join('\n') + '\n');
  return path;
}

async function backtest(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runCli(['backtest', ...args], io);
  return { code, out: io.out(), err: io.err() };
}

describe('tickcast backtest: the model\'s features read from columns of other names', () => {
  let dir: string;
  let uni: string;
  let multi: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-cols-'));
    uni = join(dir, 'uni');
    multi = join(dir, 'multi');
    assert.equal(await runCli(['train', '--data', fixture('five-minute.csv'), '--arch', 'linear', '--window', '24', '--horizon', '6', '--out', uni], captureIo()), 0);
    assert.equal(await runCli(['train', '--data', fixture('hourly-demand.csv'), '--arch', 'linear', '--window', '48', '--horizon', '12', '--out', multi], captureIo()), 0);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Before 7 Dec 2026 the quotes were read as part of the name: exit 65, no column named "\"none\"".
  const mapped = [
    { title: 'trained on time,value, backtested on date,price: --col value=price or --value-col price gives the same result', name: 'price.csv', header: 'date,price', column: 'price', maps: [['--col', 'value=price'], ['--value-col', 'price']] },
    { title: '--value-col and --col take a column name in double quotes, as detect --value-col and --time-col do', name: 'quoted.csv', header: 'date,none', column: 'none', maps: [['--value-col', '"none"'], ['--col', 'value="none"']] },
  ];
  for (const { title, name, header, column, maps } of mapped) {
    it(title, async () => {
      const base = await backtest(['--data', fixture('five-minute.csv'), '--model', uni]);
      assert.equal(base.code, 0, base.err);
      const file = await renamed(dir, 'five-minute.csv', name, header);

      const plain = await backtest(['--data', file, '--model', uni, '--time-col', 'date']);
      assert.equal(plain.code, 65);
      assert.equal(plain.out, '');
      assert.ok(plain.err.includes(`${name}: no column named "value" (a column the model reads; map it onto one of this file's columns with --col value=<column>); the header has: date, ${column} [TC_DATA_COLUMN_MISSING]`), plain.err);

      for (const map of maps) {
        const r = await backtest(['--data', file, '--model', uni, '--time-col', 'date', ...map]);
        assert.equal(r.code, 0, r.err);
        const bt = JSON.parse(r.out);
        assert.deepEqual(bt.columns, { value: column });
        assert.deepEqual(bt.metrics, JSON.parse(base.out).metrics);
      }
    });
  }

  it('without --time-col, a file that lacks the model\'s time column is read by its own, found as train finds it', async () => {
    // Before: exit 65, "no column named \"time\"" for a file whose time column is "date", though
    // train and detect find such a column themselves.
    const base = JSON.parse((await backtest(['--data', fixture('five-minute.csv'), '--model', uni])).out);
    const file = await renamed(dir, 'five-minute.csv', 'date-price.csv', 'Date,price');
    const r = await backtest(['--data', file, '--model', uni, '--value-col', 'price']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /backtest: the file has no column "time" \(the model's time column\); reading time from "Date" \(name another with --time-col\)\n/);
    const bt = JSON.parse(r.out);
    assert.equal(bt.timeCol, 'Date');
    assert.deepEqual(bt.metrics, base.metrics);

    // No column of a time name: the message says what was looked for and what to give.
    const other = await renamed(dir, 'five-minute.csv', 'when-price.csv', 'when,price');
    const e = await backtest(['--data', other, '--model', uni, '--value-col', 'price']);
    assert.equal(e.code, 65);
    assert.match(e.err, /when-price\.csv: no column named "time" \(the time column the model was trained with, and the file has no column named date, timestamp, time, datetime, ts, time period \(any case, punctuation and spaces alike\) either; name its time column with --time-col, or --time-col none for rows in file order\); the header has: when, price \[TC_DATA_COLUMN_MISSING\]/);
    const given = await backtest(['--data', other, '--model', uni, '--value-col', 'price', '--time-col', 'when']);
    assert.equal(given.code, 0, given.err);
    assert.deepEqual(JSON.parse(given.out).metrics, base.metrics);
    assert.equal(base.timeCol, 'time', 'the JSON result names the time column read');
  });

  it('a mapped feature reads its column even where the file also has a column of the feature\'s name', async () => {
    const base = JSON.parse((await backtest(['--data', fixture('five-minute.csv'), '--model', uni])).out);
    const file = await renamed(dir, 'five-minute.csv', 'both.csv', 'time,value,price', (l) => `${l.split(',')[0]},n/a,${l.split(',')[1]}`);
    const r = await backtest(['--data', file, '--model', uni, '--col', 'value=price']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out).metrics, base.metrics);
  });

  it('maps every feature of a multivariate model, the target included', async () => {
    const base = await backtest(['--data', fixture('hourly-demand.csv'), '--model', multi]);
    assert.equal(base.code, 0, base.err);
    const file = await renamed(dir, 'hourly-demand.csv', 'renamed.csv', 'ts,site,l,t,d');
    const r = await backtest(['--data', file, '--model', multi, '--time-col', 'ts', '--col', 'load=l', '--col', 'temp_c=t', '--col', 'demand=d']);
    assert.equal(r.code, 0, r.err);
    const bt = JSON.parse(r.out);
    assert.deepEqual(bt.columns, { load: 'l', temp_c: 't', demand: 'd' });
    assert.deepEqual(bt.metrics, JSON.parse(base.out).metrics);

    const missing = await backtest(['--data', file, '--model', multi, '--time-col', 'ts', '--col', 'load=l', '--col', 'demand=d']);
    assert.equal(missing.code, 65);
    assert.match(missing.err, /no column named "temp_c" \(a column the model reads; map it onto one of this file's columns with --col temp_c=<column>\)/);
  });

  it('a mapping that cannot apply is a usage error (64) naming the model\'s features; a column the file lacks is 65', async () => {
    const file = await renamed(dir, 'five-minute.csv', 'price2.csv', 'date,price');
    const cases: Array<[string[], number, RegExp]> = [
      [['--col', 'nope=price'], 64, /--col nope=price: the model has no feature "nope"; the model's features: value \[TC_CLI_USAGE\]/],
      [['--col', 'value'], 64, /--col must be <feature>=<column> .*; got "value"/],
      [['--col', 'value='], 64, /--col must be <feature>=<column>/],
      [['--col', 'value=price', '--col', 'value=date'], 64, /feature "value" is already mapped by --col value=price/],
      [['--col', 'value=price', '--value-col', 'price'], 64, /--value-col and --col/],
      [['--col', 'value=nope'], 65, /price2\.csv: no column named "nope" \(from --col value=nope\); the header has: date, price \[TC_DATA_COLUMN_MISSING\]/],
      [['--value-col', 'nope'], 65, /no column named "nope" \(from --value-col nope\)/],
    ];
    for (const [flags, code, message] of cases) {
      const r = await backtest(['--data', file, '--model', uni, '--time-col', 'date', ...flags]);
      assert.equal(r.code, code, `${flags.join(' ')}: ${r.err}`);
      assert.equal(r.out, '');
      assert.match(r.err, message, flags.join(' '));
    }
    const hourly = fixture('hourly-demand.csv');
    const multiValue = await backtest(['--data', hourly, '--model', multi, '--value-col', 'demand']);
    assert.equal(multiValue.code, 64);
    assert.match(multiValue.err, /--value-col maps the one feature of a univariate model; this model reads 3 features \(load, temp_c, demand\): map them with --col <feature>=<column>/);
    const twice = await backtest(['--data', hourly, '--model', multi, '--col', 'load=demand']);
    assert.equal(twice.code, 64);
    assert.match(twice.err, /features "load" and "demand" would both read column "demand"/);
  });

  it('a value out of a log model\'s domain is named by the file\'s column, not the model\'s feature', async () => {
    // Before: "column \"value\" has 0 ... (--log)" for a file whose column is "price", and a
    // training flag backtest does not have as the reason.
    const logModel = join(dir, 'uni-log');
    assert.equal(await runCli(['train', '--data', fixture('five-minute.csv'), '--arch', 'linear', '--window', '24', '--horizon', '6', '--log', 'targets', '--out', logModel], captureIo()), 0);
    let n = 0;
    const file = await renamed(dir, 'five-minute.csv', 'price-zero.csv', 'date,price', (l) => (++n === 300 ? `${l.split(',')[0]},0` : l));
    const r = await backtest(['--data', file, '--model', logModel, '--time-col', 'date', '--value-col', 'price']);
    assert.equal(r.code, 65, r.err);
    assert.match(r.err, /price-zero\.csv: column "price" \(read as the model's feature "value"\) has 0 at data row 300; the model reads this column as ln\(value\) \(it was trained with --log\), so it must be > 0 and finite everywhere \[TC_DATA_OUT_OF_DOMAIN\]/);
  });

  it('the file is read as train reads it (cells parsed as read, no text kept): which error comes first, and what it says, are as when it was read whole', async () => {
    // 6 Dec 2026: backtest read the whole file as text before mapping its columns; now the
    // mapping is settled from the header and each cell is parsed as its line is read.
    let n = 0;
    const ragged = await renamed(dir, 'five-minute.csv', 'ragged.csv', 'date,price', (l) => (++n === 100 ? `${l},7` : l));
    const first = await backtest(['--data', ragged, '--model', uni, '--time-col', 'date']);
    assert.equal(first.code, 65, first.err);
    assert.match(first.err, /ragged\.csv:101: expected 2 cells like the header, got 3; fix or remove that line/, 'the file\'s own error before the column the mapping misses');
    n = 0;
    const text = await renamed(dir, 'five-minute.csv', 'price-text.csv', 'Date,price', (l) => (++n === 200 ? `${l.split(',')[0]},n.a.` : l));
    const cell = await backtest(['--data', text, '--model', uni, '--value-col', 'price']);
    assert.equal(cell.code, 65, cell.err);
    assert.match(cell.err, /price-text\.csv:201: column "price" has "n\.a\.", not a finite number; fill or drop that row \(the model reads this column\) \[TC_DATA_NOT_NUMERIC\]/);
    n = 0;
    const time = await renamed(dir, 'five-minute.csv', 'bad-date.csv', 'Date,price', (l) => (++n === 50 ? `yesterday,${l.split(',')[1]}` : l));
    const when = await backtest(['--data', time, '--model', uni, '--value-col', 'price']);
    assert.equal(when.code, 65, when.err);
    assert.match(when.err, /bad-date\.csv:51: time column "Date" has "yesterday"; use ISO-8601/, 'the time column found from the header (the model\'s is "time"), as before');
  });

  it('backtest --help lists --col (repeatable) and --value-col', async () => {
    const io = captureIo();
    assert.equal(await runCli(['backtest', '--help'], io), 0);
    assert.match(io.out(), /--col <feature=column>\s+read the model's feature from this file's column of another name.*\(repeatable\)/);
    assert.match(io.out(), /--value-col <column>\s+for a model of one feature/);
  });
});
