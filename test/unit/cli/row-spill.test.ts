/**
 * detect's rows of a newest-first file go through a temporary file (src/cli/row-spill.ts), not
 * memory: read back last first or in order, across block edges, every field as it was; and a
 * 400k-row newest-first file is ordered within a 40 MB heap (until 7 Dec 2026 its rows were held as
 * objects, ~170 bytes a row: ~68 MB, and that run died out of heap).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openRowSpill } from '../../../src/cli/row-spill.ts';
import type { DetectRow } from '../../../src/cli/detect-rows.ts';
import { spawnCollect } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';

const ROWS: DetectRow[] = [
  { timestamp: '2024-01-03', ms: Date.UTC(2024, 0, 3), value: 1.5, line: 2 },
  { timestamp: '2024-01-02', ms: Date.UTC(2024, 0, 2), value: Number.NaN, line: 3, missing: 'NA', series: 'a' },
  { timestamp: 'Ünïcødé ✓', ms: Number.NaN, value: -0, line: 4, notDate: 'month 13 is not 01–12' },
  { timestamp: '"q",\n', ms: 1, value: Number.POSITIVE_INFINITY, line: 5 },
  { timestamp: '1', ms: 2, value: Number.NEGATIVE_INFINITY, line: 6 },
];

async function roundTrip(rows: readonly DetectRow[], backwards: boolean, block?: number): Promise<DetectRow[]> {
  const spill = await openRowSpill(block);
  for (const r of rows) if (spill.add(r)) await spill.flush();
  const out: DetectRow[] = [];
  for await (const r of spill.rows(backwards)) out.push(r);
  return out;
}

describe('detect rows spilled to a temporary file', () => {
  const dir = tempDirPerSuite('tickcast-spill-');

  it('reads every row back as it was, last first or in order, whatever the block size', async () => {
    for (const block of [undefined, 1, 7, 40, 1000]) {
      assert.deepEqual(await roundTrip(ROWS, true, block), [...ROWS].reverse(), `backwards, block ${block}`);
      assert.deepEqual(await roundTrip(ROWS, false, block), ROWS, `forwards, block ${block}`);
    }
    assert.ok(Object.is((await roundTrip(ROWS, false))[2].value, -0));
    assert.deepEqual(await roundTrip([], true), []);
  });

  it('orders a 400k-row newest-first file within a 40 MB heap', async () => {
    const path = join(dir(), 'newest-first.csv');
    const n = 400_000;
    const t0 = 1_600_000_000;
    const lines = ['timestamp,value'];
    for (let i = n - 1; i >= 0; i--) lines.push(`${t0 + 60 * i},${(100 + Math.sin(i / 50)).toFixed(3)}`);
    await writeFile(path, lines.join('\n') + '\n');
    const src = new URL('../../../src/cli/', import.meta.url).pathname;
    const script = `
      const { openDetectRows } = await import(${JSON.stringify(join(src, 'detect-rows.ts'))});
      const { orderRows } = await import(${JSON.stringify(join(src, 'detect-order.ts'))});
      const o = await orderRows(process.argv[1], (await openDetectRows(process.argv[1])).rows);
      let n = 0, last = -Infinity, sorted = true;
      for await (const r of o.rows) { n++; sorted &&= r.ms > last; last = r.ms; }
      console.log(JSON.stringify({ n, reversed: o.reversed, sorted }));`;
    const run = await spawnCollect(process.execPath, ['--max-old-space-size=40', '--import', 'tsx', '--input-type=module', '-e', script, path]).exited;
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    assert.deepEqual(JSON.parse(run.stdout), { n, reversed: true, sorted: true });
  });
});
