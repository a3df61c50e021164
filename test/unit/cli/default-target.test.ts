import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCsvText } from '../../../src/data/csv.ts';
import { selectColumns } from '../../../src/data/table.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { captureIo } from './capture.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

/** `rows` daily rows of a Yahoo Finance download: Date,Open,High,Low,Close,Adj Close,Volume. */
function yahoo(rows: number): string {
  const lines = ['Date,Open,High,Low,Close,Adj Close,Volume'];
  for (let r = 0; r < rows; r++) {
    const p = 100 + 5 * Math.sin(r / 3);
    lines.push(`${new Date(Date.UTC(2024, 0, 1 + r)).toISOString().slice(0, 10)},${p.toFixed(4)},${(p + 1).toFixed(4)},${(p - 1).toFixed(4)},${(p + 0.2).toFixed(4)},${(p + 0.1).toFixed(4)},${1000 + r}`);
  }
  return lines.join('\n') + '\n';
}

describe('the default target (no --target): a column named as a price, else the last numeric column', () => {
  const dir = tempDirPerSuite('tickcast-target-');

  it('a Yahoo Finance file forecasts Adj Close, not Volume', () => {
    const t = selectColumns(parseCsvText(yahoo(3)));
    assert.deepEqual(t.targets, ['Adj Close']);
    assert.deepEqual(t.features, ['Open', 'High', 'Low', 'Close', 'Adj Close', 'Volume']);
  });

  it('close, price and value in any case or spelling; Excel de Schlusskurs', () => {
    const pick = (header: string, row: string): string[] => selectColumns(parseCsvText(`${header}\n${row}\n`)).targets;
    assert.deepEqual(pick('open_time,open,high,low,close,volume', '1700000000000,1,2,0.5,1.5,99'), ['close']);
    assert.deepEqual(pick('time,Price,Qty', '1700000000,1,2'), ['Price']);
    assert.deepEqual(pick('timestamp,value,temp', '1700000000,1,2'), ['value']);
    assert.deepEqual(pick('Datum;Schlusskurs;Umsatz', '01.01.2024;1.234,50;100.000'), ['Schlusskurs']);
    assert.deepEqual(pick('date,Close,Adj_Close,volume', '2024-01-01,1,2,3'), ['Adj_Close']); // Adj Close is preferred to Close
    // An OECD SDMX-CSV download: OBS_VALUE, not the last numeric column, the constant DECIMALS (until 7 Dec 2026)
    const oecd = 'STRUCTURE,STRUCTURE_ID,REF_AREA,FREQ,TIME_PERIOD,OBS_VALUE,OBS_STATUS,UNIT_MULT,DECIMALS';
    assert.deepEqual(pick(oecd, 'DATAFLOW,OECD.SDD.TPS:DSD_LFS@DF_IALFS_UNE_M(1.0),GBR,M,2024-01,4.1,A,0,1'), ['OBS_VALUE']);
  });

  it('a file without such a name keeps the last numeric column; a name only containing one is not one', () => {
    const pick = (header: string, row: string): string[] => selectColumns(parseCsvText(`${header}\n${row}\n`)).targets;
    assert.deepEqual(pick('date,load,temp,demand', '2024-01-01,1,2,3'), ['demand']);
    assert.deepEqual(pick('date,price_a,price_b', '2024-01-01,1,2'), ['price_b']);
    assert.deepEqual(pick('date,close,note', '2024-01-01,1,abc'), ['close']); // text columns are never targets
  });

  it('train says on stderr which column it forecasts and why', async () => {
    const file = join(dir(), 'yahoo.csv');
    await writeFile(file, yahoo(80));
    const io = captureIo();
    assert.equal(await runCli(['train', '--data', file, '--out', join(dir(), 'm'), '--arch', 'linear', '--window', '7', '--horizon', '3'], io), 0, io.err());
    assert.deepEqual(JSON.parse(io.out()).spec.targets, ['Adj Close']);
    assert.match(io.err(), /train: no --target: forecasting "Adj Close", it is named as a price or value .*; give --target to choose another\n/);

    const plain = join(dir(), 'plain.csv');
    await writeFile(plain, yahoo(80).replace('Adj Close', 'AdjC').replace('Close', 'C'));
    const io2 = captureIo();
    assert.equal(await runCli(['train', '--data', plain, '--out', join(dir(), 'p'), '--arch', 'linear', '--window', '7', '--horizon', '3'], io2), 0, io2.err());
    assert.match(io2.err(), /train: no --target: forecasting "Volume", the last numeric column \(no column is named as a price/);

    const io3 = captureIo();
    assert.equal(await runCli(['train', '--data', file, '--target', 'Volume', '--out', join(dir(), 'v'), '--arch', 'linear', '--window', '7', '--horizon', '3'], io3), 0, io3.err());
    assert.doesNotMatch(io3.err(), /no --target/);
  });
});
