/**
 * detect's rows of a newest-first file go through a temporary file (src/cli/row-spill.ts), not
 * memory: read back last first or in order, across block edges, every field as it was; and a
 * 400k-row newest-first file is ordered within a 40 MB heap (until 7 Dec 2026 its rows were held as
 * objects, ~170 bytes a row: ~68 MB, and that run died out of heap).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { openRowSpill } from '../../../src/cli/row-spill.ts';
import type { DetectRow } from '../../../src/cli/detect-rows.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { isTickcastError } from '../../../src/errors/index.ts';
import { spawnCollect } from '../../helpers/cli-process.ts';
import { tempDirPerSuite } from '../../helpers/temp-dir.ts';
import { captureIo } from './capture.ts';

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

  it('a temporary folder that cannot take the file is exit 73 TC_CLI_CANNOT_CREATE naming it and TMPDIR, not exit 1 with a stack trace', async () => {
    const data = join(dir(), 'nf.csv');
    await writeFile(data, 'timestamp,value\n2024-01-03,3\n2024-01-02,2\n2024-01-01,1\n');
    const bad = join(data, 'tmp'); // below a file: ENOTDIR, as a missing or read-only folder (EACCES does not hold for root)
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = bad;
    const io = captureIo();
    try {
      assert.equal(await runCli(['detect', '--data', data, '--out', join(dir(), 'out.csv')], io), 73, io.err());
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    assert.match(io.err(), new RegExp(`temporary file in "${bad.replaceAll('/', '\\/')}" .*\\(a part of the path is not a directory\\); set TMPDIR to a writable folder.* \\[TC_CLI_CANNOT_CREATE\\]\\n$`));
    assert.doesNotMatch(io.err(), /\n\s+at /, 'no stack trace');
    assert.match(io.err(), /^tickcast detect: the rows of --data are newest first/, 'the command named once');
  });

  it('a run that stops before scoring (no such --model) closes the temporary file of a newest-first file', async () => {
    // Before: the spill's handle was closed only by reading its rows to the end, so a run that
    // failed between reading the file and scoring it (model, --out) left the unlinked file open,
    // its disk space held, in a process that goes on (runCli in-process, tests).
    const data = join(dir(), 'nf-model.csv');
    await writeFile(data, 'timestamp,value\n2024-01-03,3\n2024-01-02,2\n2024-01-01,1\n');
    const spills = (): number => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return /tickcast-detect-.*rows\.jsonl/.test(readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        return false; // the directory's own fd, gone once read
      }
    }).length;
    const before = spills();
    const io = captureIo();
    assert.notEqual(await runCli(['detect', '--data', data, '--model', join(dir(), 'no-such-model'), '--out', join(dir(), 'out-model.csv')], io), 0, io.err());
    assert.equal(spills(), before, 'no temporary file left open');
  });

  it('a disk that fills up while rows are written is TC_CLI_CANNOT_CREATE saying so', async () => {
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const handle = { write: () => Promise.reject(full), close: () => Promise.resolve() } as unknown as FileHandle;
    const spill = await openRowSpill(16, () => Promise.resolve(handle));
    assert.equal(spill.add(ROWS[0]), true);
    await assert.rejects(spill.flush(), (err) => isTickcastError(err) && err.code === 'TC_CLI_CANNOT_CREATE' && /cannot take it \(no space left on the disk\); set TMPDIR/.test(err.message));
  });
});
