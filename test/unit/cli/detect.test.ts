/**
 * `tickcast detect` end to end: a NAB-format CSV through the service's codec, window store,
 * micro-batcher, model (the shipped pretrained one) and detector, results CSV out.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectThroughPipeline } from '../../../src/cli/detect.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { splitCsvLine } from '../../../src/data/csv.ts';
import { parseDataCsv, parseResultsCsv } from '../../../src/eval/nab/io.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

const ROWS = 1200;
const SPIKE = 1000;
const DUPLICATE = 500;

/**
 * A half-hourly daily cycle with a little deterministic noise, one spike, and one row that repeats
 * the previous timestamp with a wild value: accepted, it would be the top score; the window store
 * drops it (duplicatePolicy 'drop'), so it scores 0.
 */
function csv(stampOf: (ms: number) => string = nab): string {
  const t0 = Date.UTC(2024, 0, 1);
  const stamp = (i: number): string => stampOf(t0 + i * 1_800_000);
  const lines = ['timestamp,value'];
  for (let i = 0; i < ROWS; i++) {
    const v = i === DUPLICATE ? 5000 : 100 + 20 * Math.sin((2 * Math.PI * i) / 48) + 2 * Math.sin(i * 12.9898) + (i === SPIKE ? 150 : 0);
    lines.push(`${stamp(i === DUPLICATE ? i - 1 : i)},${v.toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

/** NAB's own form: naive "YYYY-MM-DD HH:MM:SS", UTC. */
function nab(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}

/** The same instants in the other forms `train` reads. */
const FORMS: Record<string, (ms: number) => string> = {
  isoZ: (ms) => new Date(ms).toISOString().replace('.000Z', 'Z'),
  isoOffset: (ms) => new Date(ms + 2 * 3_600_000).toISOString().replace('.000Z', '+02:00'),
  epochSeconds: (ms) => String(ms / 1000),
  epochMs: (ms) => String(ms),
};

describe('tickcast detect', () => {
  let dir: string;
  // `detect` reads the service configuration from the environment like the service does; the
  // test runner's own TICKCAST_* variables (e.g. the local broker's) are not settings of it.
  withoutTickcastEnv();
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-detect-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('scores every row causally through the service path: the spike is the top score, a refused row 0', async () => {
    const data = join(dir, 'series.csv');
    const out = join(dir, 'results.csv');
    await writeFile(data, csv());
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', out], io), 0, io.err());
    const summary = JSON.parse(io.out()) as { rows: number; out: string; model: string; maxScore: number };
    assert.equal(summary.rows, ROWS);
    assert.equal(summary.out, out);
    assert.ok(summary.model.length > 0);
    const { timestamps, scores } = parseResultsCsv(await readFile(out, 'utf8'));
    assert.equal(timestamps.length, ROWS);
    assert.equal(scores.length, ROWS);
    for (const s of scores) assert.ok(s >= 0 && s < 1, `score ${s} outside [0, 1)`);
    assert.equal(scores[DUPLICATE], 0);
    // The learning period never alerts.
    assert.equal(Math.max(...scores.slice(0, 150)), 0);
    const top = scores.indexOf(Math.max(...scores));
    // Exactly the spike row: scores stay aligned with rows across the dropped one (never-seen level: scored at once).
    assert.equal(top, SPIKE);
    assert.ok(scores[top] >= 0.5, `spike scored ${scores[top]}`);
    assert.equal(summary.maxScore, scores[top]);
    // ... and the refused row is reported, with its file line and why.
    assert.match(io.err(), /the service refused 1 of 1200 rows \(scored 0 in the results\): line 502: duplicate: same timestamp as an earlier row/);
  });

  it('streams: results are written while the input is still arriving (a pipe), and match a whole-file run byte for byte', { skip: process.platform === 'win32' }, async () => {
    // Before: the whole file was read into memory (528 MB at 200,000 rows) and scored before a
    // byte was written, so nothing appeared until the pipe was closed.
    const text = csv();
    const lines = [...text.trim().split('\n'), ...csv().trim().split('\n').slice(1).map((l) => l.replace(/^2024-01/, '2024-03'))];
    const fifo = join(dir, 'rows.fifo');
    execFileSync('mkfifo', [fifo]);
    const outDir = join(dir, 'streamed');
    const io = captureIo();
    const running = runCli(['detect', '--data', fifo, '--out', join(outDir, 'results.csv'), '--chunk', '64'], io);
    const writer = createWriteStream(fifo);
    writer.write(lines.slice(0, 1800).join('\n') + '\n');
    // Some results reach the (temporary) results file before the rest of the input is written.
    const deadline = Date.now() + 60_000;
    let written = 0;
    while (written <= 100 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const tmp = (await readdir(outDir).catch(() => [])).find((f) => f.startsWith('.results.csv.tmp-'));
      written = tmp ? (await stat(join(outDir, tmp)).catch(() => ({ size: 0 }))).size : 0;
    }
    writer.end(lines.slice(1800).join('\n') + '\n');
    assert.equal(await running, 0, io.err());
    assert.ok(written > 100, `results written while the input was open: ${written} bytes`);
    assert.equal(JSON.parse(io.out()).rows, lines.length - 1);
    const whole = join(dir, 'whole.csv');
    await writeFile(whole, lines.join('\n') + '\n');
    const w = captureIo();
    assert.equal(await runCli(['detect', '--data', whole, '--out', join(dir, 'r-whole.csv'), '--chunk', '64'], w), 0, w.err());
    assert.equal(await readFile(join(outDir, 'results.csv'), 'utf8'), await readFile(join(dir, 'r-whole.csv'), 'utf8'));
    assert.deepEqual(await readdir(outDir), ['results.csv'], 'no temporary file left');
  });

  it('a bad cell found part-way stops the run: exit 65 with its line, no results file, no temporary file', async () => {
    const lines = csv().split('\n');
    lines[900] = lines[900].replace(/,.*$/, ',n.a.');
    const data = join(dir, 'late-bad.csv');
    await writeFile(data, lines.join('\n'));
    const outDir = join(dir, 'late-bad');
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(outDir, 'r.csv')], io), 65);
    assert.match(io.err(), /^tickcast detect: .*late-bad\.csv:901: column "value" has "n\.a\.", not a number \[TC_DATA_NOT_NUMERIC\]\n$/);
    assert.equal(io.out(), '');
    assert.deepEqual(await readdir(outDir).catch(() => []), []);
  });

  it('the bench path (detectThroughPipeline) scores the same rows the same way, and passes detector overrides to the service scorer', async () => {
    const rows = parseDataCsv(csv());
    const plain = await detectThroughPipeline(rows, 'bench');
    assert.equal(plain.indexOf(Math.max(...plain)), SPIKE);
    const silent = await detectThroughPipeline(rows, 'bench', { learningTicks: ROWS });
    assert.equal(Math.max(...silent), 0, 'a learning period as long as the file: nothing scored');
  });

  it('reads timestamps as train does: ISO with Z or an offset, epoch s and ms score exactly as NAB\'s form', async () => {
    const base = join(dir, 'nab-form.csv');
    await writeFile(base, csv());
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', base, '--out', join(dir, 'r-nab.csv')], io), 0, io.err());
    const expected = parseResultsCsv(await readFile(join(dir, 'r-nab.csv'), 'utf8')).scores;
    assert.ok(Math.max(...expected) >= 0.5);
    for (const [name, form] of Object.entries(FORMS)) {
      const data = join(dir, `${name}.csv`);
      const out = join(dir, `r-${name}.csv`);
      await writeFile(data, csv(form));
      const run = captureIo();
      assert.equal(await runCli(['detect', '--data', data, '--out', out], run), 0, run.err());
      assert.equal(JSON.parse(run.out()).refused, 1, `${name}: only the duplicate row is refused`);
      assert.deepEqual(parseResultsCsv(await readFile(out, 'utf8')).scores, expected, name);
    }
  });

  it('reports rows with timestamps it cannot read; all unreadable: exit 65 naming the file, nothing written', async () => {
    const some = join(dir, 'some-bad.csv');
    const lines = csv().split('\n');
    for (const l of [10, 20, 30, 40, 50, 60, 70]) lines[l - 1] = lines[l - 1].replace(/^[^,]+/, '07/01/2014 00:00');
    await writeFile(some, lines.join('\n'));
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', some, '--out', join(dir, 'r-some.csv')], io), 0, io.err());
    assert.equal(JSON.parse(io.out()).refused, 8);
    assert.match(io.err(), /some-bad\.csv: the service refused 8 of 1200 rows .*: line 10: timestamp "07\/01\/2014 00:00" is not "YYYY-MM-DD HH:MM:SS", ISO-8601 or epoch seconds\/ms; line 20: .*; 3 more\n$/);

    const all = join(dir, 'all-bad.csv');
    await writeFile(all, 'timestamp,value\n07/01/2014 00:00,1\n07/01/2014 00:30,2\n');
    const bad = captureIo();
    assert.equal(await runCli(['detect', '--data', all, '--out', join(dir, 'r-all.csv')], bad), 65);
    assert.match(bad.err(), /all-bad\.csv: the service refused 2 of 2 rows.*nothing was scored, so no results were written \[TC_DATA_BAD_TIME\]/);
    assert.equal(bad.out(), '');
    await assert.rejects(stat(join(dir, 'r-all.csv')));
  });

  it('a refused row whose timestamp holds a comma or a quote is written quoted: every results row reads back as 3 cells; late rows and refused values are named', async () => {
    const odd = join(dir, 'odd.csv');
    const lines = csv().split('\n');
    lines[10] = '"Jan 1, 2024",101.5';
    lines[11] = '"say ""hi""",102.5';
    [lines[20], lines[21]] = [lines[21], lines[20]]; // one row out of time order: the second of the pair is late
    lines[30] = lines[30].replace(/,.*/, ',1e300');
    await writeFile(odd, lines.join('\n'));
    const out = join(dir, 'r-odd.csv');
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', odd, '--out', out], io), 0, io.err());
    const results = (await readFile(out, 'utf8')).trim().split('\n');
    assert.equal(results.length, ROWS + 1);
    for (const row of results) assert.equal(splitCsvLine(row).length, 3, row);
    assert.deepEqual(splitCsvLine(results[10]), ['Jan 1, 2024', '101.5', '0']);
    assert.deepEqual(splitCsvLine(results[11]), ['say "hi"', '102.5', '0']);
    assert.match(io.err(), /line 22: late: .*\(timestamp "[^"]+", value [\d.]+\)/);
    assert.match(io.err(), /line 31: dead-lettered: TC_RECORD_BAD_VALUE \(timestamp "[^"]+", value 1e\+300\)/);
    assert.match(io.err(), /; 1 of them are late \(a time before an earlier row's\): sort the file by time to score them\n$/);
  });

  it('user files refused before the model loads, exit 65 naming line and value: no header row, a 0x number, a header that is not UTF-8', async () => {
    const cases: Array<[string, string | Buffer, RegExp]> = [
      ['nohdr.csv', '2024-01-01 00:00:00,50.5\n2024-01-01 00:05:00,51\n', /nohdr\.csv:1: the first line "2024-01-01 00:00:00,50\.5" holds values, not column names: the file has no header row.* \[TC_DATA_MALFORMED\]/],
      ['hex.csv', 'timestamp,value\n2024-01-01 00:00:00,0x10\n', /hex\.csv:2: column "value" has "0x10", not a number; numbers are read in decimal only .*\[TC_DATA_NOT_NUMERIC\]/],
      ['latin1.csv', Buffer.from('timestamp,valeur\xe9\n2024-01-01 00:00:00,1\n', 'latin1'), /latin1\.csv: no column named "value" .*; column "valeur\ufffd" holds bytes that are not UTF-8 .*save the file as UTF-8.*\[TC_DATA_COLUMN_MISSING\]/],
    ];
    for (const [name, text, message] of cases) {
      await writeFile(join(dir, name), text);
      const io = captureIo();
      assert.equal(await runCli(['detect', '--data', join(dir, name), '--out', join(dir, `r-${name}`)], io), 65, name);
      assert.match(io.err(), message);
      assert.equal(io.out(), '');
    }
  });

  it('a header-only file is TC_DATA_TOO_SHORT (exit 65), as for train', async () => {
    const hdr = join(dir, 'hdr.csv');
    await writeFile(hdr, 'timestamp,value\n');
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', hdr, '--out', join(dir, 'r-hdr.csv')], io), 65);
    assert.match(io.err(), /hdr\.csv: no data rows after the header \[TC_DATA_TOO_SHORT\]/);
  });

  it('--data a missing file or a directory: exit 66 TC_DATA_UNREADABLE saying why in words, not Node\'s ENOENT text (until 7 Dec 2026)', async () => {
    for (const [data, why] of [[join(dir, 'missing.csv'), 'no such file'], [dir, 'is a directory']]) {
      const io = captureIo();
      assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r-missing.csv')], io), 66, io.err());
      assert.equal(io.err(), `tickcast detect: cannot read CSV file ${JSON.stringify(data)} (${why}); check the path given to --data [TC_DATA_UNREADABLE]\n`);
    }
  });

  it('--out a directory: exit 73 before any work, no stack trace', async () => {
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', join(dir, 'nope.csv'), '--out', dir], io), 73);
    assert.match(io.err(), /^tickcast detect: --out .* is a directory; give a file path .*\[TC_CLI_CANNOT_CREATE\]\n$/);
  });

  it('--model opens a train --out model or a checkpoint store read-only and uses it; missing 66, no model 78, nothing written', async () => {
    const data = join(dir, 'm.csv');
    await writeFile(data, csv().split('\n').filter((_, i) => i !== DUPLICATE + 1).join('\n')); // train refuses the duplicate row
    const model = join(dir, 'lin');
    const t = captureIo();
    assert.equal(await runCli(['train', '--data', data, '--arch', 'linear', '--window', '48', '--horizon', '1', '--out', model], t), 0, t.err());
    const before = await readdir(model);
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r-m.csv'), '--model', model], io), 0, io.err());
    const res = JSON.parse(io.out()) as { model: string; modelDir: string };
    assert.match(res.model, /^linear-/);
    assert.equal(res.modelDir, model);
    assert.deepEqual(await readdir(model), before, 'detect writes nothing into --model');
    // docs/cli.md: by the detector's defaults (modelWeight 0) the model's forecast does not enter the scores.
    const shipped = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r-d.csv')], shipped), 0, shipped.err());
    const scoresIn = async (f: string) => parseResultsCsv(await readFile(join(dir, f), 'utf8')).scores;
    assert.deepEqual(await scoresIn('r-m.csv'), await scoresIn('r-d.csv'), 'the linear model and the shipped one score alike');

    const store = join(dir, 'store');
    await mkdir(store);
    await cp(model, join(store, 'v3'), { recursive: true });
    await mkdir(join(store, 'v7')); // an incomplete version: skipped, as the service skips it
    const st = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r-s.csv'), '--model', store], st), 0, st.err());
    assert.equal(JSON.parse(st.out()).modelDir, join(store, 'v3'));
    assert.deepEqual((await readdir(store)).sort(), ['v3', 'v7']);

    const missing = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r-x.csv'), '--model', join(dir, 'no-such')], missing), 66);
    assert.match(missing.err(), /no model directory at .*no-such.* \[TC_MODEL_NOT_LOADED\]/);
    await assert.rejects(stat(join(dir, 'no-such')), 'not created');
    const notes = join(dir, 'notes');
    await mkdir(notes);
    await writeFile(join(notes, 'notes.txt'), 'x');
    const none = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--out', join(dir, 'r-y.csv'), '--model', notes], none), 78);
    assert.match(none.err(), /holds no model .*\[TC_MODEL_ARTIFACT_CORRUPT\]/);
    assert.deepEqual(await readdir(notes), ['notes.txt']);
  });

  it('needs --data and --out (exit 64)', async () => {
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', join(dir, 'series.csv')], io), 64);
    assert.match(io.err(), /--out is required/);
  });
});
