/**
 * A Deutsche Bundesbank time series download as it comes: the header's first cell empty
 * (`;BBK01.WT5511;BBK01.WT5511_FLAGS`), metadata rows below it as wide as the data (title, unit,
 * last update), `.` for no value, decimal commas, a source line at the end. Until 7 Dec 2026 exit 65
 * "the header row has an empty column name" (docs/cli.md § Data files).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

const ROWS = 400;
const NO_VALUE = new Set([50, 51, 200]);

function bundesbank(): string {
  const lines = [
    ';BBK01.WT5511;BBK01.WT5511_FLAGS',
    ';Goldpreis in London / Vormittagsfixing / 1 Unze Feingold = USD;',
    'Einheit;USD;',
    'Dimension;Eins;',
    'Stand vom;2024-05-01 10:00:00;',
    'Quellenverweis;Bundesbank;',
  ];
  for (let i = 0; i < ROWS; i++) {
    const day = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${day};${NO_VALUE.has(i) ? '.' : (1500 + i * 0.5 + (i % 7) * 3).toFixed(2).replace('.', ',')};`);
  }
  lines.push('Quelle: Deutsche Bundesbank;;');
  return lines.join('\n') + '\n';
}

describe('a Bundesbank download', () => {
  withoutTickcastEnv();
  let dir: string;
  let data: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-bbk-'));
    data = join(dir, 'BBK01.WT5511.csv');
    await writeFile(data, bundesbank());
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("trains and detects: the unnamed first column is the time, the metadata rows are skipped and said, '.' is a missing reading", async () => {
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'm'), '--window', '14', '--horizon', '7'], io), 0, io.err());
    const trained = JSON.parse(io.out());
    assert.equal(trained.data.rows, ROWS);
    assert.equal(trained.missing.cells, 3);
    assert.match(io.err(), /5 rows below the header not read \(metadata above the first time: .*read as "timestamp"\); the first, line 2: ;Goldpreis/);
    assert.match(io.err(), /features \[BBK01\.WT5511\]/);

    const out = join(dir, 'r.csv');
    const det = captureIo();
    assert.equal(await runCli(['detect', '--data', data, '--value-col', 'BBK01.WT5511', '--model', join(dir, 'm'), '--out', out], det), 0, det.err());
    const result = JSON.parse(det.out());
    assert.deepEqual([result.rows, result.missing, result.refused], [ROWS, 3, 0]);
    assert.match(det.err(), /5 rows below the header not read/);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    assert.equal(lines[51], '2020-02-20,.,0', "the '.' written back as the file has it");
  });

  it('a header with an empty name elsewhere is refused as before', async () => {
    const bad = join(dir, 'bad.csv');
    await writeFile(bad, 'date;;b\n2020-01-01;1;2\n');
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', bad, '--out', join(dir, 'b')], io), 65);
    assert.match(io.err(), /the header row has an empty column name/);
  });
});
