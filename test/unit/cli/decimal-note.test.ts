/**
 * A `;` file whose numbers all have three decimals (`100,250`): `--decimal auto` reads the commas as
 * decimal commas (src/data/csv-decimal.ts settleUntold). Until 7 Dec 2026 nothing was said about
 * that guess; now every command says it once on stderr, naming the cell that decided.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTickcast } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

const day = (i: number): string => new Date(Date.UTC(2023, 0, 2) + i * 86_400_000).toISOString().slice(0, 10);
/** `n` rows `date;price` with prices of three decimals, or of two (`1,25` tells a decimal comma). */
const rows = (n: number, decimals: number): string[] => Array.from({ length: n }, (_, i) => `${day(i)};${(100 + 5 * Math.sin(i / 20)).toFixed(decimals).replace('.', ',')}`);
const csv = (lines: readonly string[]): string => lines.join('\n') + '\n';
const NOTE = /^(train|detect): .*\.csv:2: no number in the file says which decimal mark it uses; column "Kurs" has "100,000": read as 100\.000, its comma a decimal comma, as a ;-separated file writes it \(--decimal auto; --decimal comma says so without this note\)$/gm;

describe('the decimal-comma guess in a ;-separated file is said on stderr', () => {
  const dir = tempDirPerSuite('tickcast-decimal-note-');

  it('train and detect say it once; a file whose numbers tell, or --decimal comma, says nothing', async () => {
    const untold = join(dir(), 'untold.csv');
    const told = join(dir(), 'told.csv');
    await writeFile(untold, csv(['Datum;Kurs', ...rows(300, 3)]));
    await writeFile(told, csv(['Datum;Kurs', ...rows(300, 2)]));
    const train = ['train', '--arch', 'linear', '--window', '14', '--horizon', '1'];
    const [t, d, plain, given] = await Promise.all([
      runTickcast([...train, '--data', untold, '--out', join(dir(), 'model')]),
      runTickcast(['detect', '--data', untold, '--out', join(dir(), 'results.csv'), '--time-col', 'Datum', '--value-col', 'Kurs']),
      runTickcast([...train, '--data', told, '--out', join(dir(), 'told-model')]),
      runTickcast([...train, '--data', untold, '--decimal', 'comma', '--out', join(dir(), 'given-model')]),
    ]);
    for (const r of [t, d, plain, given]) assert.equal(r.code, 0, r.stderr);
    assert.equal(t.stderr.match(NOTE)?.length, 1, t.stderr);
    assert.equal(d.stderr.match(NOTE)?.length, 1, d.stderr);
    assert.doesNotMatch(plain.stderr, /decimal/);
    assert.doesNotMatch(given.stderr, /decimal/);
  });
});
