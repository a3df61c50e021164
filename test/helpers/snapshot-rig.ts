/**
 * The series-state snapshot part of the pipeline, for unit tests of what a snapshot carries across
 * a restart (alert index, incidents): a window store (window 4, one feature `value`) with the
 * parts the test adds, a snapshotter writing to `dir` on demand (`intervalMs: 0`), and
 * `tick(series, offset)`, which hands one record at that offset (partition 0) through the
 * snapshotter to what the pipeline does with it as far as snapshots go: window it at
 * `offset × msPerOffset`, note the series' partition.
 */
import { WindowStore } from '../../src/domain/window-store.ts';
import type { RawRecord } from '../../src/domain/types.ts';
import { SeriesOutlook } from '../../src/pipeline/series-outlook.ts';
import { SnapshotFile } from '../../src/pipeline/snapshot/file-store.ts';
import { SeriesHomes, type SeriesStateParts } from '../../src/pipeline/snapshot/series-state.ts';
import { SeriesSnapshotter } from '../../src/pipeline/snapshot/snapshotter.ts';

type ExtraParts = Pick<SeriesStateParts, 'alertIndex' | 'incidents'>;

export function snapshotRig(dir: string, extra: ExtraParts, opts: { maxSeries?: number; msPerOffset?: number } = {}) {
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries: opts.maxSeries ?? 100, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const parts = { store, outlook: new SeriesOutlook(), detector: null, homes: new SeriesHomes(store.registry), ...extra };
  const logger = { info: () => undefined, warn: () => undefined };
  const snap = new SeriesSnapshotter({ parts, identity: { topic: 't', groupId: 'g', window: 4, features: ['value'] }, file: new SnapshotFile(dir), intervalMs: 0, maxTailRecords: 1000, logger });
  const msPerOffset = opts.msPerOffset ?? 1000;
  const handle = snap.wrap(async (recs) => {
    for (const r of recs) {
      store.push(String(r.key), Number(r.source.offset) * msPerOffset, [1], 0);
      parts.homes.note(String(r.key), 0);
    }
  });
  const tick = (series: string, offset: number) => handle([{ key: Buffer.from(series), value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(offset) }, receivedAtMs: 0 } as unknown as RawRecord]);
  return { snap, store, tick };
}
