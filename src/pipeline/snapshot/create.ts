/** Build the series-state snapshotter from its settings (app.ts), or null when snapshots are off. */
import path from 'node:path';
import { SnapshotFile } from './file-store.ts';
import type { RestoreParts } from './series-state.ts';
import type { ModelSpec } from '../../domain/types.ts';
import { deviceId } from '../../domain/senml-codec.ts';
import { SeriesSnapshotter } from './snapshotter.ts';
import type { SnapshotLogger } from './status.ts';

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
  /** anomaly.features (absent with anomaly detection off): saved detector state of a feature no longer scored is not installed. */
  anomalyFeatures?: 'targets' | 'all';
  /** input.format senml with input.senmlSeries baseName: an older snapshot's ids ending in bn's separator are renamed once (legacy-ids.ts). */
  senmlBaseName?: boolean;
}

/** The id a SenML baseName series saved before ID_LAYOUT 2 has now, or null: the same. */
const senmlLegacyId = (id: string): string | null => (deviceId(id) === id ? null : deviceId(id));

export function createSnapshotter(s: SnapshotSettings, parts: RestoreParts, spec: Pick<ModelSpec, 'features' | 'targets' | 'logFeatures'>, logger: SnapshotLogger): SeriesSnapshotter | null {
  const dir = s.dir || (s.modelDir ? path.join(s.modelDir, 'series-state') : '');
  if (!s.enabled || !dir) return null;
  const scored = s.anomalyFeatures === undefined ? undefined : s.anomalyFeatures === 'all' ? spec.features : spec.targets;
  return new SeriesSnapshotter({
    parts: { ...parts, ...(scored ? { scored } : {}), ...(s.senmlBaseName ? { renameLegacyId: senmlLegacyId } : {}) },
    identity: { topic: s.topic, groupId: s.groupId, window: parts.store.window, features: spec.features, logFeatures: spec.logFeatures ?? [] },
    file: new SnapshotFile(dir),
    intervalMs: s.intervalMs,
    maxTailRecords: s.maxTailRecords,
    logger,
  });
}
