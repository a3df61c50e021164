/**
 * `backtest --season auto` on weekly data (ISO weeks `2024W01`, as SDW and the ECB Data Portal
 * write them): season 52, a year of weeks (until 7 Dec 2026: 1, so the seasonal-naive baseline and
 * MASE were repeat-last's); and where the training span is too short for one season, season 1 with
 * a note (else every MASE would be null without a word).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runTickcast } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

/** `n` weekly rows from 2021W01 (2021–2025 have 52 ISO weeks, so W01–W52 of each year runs on, 7 days apart). */
function weekly(n: number): string {
  const rows = Array.from({ length: n }, (_, i) => `${2021 + Math.floor(i / 52)}W${String((i % 52) + 1).padStart(2, '0')},${(100 + 10 * Math.sin((2 * Math.PI * i) / 52) + 0.1 * i).toFixed(3)}`);
  return `week,value\n${rows.join('\n')}\n`;
}

describe('backtest season on weekly data', () => {
  const dir = tempDirPerSuite('tickcast-weekly-');

  async function backtest(rows: number): Promise<{ season: number; mase: number | null; stderr: string }> {
    const data = join(dir(), `w${rows}.csv`);
    const model = join(dir(), `m${rows}`);
    await writeFile(data, weekly(rows));
    const t = await runTickcast(['train', '--arch', 'linear', '--window', '8', '--horizon', '4', '--data', data, '--out', model]);
    assert.equal(t.code, 0, t.stderr);
    const b = await runTickcast(['backtest', '--data', data, '--model', model]);
    assert.equal(b.code, 0, b.stderr);
    const r = JSON.parse(b.stdout) as { season: number; metrics: { overall: { mase: number | null } } };
    return { season: r.season, mase: r.metrics.overall.mase, stderr: b.stderr };
  }

  it('is 52 (a year of weeks) where the training span holds more than a season', async () => {
    const r = await backtest(200);
    assert.equal(r.season, 52, r.stderr);
    assert.match(r.stderr, /rows every 7d, season 52/);
    assert.equal(typeof r.mase, 'number');
  });

  it('falls back to 1, said on stderr, when the training span is 52 rows or fewer (MASE would be null)', async () => {
    const r = await backtest(60);
    assert.equal(r.season, 1, r.stderr);
    assert.match(r.stderr, /season 52 \(rows every 7d\) needs more than 52 rows in the training span, which has 42: season 1 \(repeat-last\) instead/);
    assert.equal(typeof r.mase, 'number');
  });
});
