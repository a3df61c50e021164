/**
 * The series-state snapshotter and partitions that change hands (docs/reliability.md, "Series-state
 * snapshots"): a partition handed to another instance leaves memory and the next snapshot; a
 * restart never replays a snapshot tail longer than the plain replay it replaces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowStore } from '../../../src/domain/window-store.ts';
import type { RawRecord } from '../../../src/domain/types.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { decodeSnapshot, encodeSnapshot } from '../../../src/pipeline/snapshot/codec.ts';
import { SnapshotFile } from '../../../src/pipeline/snapshot/file-store.ts';
import { detectorFingerprint, SeriesHomes, type SeriesStateParts, type SnapshotTree } from '../../../src/pipeline/snapshot/series-state.ts';
import { AnomalyDetector } from '../../../src/domain/anomaly/index.ts';
import { SeriesSnapshotter } from '../../../src/pipeline/snapshot/snapshotter.ts';
import { partitionRelease } from '../../../src/pipeline/partition-release.ts';
import { applySnapshotPlan, planRestore } from '../../../src/adapters/kafka/restore.ts';
import { withTempDir } from '../../helpers/temp-dir.ts';

const W = 8;

function parts() {
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 100, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  return { store, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(store.registry) };
}
type Parts = ReturnType<typeof parts>;

function logs() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  const push = (obj: object, msg: string) => void lines.push({ obj: obj as Record<string, unknown>, msg });
  return { lines, logger: { info: push, warn: push } };
}

function snapshotter(p: SeriesStateParts, dir: string, maxTailRecords: number, log = logs()) {
  const identity = { topic: 't', groupId: 'g', window: W, features: ['value'] };
  return new SeriesSnapshotter({ parts: p, identity, file: new SnapshotFile(dir), intervalMs: 0, maxTailRecords, logger: log.logger });
}

/** `n` ticks of `series` on `partition`, offsets from `offset`: the pipeline's part that matters here. */
function records(series: string, partition: number, offset: number, n: number): RawRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    key: Buffer.from(series),
    value: Buffer.from(String(i)),
    headers: {},
    source: { topic: 't', partition, offset: String(offset + i) },
    receivedAtMs: 0,
  }));
}

/** What the pipeline does with a record, as far as snapshots go: window it, note the series' partition. */
function handler(p: Parts, gate?: Promise<void>) {
  return async (recs: RawRecord[]) => {
    await gate;
    for (const r of recs) {
      p.store.push(String(r.key), 1000 * (Number(r.source.offset) + 1), [Math.sin(Number(r.source.offset))], 0);
      p.homes.note(String(r.key), r.source.partition);
    }
  };
}

const withDir = (fn: (dir: string) => Promise<void>) => withTempDir('tc-snapper-', fn);

const written = async (dir: string) => decodeSnapshot((await new SnapshotFile(dir).read())!) as SnapshotTree;

/** A snapshotter (restore bound 500 records) that has handled p0 up to offset 20 (series a) and p1 up to 550 (series b). */
async function twoPartitions(dir: string) {
  const p = parts();
  const snap = snapshotter(p, dir, 500);
  const handle = snap.wrap(handler(p));
  await handle(records('a', 0, 0, 20));
  await handle(records('b', 1, 0, 550));
  return { p, snap };
}

test('a partition handed to another instance: its offset leaves the next snapshot and its series leave memory', () =>
  withDir(async (dir) => {
    const { p, snap } = await twoPartitions(dir);
    const log = logs();
    const release = partitionRelease({ store: p.store, homes: p.homes, snapshots: () => snap, logger: log.logger });
    release([1]); // what the Kafka source reports when a rebalance gives p1 to another instance
    assert.equal(p.store.has('b'), false, 'the series homed on p1 are dropped (through the registry)');
    assert.equal(p.homes.get('b'), undefined);
    assert.equal(p.store.has('a'), true, 'the others stay');
    assert.deepEqual(log.lines.map((l) => l.obj), [{ partitions: [1], series: 1 }]);
    await snap.snapshot();
    const tree = await written(dir);
    assert.deepEqual(tree.offsets, { 0: '20' }, 'no stale offset for p1 in the snapshot');
    assert.deepEqual(tree.series.map((e) => e.id), ['a']);
  }));

test('a chunk in flight when its partition is released records no offset', () =>
  withDir(async (dir) => {
    const p = parts();
    const snap = snapshotter(p, dir, 500);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    await snap.wrap(handler(p))(records('a', 0, 0, 10));
    const inFlight = snap.wrap(handler(p, gate))(records('b', 1, 0, 10));
    snap.released([1]);
    open();
    await inFlight;
    await snap.snapshot();
    assert.deepEqual((await written(dir)).offsets, { 0: '10' });
  }));

test('restore: a snapshot tail longer than windows.restoreRecordsPerPartition is not replayed; that partition gets the plain replay, with a log saying why', () =>
  withDir(async (dir) => {
    // Instance A's snapshot: p0 at 20, p1 at 550 (it held p1 before a rebalance gave p1 to B).
    const { snap } = await twoPartitions(dir);
    await snap.snapshot();

    // A restarts after B advanced p1 by 6,600 records: the plain replay would read 500.
    const q = parts();
    const log = logs();
    const again = snapshotter(q, dir, 500, log);
    assert.equal(await again.load(), true);
    assert.equal(q.store.has('b'), true, 'installed before the consumer joins');
    const from = again.restoreFrom([
      { partition: 0, committed: 20n + 300n, low: 0n },
      { partition: 1, committed: 550n + 6_600n, low: 0n },
    ]);
    assert.deepEqual([...from], [[0, 20n]], 'p0: its 300-record tail; p1: plain replay');
    assert.equal(q.store.has('b'), false, "p1's snapshot series are dropped: the plain replay rebuilds them");
    assert.equal(q.store.has('a'), true);
    const why = log.lines.find((l) => /too far behind/.test(l.msg));
    assert.ok(why, 'an info line says why p1 was not restored from the snapshot');
    assert.deepEqual(why.obj, { partitions: [{ partition: 1, from: '550', committed: '7150', behind: '6600' }], maxTailRecords: 500 });

    // A tail of exactly the plain replay's length is still restored.
    const r = parts();
    const third = snapshotter(r, dir, 500);
    await third.load();
    assert.deepEqual([...third.restoreFrom([{ partition: 1, committed: 1050n, low: 0n }])], [[1, 550n]]);
  }));

test('a chunk that failed after it was applied (outputs not acknowledged, redelivered) keeps its partition out of the snapshot until a chunk succeeds', () =>
  withDir(async (dir) => {
    const p = parts();
    const snap = snapshotter(p, dir, 500);
    await snap.wrap(handler(p))(records('a', 0, 0, 10));
    await snap.wrap(handler(p))(records('b', 1, 0, 10));
    // What the pipeline does when the produce fails: the records are windowed, then the send throws.
    const failing = async (recs: RawRecord[]) => {
      await handler(p)(recs);
      throw new Error('produce failed');
    };
    await assert.rejects(snap.wrap(failing)(records('a', 0, 10, 10)), /produce failed/);
    await snap.snapshot();
    let tree = await written(dir);
    // With p0 at offset 10 and series a holding ticks 10–19, a restart would take the redelivered
    // ticks 10–19 for duplicates and never write their outputs.
    assert.deepEqual(tree.offsets, { 1: '10' }, 'p0 is left out: its state is ahead of its offset');
    assert.deepEqual(tree.series.map((e) => e.id), ['b']);

    await snap.wrap(handler(p))(records('a', 0, 10, 10)); // the redelivery succeeds
    await snap.snapshot();
    tree = await written(dir);
    assert.deepEqual(tree.offsets, { 0: '20', 1: '10' });
  }));

test('restore: a partition assigned with nothing committed (group offsets deleted or expired) drops its snapshot series at that assignment', () =>
  withDir(async (dir) => {
    const { snap } = await twoPartitions(dir);
    await snap.snapshot();
    const q = parts();
    const again = snapshotter(q, dir, 1000);
    await again.load();
    const plan = planRestore([], 1000);
    const inputs = [
      { partition: 0, committed: 20n, low: 0n },
      { partition: 1, committed: undefined, low: 0n }, // nothing committed: read as configured
    ];
    const full = applySnapshotPlan(plan, inputs, (c) => again.restoreFrom(c));
    assert.deepEqual([...full], []);
    assert.equal(q.store.has('a'), true, 'p0: the snapshot is current');
    assert.equal(q.store.has('b'), false, "p1's snapshot series go now, not minutes later while this instance serves p1 live");
  }));

test('upgrade: a snapshot whose detector state an older release wrote (another state layout) restores windows, and says at warn level that those detectors start fresh', () =>
  withDir(async (dir) => {
    const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 100, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
    const det = new AnomalyDetector();
    const p = { store, outlook: new SeriesOutlook(), detector: det, homes: new SeriesHomes(store.registry) };
    const snap = snapshotter(p, dir, 500);
    await snap.wrap(async (recs: RawRecord[]) => {
      for (const r of recs) {
        const i = Number(r.source.offset);
        store.push(String(r.key), 1000 * (i + 1), [Math.sin(i / 5)], 0);
        det.observe(String(r.key), 1000 * (i + 1), Math.sin(i / 5), null);
        p.homes.note(String(r.key), r.source.partition);
      }
    })(records('a', 0, 0, 50));
    // Firing when the snapshot was taken, by a release that did not save open alerts (before 5 Dec 2026): no `open`.
    p.outlook.restore('a', { forecast: null, ticksSince: 0, lastScore: 0.9, firing: true, firingFeatures: new Set(['value']) });
    await snap.snapshot();
    // What a release before the detector's stateLayout 2 wrote: the same file, its detector fingerprint of layout 1.
    const tree = await written(dir);
    tree.identity.detector = detectorFingerprint({ config: det.config, exportSeries: () => undefined, importSeries: () => {} });
    await new SnapshotFile(dir).write(encodeSnapshot(tree));

    const s2 = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: 100, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
    const det2 = new AnomalyDetector();
    const log = logs();
    const snap2 = snapshotter({ store: s2, outlook: new SeriesOutlook(), detector: det2, homes: new SeriesHomes(s2.registry) }, dir, 500, log);
    assert.equal(await snap2.load(), true);
    assert.equal(s2.ticks('a'), store.ticks('a'), 'the window is restored');
    assert.equal(det2.peek('a'), undefined, 'the detector state of the other layout is not installed');
    const warn = log.lines.find((l) => /detectors of 1 series start fresh/.test(l.msg));
    assert.ok(warn, `a line says the detectors relearn, and why; got ${JSON.stringify(log.lines.map((l) => l.msg))}`);
    assert.match(String(warn.obj.reason), /another configuration or state layout/);
    assert.equal(warn.obj.unresolved, 1);
    assert.match(warn.msg, /1 of them were firing .* no resolved record will close those alerts/, 'the alert left open downstream is named');
  }));

test('a snapshot that keeps failing to write is logged once per errno and once on recovery; failures and lastError count every one', async () => {
  const p = parts();
  const log = logs();
  const errno = (code: string) => Object.assign(new Error(`${code}: cannot write`), { code });
  // ENOSPC ×3, EROFS ×2, written, ENOSPC, written (and so on: the shutdown snapshot too).
  const outcomes: Array<Error | null> = [errno('ENOSPC'), errno('ENOSPC'), errno('ENOSPC'), errno('EROFS'), errno('EROFS'), null, errno('ENOSPC'), null];
  const isRecovery = (l: { msg: string }) => /snapshots can be written again/.test(l.msg);
  const file = {
    path: '/fake/series-state.snap',
    read: async () => null,
    write: async (chunks: readonly Buffer[]) => {
      const next = outcomes.shift();
      if (next) throw next;
      return chunks.reduce((n, c) => n + c.length, 0);
    },
  } as unknown as SnapshotFile;
  const identity = { topic: 't', groupId: 'g', window: W, features: ['value'] };
  const snap = new SeriesSnapshotter({ parts: p, identity, file, intervalMs: 5, maxTailRecords: 100, logger: log.logger });
  await snap.wrap(handler(p))(records('a', 0, 0, 10));
  snap.start();
  const until = Date.now() + 10_000;
  while (log.lines.filter((l) => /snapshot written/.test(l.msg)).length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  await snap.stop();

  const failed = log.lines.filter((l) => l.obj.code === 'TC_SNAPSHOT_WRITE_FAILED');
  assert.deepEqual(failed.map((l) => l.obj.errno), ['ENOSPC', 'EROFS', 'ENOSPC'], JSON.stringify(log.lines.map((l) => l.msg)));
  assert.ok(failed.every((l) => l.obj.file === '/fake/series-state.snap' && /cannot write/.test(String(l.obj.err))));
  assert.deepEqual(log.lines.filter(isRecovery).map((l) => l.obj.after), ['EROFS', 'ENOSPC']);
  const status = snap.status();
  assert.equal(status.failures, 6, 'every failure is counted');
  assert.match(String(status.lastError?.message), /ENOSPC: cannot write/);
  assert.ok(status.last, 'a snapshot was written');
});

test('a stop that gives up a chunk whose outputs wait (brokers down): the snapshot does not wait for it and leaves its partition out; nothing is handled after', async () => {
  await withDir(async (dir) => {
    const p = parts();
    const snap = snapshotter(p, dir, 1000);
    const handle = snap.wrap(handler(p));
    await handle(records('a', 0, 0, W));
    await handle(records('b', 1, 0, W));
    // Partition 0's next chunk: applied (its ticks in the window), its send not acknowledged.
    let ack!: () => void;
    const acked = new Promise<void>((r) => (ack = r));
    const stuck = snap.wrap(async (recs) => (await handler(p)(recs), await acked))(records('a', 0, W, 4));
    const taken = snap.snapshot();
    const early = await Promise.race([taken.then(() => 'taken'), new Promise((r) => setTimeout(() => r('waiting'), 100))]);
    assert.equal(early, 'waiting', 'a snapshot waits for the chunk in flight');
    assert.deepEqual(snap.giveUpInFlight(), [0]);
    const r = await taken;
    assert.equal(r?.series, 1, 'only partition 1: partition 0 holds ticks past its offset (before: the snapshot waited for ever)');
    await assert.rejects(handle(records('b', 1, W, 2)), /stopping/, 'no chunk is handled once chunks were given up');
    ack(); // acknowledged after all: still no offset, the restart processes it again
    await stuck;
    const tree = decodeSnapshot((await new SnapshotFile(dir).read())!) as SnapshotTree;
    assert.deepEqual(Object.keys(tree.offsets), ['1']);
    assert.equal((await snap.snapshot())?.series, 1);
  });
});
