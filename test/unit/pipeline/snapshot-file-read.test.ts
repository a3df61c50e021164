/**
 * Reading the series-state snapshot file (src/pipeline/snapshot/file-store.ts): chunk by chunk into
 * one buffer, so a file over `readFile`'s 2 GiB limit still loads, and a file past Node's Buffer
 * limit is refused with TC_SNAPSHOT_TOO_LARGE (the plain replay runs). Chunk size and limit are
 * injected: no multi-GiB file is written. Decoding hashes in pieces for the same reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { WindowStore } from '../../../src/domain/window-store.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { sha256From } from '../../../src/pipeline/snapshot/codec.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { readFully, SnapshotFile, writeFully, type SnapshotFileOptions } from '../../../src/pipeline/snapshot/file-store.ts';
import { SeriesHomes } from '../../../src/pipeline/snapshot/series-state.ts';
import { SeriesSnapshotter } from '../../../src/pipeline/snapshot/snapshotter.ts';
import { withTempDir } from '../../helpers/temp-dir.ts';

const W = 8;
const identity = { topic: 't', groupId: 'g', window: W, features: ['value'] };

function instance(dir: string, opts?: SnapshotFileOptions) {
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 100, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const parts = { store, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(store.registry) };
  const warnings: Array<Record<string, unknown>> = [];
  const logger = { info: () => undefined, warn: (obj: object) => void warnings.push(obj as Record<string, unknown>) };
  const snap = new SeriesSnapshotter({ parts, identity, file: new SnapshotFile(dir, opts), intervalMs: 0, maxTailRecords: 1000, logger });
  return { store, parts, snap, warnings };
}

/** A snapshot on disk of 30 series with full windows. */
async function writeSnapshot(dir: string): Promise<number> {
  const { parts, snap } = instance(dir);
  await snap.wrap(async (recs: RawRecord[]) => {
    for (const r of recs) {
      parts.store.push(String(r.key), 1000 * (Number(r.source.offset) + 1), [Math.sin(Number(r.source.offset))], 0);
      parts.homes.note(String(r.key), 0);
    }
  })(Array.from({ length: 30 * 12 }, (_, i) => ({ key: Buffer.from(`s${i % 30}`), value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(i) }, receivedAtMs: 0 }) as unknown as RawRecord));
  await snap.snapshot();
  return (await fsp.stat(new SnapshotFile(dir).path)).size;
}

test('a snapshot read in many chunks (1 KiB each) loads every series', () =>
  withTempDir('tc-snapread-', async (dir) => {
    const size = await writeSnapshot(dir);
    assert.ok(size > 10 * 1024, `the file spans many chunks (${size} bytes)`);
    const bytes = await new SnapshotFile(dir, { readChunkBytes: 1024 }).read();
    assert.deepEqual(bytes, await fsp.readFile(new SnapshotFile(dir).path));
    const b = instance(dir, { readChunkBytes: 1024 });
    assert.equal(await b.snap.load(), true, JSON.stringify(b.warnings));
    assert.equal(b.store.size, 30);
  }));

test('a snapshot file larger than the Buffer limit is refused with TC_SNAPSHOT_TOO_LARGE and the replay runs', () =>
  withTempDir('tc-snapread-', async (dir) => {
    const size = await writeSnapshot(dir);
    await assert.rejects(new SnapshotFile(dir, { maxReadBytes: size - 1 }).read(), (err: { code?: string; message: string }) => {
      assert.equal(err.code, 'TC_SNAPSHOT_TOO_LARGE');
      assert.match(err.message, new RegExp(`${size} bytes.*at most ${size - 1} bytes`));
      return true;
    });
    const b = instance(dir, { maxReadBytes: size - 1 });
    assert.equal(await b.snap.load(), false);
    assert.equal(b.warnings[0]?.code, 'TC_SNAPSHOT_TOO_LARGE');
    assert.equal(b.store.size, 0);
    assert.equal(await new SnapshotFile(dir, { maxReadBytes: size }).read().then((x) => x?.length), size, 'a file of exactly the limit is read');
  }));

test('partial reads are continued; a file that ends early is refused as corrupt', async () => {
  const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
  const asked: number[] = [];
  // A handle that returns at most 7 bytes a call, as a read(2) may; `eof` where the file ends.
  const handle = (eof: number) => ({
    read: async (buf: Buffer, off: number, len: number, pos: number) => {
      asked.push(len);
      const n = Math.max(0, Math.min(len, 7, eof - pos));
      data.copy(buf, off, pos, pos + n);
      return { bytesRead: n, buffer: buf };
    },
  }) as unknown as Pick<fsp.FileHandle, 'read'>;
  assert.deepEqual(await readFully(handle(1000), 1000, 64), data);
  assert.ok(asked.every((n) => n <= 64), 'no read asks for more than the chunk');
  const buf = await readFully(handle(1000), 1000, 64);
  assert.equal(buf.byteOffset % 8, 0, 'a buffer of its own (typed-array views need alignment)');
  await assert.rejects(readFully(handle(600), 1000, 64), { code: 'TC_SNAPSHOT_CORRUPT', message: /ended after 600 of 1000 bytes/ });
});

test('no snapshot file: null', () =>
  withTempDir('tc-snapread-', async (dir) => {
    assert.equal(await new SnapshotFile(dir).read(), null);
  }));

test('the checksum is hashed in pieces (Hash.update refuses one over 2 GiB): same digest as one update', () => {
  const buf = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 31) % 256));
  const whole = createHash('sha256').update(buf.subarray(44)).digest();
  for (const piece of [1, 7, 4096, 1 << 30]) assert.deepEqual(sha256From(buf, 44, piece), whole, `pieces of ${piece}`);
});

test('a snapshot written in many writev calls (at most 4 KiB each) reads back the same', () =>
  withTempDir('tc-snapread-', async (dir) => {
    await writeSnapshot(dir);
    const bytes = (await new SnapshotFile(dir).read())!;
    const chunks = Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.subarray(i * 1000, (i + 1) * 1000));
    const other = path.join(dir, 'other');
    assert.equal(await new SnapshotFile(other, { writeMaxBytes: 4096 }).write(chunks), bytes.length);
    assert.deepEqual(await new SnapshotFile(other).read(), bytes);
  }));

test('a writev that writes fewer bytes than given is continued (Linux writes at most ~2 GiB a call)', async () => {
  const out: Buffer[] = [];
  // A handle that writes at most 7 bytes a call.
  const fh = {
    writev: async (bufs: Buffer[]) => {
      const all = Buffer.concat(bufs).subarray(0, 7);
      out.push(all);
      return { bytesWritten: all.length, buffers: bufs };
    },
  } as unknown as Pick<fsp.FileHandle, 'writev'>;
  const part = [Buffer.from('hello '), Buffer.from('snapshot '), Buffer.from('world')];
  await writeFully(fh, part, 20);
  assert.equal(Buffer.concat(out).toString(), 'hello snapshot world');
  const stuck = { writev: async (bufs: Buffer[]) => ({ bytesWritten: 0, buffers: bufs }) } as unknown as Pick<fsp.FileHandle, 'writev'>;
  await assert.rejects(writeFully(stuck, part, 20), /short write: 0 of 20 bytes/);
});
