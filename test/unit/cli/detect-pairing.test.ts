/**
 * `tickcast detect` pairs each row with the pipeline's report for it by position (the n-th outcome
 * is the n-th row's). That holds only while every record reports exactly one outcome and every
 * accepted one exactly one score. These tests pin it on the nastiest rows the CSV reader lets
 * through, and check that the pairing refuses (TC_INTERNAL) rather than shifts when it breaks.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { loadConfig } from '../../../src/config/load.ts';
import { createPipelineDetect, pair, checkAllPaired, type Reports } from '../../../src/cli/detect-pipeline.ts';
import type { ModelSpec } from '../../../src/domain/types.ts';
import type { Predictor } from '../../../src/pipeline/ports.ts';
import { createLogger } from '../../../src/telemetry/logger.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import type { NabRow } from '../../../src/eval/nab/io.ts';
import { withoutTickcastEnv } from '../../helpers/tickcast-env.ts';

/** A stand-in model (no onnxruntime): a fixed band around the window's mean, in normalised units. */
function stubPredictor(spec: ModelSpec): Predictor {
  const Q = spec.quantiles.length;
  return {
    spec,
    version: 'stub',
    engine: 'stub',
    backend: 'cpu',
    predict: async ({ batch }) => {
      const y = new Float32Array(batch * spec.horizon * spec.targets.length * Q);
      for (let i = 0; i < y.length; i++) y[i] = (i % Q) - (Q - 1) / 2;
      return { y };
    },
    dispose: async () => {},
  };
}

const SPEC: ModelSpec = { window: 8, features: ['value'], targets: ['value'], horizon: 2, quantiles: [0.1, 0.5, 0.9] };
const LOG_SPEC: ModelSpec = { ...SPEC, logFeatures: ['value'] };

const t0 = Date.UTC(2024, 0, 1);
/** Ordinary rows first (past the detector's learning period, with a spike), then the nasty ones from row N. */
const N = 400;
const nab = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/**
 * Rows every kind of which the CSV reader accepts (a finite number, any timestamp text) and the
 * pipeline may refuse or strain: duplicates (same and other forms of one instant), late rows,
 * unreadable, out-of-range and calendar-invalid timestamps, values at and beyond the service's
 * bound (1e150), subnormals, −0, 0 and negatives (ln models refuse them), a gap of decades, a
 * long run of one timestamp, and steps back and forth between epoch seconds and ms.
 */
function nastyRows(): NabRow[] {
  const rows: NabRow[] = [];
  let i = 0;
  const next = (): number => t0 + i++ * 300_000;
  for (let k = 0; k < N; k++) rows.push({ timestamp: nab(next()), value: 100 + 20 * Math.sin(k / 8) + (k % 7) + (k === N - 60 ? 400 : 0) });
  const last = t0 + (i - 1) * 300_000;
  rows.push({ timestamp: nab(last), value: 5000 }); // duplicate
  rows.push({ timestamp: String(last), value: 1 }); // the same instant as epoch ms
  rows.push({ timestamp: nab(last - 3_600_000), value: 1 }); // late
  rows.push({ timestamp: 'not a time', value: 1 });
  rows.push({ timestamp: '', value: 1 });
  rows.push({ timestamp: '2024-02-30 00:00:00', value: 1 });
  rows.push({ timestamp: '1960-01-01 00:00:00', value: 1 }); // before 1973
  rows.push({ timestamp: '2300-01-01 00:00:00', value: 1 }); // after 2200
  for (const v of [1e150, -1e150, 1e151, -1e300, Number.MAX_VALUE, 5e-324, -0, 0, -1, 1e-300]) rows.push({ timestamp: nab(next()), value: v });
  for (let k = 0; k < 20; k++) rows.push({ timestamp: nab(next()), value: k % 2 === 0 ? 1e150 : -1e150 });
  for (let k = 0; k < 20; k++) rows.push({ timestamp: String(next() / 1000), value: 100 + (k % 3) }); // epoch seconds
  for (let k = 0; k < 12; k++) rows.push({ timestamp: nab(t0 + i * 300_000), value: 100 + k }); // one timestamp, twelve times
  i++;
  rows.push({ timestamp: '2199-12-31 23:55:00', value: 100 }); // a gap of 176 years
  for (let k = 1; k <= 15; k++) rows.push({ timestamp: nab(Date.parse('2199-12-31T23:55:00Z') + k * 1000), value: 100 + k * 1e140 });
  rows.push({ timestamp: nab(t0), value: 100 }); // late by 176 years
  return rows;
}

describe('detect: one report per row, paired to the right row', () => {
  withoutTickcastEnv();

  const config = () => loadConfig({ overrides: { logLevel: 'warn', http: { enabled: false } } });
  const logger = () => createLogger({ level: 'warn', name: 't', destination: new Writable({ write: (_c, _e, cb) => cb() }) });

  for (const [name, spec] of [['plain', SPEC], ['ln(value)', LOG_SPEC]] as const) {
    it(`a ${name} model: every nasty row gets exactly its own result, whatever the chunk size`, async () => {
      const rows = nastyRows();
      let reference: string | null = null;
      for (const chunk of [1, 3, 16, 256]) {
        const d = await createPipelineDetect(config(), logger(), chunk, stubPredictor(spec));
        const got = [];
        for await (const r of d.scoreRows(rows, 'csv')) got.push(r);
        await d.close();
        assert.equal(got.length, rows.length);
        got.forEach((r, k) => assert.equal(r.row, rows[k], `result ${k} is row ${k}'s`));
        for (const r of got) if (r.refused !== null) assert.equal(r.score, 0);
        assert.ok(got.some((r) => r.score > 0), 'the band is in play: some rows score above 0');
        const refused = got.filter((r) => r.refused !== null).map((r) => rows.indexOf(r.row));
        // The refusals land on the rows that earn them: the duplicates, the late rows, the bad times, the value beyond the bound.
        for (const k of [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12].map((k) => N + k).concat(rows.length - 1)) assert.ok(refused.includes(k), `row ${k} (${rows[k].timestamp}, ${rows[k].value}) refused: ${JSON.stringify(got[k])}`);
        if (spec === LOG_SPEC) for (const k of [9, 14, 15, 16].map((k) => N + k)) assert.ok(refused.includes(k), `ln model refuses row ${k} (${rows[k].value})`);
        const text = JSON.stringify(got.map((r) => [r.score, r.refused]));
        reference ??= text;
        assert.equal(text, reference, `chunk ${chunk} scores as chunk 1 does`);
      }
    });
  }

  it('a row accepted and then dead-lettered (two reports) stops the run instead of shifting every later score', () => {
    // Rows 0-2 accepted; row 1 then failed in phase 3 before it was scored: three accepted outcomes,
    // then its dead letter's; two scores. Paired by position, row 1 took row 2's score and row 2 the next row's.
    const rows: NabRow[] = [0, 1, 2].map((k) => ({ timestamp: String(t0 + k), value: k }));
    const reports: Reports = { outcomes: ['accepted', 'accepted', 'accepted', 'dead_letter'], scores: [0.1, 0.3], deadLetters: new Map([[1, 'TC_INTERNAL']]) };
    const paired = { n: 0 };
    assert.throws(
      () => [...pair([...rows], reports, paired)],
      (err: unknown) => isTickcastError(err) && err.code === 'TC_INTERNAL' && /row 2 of the file was reported accepted and dead-lettered/.test(err.message),
    );
  });

  it('reports left over at the end (a record reported twice) stop the run', () => {
    const rows: NabRow[] = [{ timestamp: String(t0), value: 1 }];
    const reports: Reports = { outcomes: ['late', 'dead_letter'], scores: [], deadLetters: new Map() };
    const paired = { n: 0 };
    const pending = [...rows];
    assert.equal([...pair(pending, reports, paired)].length, 1);
    assert.throws(() => checkAllPaired(pending, reports, paired), /1 outcomes, 0 scores, 0 dead letters left over/);
  });
});
