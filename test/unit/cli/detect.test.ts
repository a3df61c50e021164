/**
 * `tickcast detect` end to end: a NAB-format CSV through the service's codec, window store,
 * micro-batcher, model (the shipped pretrained one) and detector, results CSV out.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectThroughPipeline } from '../../../src/cli/detect.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { parseDataCsv, parseResultsCsv } from '../../../src/eval/nab/io.ts';
import { captureIo } from './capture.ts';

const ROWS = 1200;
const SPIKE = 1000;
const DUPLICATE = 500;

/**
 * A half-hourly daily cycle with a little deterministic noise, one spike, and one row that repeats
 * the previous timestamp with a wild value: accepted, it would be the top score; the window store
 * drops it (duplicatePolicy 'drop'), so it scores 0.
 */
function csv(): string {
  const t0 = Date.UTC(2024, 0, 1);
  const stamp = (i: number): string => new Date(t0 + i * 1_800_000).toISOString().replace('T', ' ').slice(0, 19);
  const lines = ['timestamp,value'];
  for (let i = 0; i < ROWS; i++) {
    const v = i === DUPLICATE ? 5000 : 100 + 20 * Math.sin((2 * Math.PI * i) / 48) + 2 * Math.sin(i * 12.9898) + (i === SPIKE ? 150 : 0);
    lines.push(`${stamp(i === DUPLICATE ? i - 1 : i)},${v.toFixed(3)}`);
  }
  return lines.join('\n') + '\n';
}

describe('tickcast detect', () => {
  let dir: string;
  // `detect` reads the service configuration from the environment like the service does; the
  // test runner's own TICKCAST_* variables (e.g. the local broker's) are not settings of it.
  const saved: Record<string, string> = {};
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-detect-'));
    for (const k of Object.keys(process.env)) if (k.startsWith('TICKCAST_')) { saved[k] = process.env[k]!; delete process.env[k]; }
  });
  after(async () => {
    Object.assign(process.env, saved);
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
  });

  it('the bench path (detectThroughPipeline) scores the same rows the same way, and passes detector overrides to the service scorer', async () => {
    const rows = parseDataCsv(csv());
    const plain = await detectThroughPipeline(rows, 'bench');
    assert.equal(plain.indexOf(Math.max(...plain)), SPIKE);
    const silent = await detectThroughPipeline(rows, 'bench', { learningTicks: ROWS });
    assert.equal(Math.max(...silent), 0, 'a learning period as long as the file: nothing scored');
  });

  it('needs --data and --out (exit 64)', async () => {
    const io = captureIo();
    assert.equal(await runCli(['detect', '--data', join(dir, 'series.csv')], io), 64);
    assert.match(io.err(), /--out is required/);
  });
});
