/**
 * An OECD SDMX-CSV download carries constant attribute columns beside OBS_VALUE (UNIT_MULT 0,
 * DECIMALS 1). Until 7 Dec 2026 `train` made them default features, so the model asked every tick
 * for them (docs/cli.md § train, src/data/constant-columns.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsvText } from '../../../src/data/csv.ts';
import { selectColumns } from '../../../src/data/table.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

const MONTHS = 72;

function oecd(): string {
  const lines = ['STRUCTURE,STRUCTURE_ID,ACTION,REF_AREA,FREQ,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MULT,DECIMALS'];
  for (let m = 0; m < MONTHS; m++) {
    const period = `${2018 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
    lines.push(`DATAFLOW,OECD.SDD.TPS:DSD_LFS@DF_IALFS_UNE_M(1.0),I,GBR,M,${period},${(4 + Math.sin(m / 5)).toFixed(1)},A,0,1`);
  }
  return lines.join('\n') + '\n';
}

describe('constant columns are not default features', () => {
  withoutTickcastEnv();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tickcast-const-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('train on an OECD download reads OBS_VALUE alone, says which columns it left out, and backtest reads the file with that model', async () => {
    const data = join(dir, 'oecd.csv');
    await writeFile(data, oecd());
    const io = captureIo();
    assert.equal(await runCli(['train', '--arch', 'linear', '--data', data, '--out', join(dir, 'm'), '--window', '12', '--horizon', '3'], io), 0, io.err());
    assert.deepEqual(JSON.parse(io.out()).spec.features, ['OBS_VALUE']);
    assert.match(io.err(), /train: .*oecd\.csv: 2 columns hold one value throughout, not read as features \(nothing to learn from it\): UNIT_MULT \(0\), DECIMALS \(1\)/);

    const bt = captureIo();
    assert.equal(await runCli(['backtest', '--model', join(dir, 'm'), '--data', data], bt), 0, bt.err());
    assert.doesNotMatch(bt.err(), /one value throughout/);
  });

  it('named in --features a constant column is read as before; a constant last column is not the default target', () => {
    const rows = Array.from({ length: 10 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')},${i},${i * 2},7`).join('\n');
    const csv = (): ReturnType<typeof parseCsvText> => parseCsvText(`date,load,temp,flag\n${rows}\n`);
    const auto = selectColumns(csv());
    assert.deepEqual([auto.features, auto.targets], [['load', 'temp'], ['temp']]);
    assert.match(auto.constantNote ?? '', /column holds one value throughout.*: flag \(7\)/);
    const named = selectColumns(csv(), { features: ['load', 'flag'] });
    assert.deepEqual([named.features, named.targets, named.constantNote], [['load', 'flag', 'temp'], ['temp'], undefined]);
  });
});
