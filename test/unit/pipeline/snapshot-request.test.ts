/**
 * SeriesSnapshotter.requestSnapshot (7 Dec 2026, night; what POST /v1/series/{id}/reset calls so a
 * reset survives a crash): the snapshot it writes is captured after the call — a series deleted
 * just before is not in the file — and calls made before that capture starts share one write,
 * while a call made once it has started gets a capture of its own. Also right after a restart, before
 * any assignment has claimed the loaded snapshot's partitions (no offsets handled yet).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { snapshotRig } from '../../helpers/snapshot-rig.ts';
import { SnapshotFile } from '../../../src/pipeline/snapshot/file-store.ts';
import { decodeSnapshot } from '../../../src/pipeline/snapshot/codec.ts';

const ids = async (dir: string) => (decodeSnapshot((await new SnapshotFile(dir).read())!) as { series: Array<{ id: string }> }).series.map((s) => s.id).sort();

test('requestSnapshot: written after the change, a burst shares one capture, a later call gets its own', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-snap-request-'));
  try {
    const { snap, store, tick } = snapshotRig(dir, {});
    for (let i = 0; i < 3; i++) for (const s of ['a', 'b', 'c']) await tick(s, i * 3 + ['a', 'b', 'c'].indexOf(s));
    await snap.snapshot();
    assert.deepEqual(await ids(dir), ['a', 'b', 'c']);
    store.delete('a', 'reset');
    const [r1, r2] = [snap.requestSnapshot(), snap.requestSnapshot()];
    assert.equal(r1, r2, 'calls before the capture starts share it');
    assert.equal((await r1)?.series, 2);
    assert.deepEqual(await ids(dir), ['b', 'c'], 'the file no longer holds the deleted series');
    store.delete('b', 'reset');
    const r3 = snap.requestSnapshot();
    assert.notEqual(r3, r1, 'a call after that capture gets a new one');
    assert.equal((await r3)?.series, 1);
    assert.deepEqual(await ids(dir), ['c']);
    assert.equal(snap.status().failures, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('requestSnapshot right after a restart, before any partition is claimed: the loaded state is written again without the deleted series, at its offsets', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-snap-request-'));
  try {
    const first = snapshotRig(dir, {});
    for (let i = 0; i < 3; i++) for (const s of ['a', 'b', 'c']) await first.tick(s, i * 3 + ['a', 'b', 'c'].indexOf(s));
    await first.snap.snapshot();
    const restarted = snapshotRig(dir, {});
    assert.equal(await restarted.snap.load(), true);
    assert.equal(restarted.store.has('a'), true);
    restarted.store.delete('a', 'reset');
    // Before 7 Dec 2026 (night, late): null (no offsets handled yet), and the old file still held 'a'.
    assert.equal((await restarted.snap.requestSnapshot())?.series, 2);
    assert.deepEqual(await ids(dir), ['b', 'c'], 'the file no longer holds the reset series');
    assert.deepEqual((decodeSnapshot((await new SnapshotFile(dir).read())!) as { offsets: Record<string, string> }).offsets, { 0: '9' }, 'at the offsets it was loaded with');
    const third = snapshotRig(dir, {});
    assert.equal(await third.snap.load(), true);
    assert.deepEqual([...third.snap.restoreFrom([{ partition: 0, committed: 9n, low: 0n }])], [[0, 9n]]);
    assert.deepEqual(['a', 'b', 'c'].filter((s) => third.store.has(s)), ['b', 'c'], 'a restart keeps the series reset');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
