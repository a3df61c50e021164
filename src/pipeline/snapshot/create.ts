/** Build the series-state snapshotter from its settings (app.ts), or null when snapshots are off. */
import path from 'node:path';
import { SnapshotFile } from './file-store.ts';
import type { SeriesStateParts } from './series-state.ts';
import type { ModelSpec } from '../../domain/types.ts';
import { SeriesSnapshotter, type SnapshotLogger } from './snapshotter.ts';

export interface SnapshotSettings {
  enabled: boolean;
  /** Snapshot directory; empty → `<modelDir>/series-state`; both empty → no snapshots. */
  dir: string;
  modelDir: string;
  intervalMs: number;
  topic: string;
  groupId: string;
  /** windows.restoreRecordsPerPartition: a partition's snapshot tail longer than this is replayed plainly instead. */
  maxTailRecords: number;
}

export function createSnapshotter(s: SnapshotSettings, parts: SeriesStateParts, spec: Pick<ModelSpec, 'features' | 'logFeatures'>, logger: SnapshotLogger): SeriesSnapshotter | null {
  const dir = s.dir || (s.modelDir ? path.join(s.modelDir, 'series-state') : '');
  if (!s.enabled || !dir) return null;
  return new SeriesSnapshotter({
    parts,
    identity: { topic: s.topic, groupId: s.groupId, window: parts.store.window, features: spec.features, logFeatures: spec.logFeatures ?? [] },
    file: new SnapshotFile(dir),
    intervalMs: s.intervalMs,
    maxTailRecords: s.maxTailRecords,
    logger,
  });
}
