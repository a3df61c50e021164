/**
 * Snapshot format 2 (src/pipeline/snapshot/codec.ts): each series is its own piece of the file, so
 * no string built while writing or reading a snapshot grows with the number of series — format 1
 * held every series in one JSON header, and V8's string cap (~537 M characters) made snapshots of
 * ~57k–155k mature series fail with "Invalid string length". Format-1 files still restore.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WindowStore } from '../../../src/domain/window-store.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { decodeSnapshot, declaredLength, encodeSnapshot } from '../../../src/pipeline/snapshot/codec.ts';
import { SnapshotFile } from '../../../src/pipeline/snapshot/file-store.ts';
import { SeriesHomes } from '../../../src/pipeline/snapshot/series-state.ts';
import { SeriesSnapshotter } from '../../../src/pipeline/snapshot/snapshotter.ts';
import { AnomalyDetector } from '../../../src/domain/anomaly/index.ts';
import { withTempDir } from '../../helpers/temp-dir.ts';
import { encodeFormat1 } from '../../helpers/snapshot-format1.ts';

const W = 8;
const identity = { topic: 't', groupId: 'g', window: W, features: ['value'] };
const logger = { info: () => undefined, warn: () => undefined };

/** A pipeline's snapshot parts with a detector, and `n` series ticked 40 times each (partition 0). */
async function fleet(dir: string, n: number) {
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 1000, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const detector = new AnomalyDetector();
  const parts = { store, outlook: new SeriesOutlook(), detector, homes: new SeriesHomes(store.registry) };
  const snap = new SeriesSnapshotter({ parts, identity, file: new SnapshotFile(dir), intervalMs: 0, maxTailRecords: 1e6, logger });
  const handle = snap.wrap(async (recs: RawRecord[]) => {
    for (const r of recs) {
      const i = Number(r.source.offset);
      const id = String(r.key);
      store.push(id, 1000 * i, [Math.sin(i / 3)], 0);
      detector.observe(id, 1000 * i, Math.sin(i / 3), null);
      parts.homes.note(id, 0);
    }
  });
  const recs: RawRecord[] = [];
  for (let t = 0; t < 40; t++) for (let s = 0; s < n; s++) recs.push({ key: Buffer.from(`dev-${s}`), value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(t * n + s) }, receivedAtMs: 0 });
  await handle(recs);
  return { snap, store, detector };
}

function restoredInto() {
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 1000, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const detector = new AnomalyDetector();
  const snap = new SeriesSnapshotter({ parts: { store, outlook: new SeriesOutlook(), detector, homes: new SeriesHomes(store.registry) }, identity, file: new SnapshotFile(''), intervalMs: 0, maxTailRecords: 1e6, logger });
  return { store, detector, snap };
}

/** The longest string made into or out of JSON or a Buffer while `fn` runs. */
async function longestString(fn: () => Promise<unknown>): Promise<number> {
  let longest = 0;
  const note = (s: unknown) => void (typeof s === 'string' && s.length > longest && (longest = s.length));
  const { parse, stringify } = JSON;
  const from = Buffer.from;
  const toString = Buffer.prototype.toString;
  JSON.parse = (text: string, ...rest: unknown[]) => (note(text), (parse as (...a: unknown[]) => unknown)(text, ...rest));
  JSON.stringify = (...args: unknown[]) => {
    const s = (stringify as (...a: unknown[]) => string)(...args);
    return (note(s), s);
  };
  Buffer.from = ((...args: unknown[]) => (note(args[0]), (from as (...a: unknown[]) => Buffer)(...args))) as typeof Buffer.from;
  Buffer.prototype.toString = function (this: Buffer, ...args: unknown[]) {
    const s = (toString as (...a: unknown[]) => string).apply(this, args);
    return (note(s), s);
  } as typeof Buffer.prototype.toString;
  try {
    await fn();
  } finally {
    Object.assign(JSON, { parse, stringify });
    Buffer.from = from;
    Buffer.prototype.toString = toString;
  }
  return longest;
}

async function snapshotAndRestore(n: number): Promise<number> {
  return withTempDir('tc-snapfmt-', async (dir) => {
    const src = await fleet(dir, n);
    const dst = restoredInto();
    const longest = await longestString(async () => {
      await src.snap.snapshot();
      const s = new SeriesSnapshotter({ parts: { store: dst.store, outlook: new SeriesOutlook(), detector: dst.detector, homes: new SeriesHomes(dst.store.registry) }, identity, file: new SnapshotFile(dir), intervalMs: 0, maxTailRecords: 1e6, logger });
      assert.equal(await s.load(), true);
    });
    assert.equal([...dst.store.ids()].length, n, 'every series is restored');
    for (const id of ['dev-0', `dev-${n - 1}`]) {
      assert.equal(dst.store.ticks(id), src.store.ticks(id));
      assert.deepEqual(dst.detector.peek(id), src.detector.peek(id));
    }
    return longest;
  });
}

test('no string written or read grows with the series count: 60 series build none longer than 1 series does (format 1: 60 times as long)', async () => {
  const one = await snapshotAndRestore(1);
  const sixty = await snapshotAndRestore(60);
  assert.ok(one > 1000, `a mature series' entry is a string of its own (${one} chars)`);
  assert.ok(sixty < one * 1.5, `longest string with 60 series: ${sixty} chars; with 1 series: ${one} chars`);
});

test('a format-1 snapshot (the whole tree in one header) still restores: windows and detectors come back', () =>
  withTempDir('tc-snapfmt-', async (dir) => {
    const src = await fleet(dir, 5);
    await src.snap.snapshot();
    const file = new SnapshotFile(dir);
    const tree = decodeSnapshot((await file.read())!) as { series: unknown[] };
    assert.equal(tree.series.length, 5);
    await file.write([encodeFormat1(tree)]);
    assert.equal((await file.read())!.readUInt32LE(8), 1, 'the file on disk is format 1');
    const dst = restoredInto();
    const s = new SeriesSnapshotter({ parts: { store: dst.store, outlook: new SeriesOutlook(), detector: dst.detector, homes: new SeriesHomes(dst.store.registry) }, identity, file, intervalMs: 0, maxTailRecords: 1e6, logger });
    assert.equal(await s.load(), true);
    assert.equal([...dst.store.ids()].length, 5);
    for (let i = 0; i < 5; i++) {
      assert.equal(dst.store.ticks(`dev-${i}`), src.store.ticks(`dev-${i}`));
      assert.deepEqual(dst.detector.peek(`dev-${i}`), src.detector.peek(`dev-${i}`));
    }
  }));

test('a format-1 file written by the release before (test/fixtures/snapshot-format1.snap) decodes, copied and as views', () => {
  const bytes = readFileSync(new URL('../../fixtures/snapshot-format1.snap', import.meta.url));
  assert.equal(bytes.readUInt32LE(8), 1);
  const want = {
    a: new Float32Array([1.5, -2, Number.NaN]),
    b: { c: new Float64Array([Math.PI, Infinity]), n: -Infinity, s: 'x', z: null },
    series: [{ id: 's1', ring: Float64Array.from([1, 2, 3, 0, 0]) }, { id: 's2', ring: new Float64Array(4), last: -Infinity }],
  };
  assert.deepEqual(decodeSnapshot(bytes), want);
  const aligned = Buffer.from(new ArrayBuffer(bytes.length));
  bytes.copy(aligned);
  const views = decodeSnapshot(aligned, { views: true }) as typeof want;
  assert.equal(views.series[0]!.ring.buffer, aligned.buffer, 'a view into the file');
  assert.equal(declaredLength(views.series[0]!.ring), 5);
});

test('format 2: a series entry whose length runs past the end of the file is refused as corrupt (checksum intact)', () => {
  const bytes = Buffer.concat(encodeSnapshot({ head: 1, series: [{ a: 1 }, { b: new Float64Array([2]) }] }));
  assert.deepEqual(decodeSnapshot(bytes), { head: 1, series: [{ a: 1 }, { b: new Float64Array([2]) }] });
  const first = 48 + bytes.readUInt32LE(44) + 4; // header, then the entry count
  bytes.writeUInt32LE(bytes.length, first);
  createHash('sha256').update(bytes.subarray(44)).digest().copy(bytes, 12);
  assert.throws(() => decodeSnapshot(bytes), { code: 'TC_SNAPSHOT_CORRUPT', message: /series entry 0 of 2 runs past the end/ });
});
