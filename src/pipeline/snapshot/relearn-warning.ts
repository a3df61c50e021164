/**
 * The warning a snapshot load gives when detectors start fresh (snapshotter.ts): how many series
 * relearn their anomaly detector, why, and how many firing alerts nothing will resolve.
 */
import { detectorFingerprint, type RestoreCounts, type SeriesStateParts, type SnapshotTree } from './series-state.ts';

/**
 * Series saved with detector state that `restoreSeriesState` did not install (`installed` is what
 * it did) relearn their detector from scratch, raising no alerts until it has warmed up again:
 * after an upgrade that changed the detector's state layout, or a change of anomaly.* settings.
 * Said once at warn level, with how many and why; nothing when every saved state was installed.
 */
export function warnDetectorsRelearning(logger: { warn(obj: object, msg: string): void }, file: string, parts: SeriesStateParts, tree: SnapshotTree, restored: RestoreCounts): void {
  const installed = restored.detectors;
  const saved = tree.series.filter((e) => e.d !== null && e.d !== undefined).length;
  if (parts.detector === null || saved <= installed) return;
  const reason = tree.identity.detector === detectorFingerprint(parts.detector)
    ? 'their saved detector state does not fit this release'
    : 'the snapshot was written by a detector with another configuration or state layout (anomaly.* settings changed, or a release that changed the detector)';
  const n = saved - installed;
  const u = restored.unresolved;
  const open = u > 0 ? `; ${u} of them were firing and the snapshot (written before 5 Dec 2026) does not hold their open alerts, so no resolved record will close those alerts: close them downstream by hand` : '';
  logger.warn({ file, series: n, reason, unresolved: u }, `series-state snapshot: the anomaly detectors of ${n} series start fresh (${reason}); windows and forecasts are restored, but those series raise no alerts until their detectors have warmed up again${open}`);
}
