/**
 * POST /v1/series/{id}/reset: an operator forgets one series, as if it had never been seen. Why:
 * units are held per series (docs/schemas.md, "Units: one unit a series"), so a sensor re-configured from °C to K had
 * every pack dead-lettered (TC_RECORD_UNIT_MISMATCH) until the series went idle for
 * `windows.idleEvictMs` or the whole fleet's check was turned off (`input.senmlUnits: any`).
 *
 * The series goes through the registry (WindowStore.delete, reason 'reset'), so every holder
 * forgets it — units, window and statistics, detector, forecasts, fine-tune pairs, fusion — not the
 * unit alone: a window holding °C readings followed by K ones is the false anomaly the unit check
 * exists to prevent. Its open alerts are resolved with `reason: "reset"` (TickAlerts.departed) and
 * sent now rather than with the next chunk, which may never come.
 *
 * Durable: a series-state snapshot is then written (SeriesSnapshotter.requestSnapshot; resets in a
 * burst share one). Before 7 Dec 2026 (night) none was, and a restart before the next periodic
 * snapshot restored the series from the last one — its old unit, window and alert state — so the
 * re-configured sensor's packs were dead-lettered again. `snapshotWritten` false (snapshots off, the
 * write failed, or nothing to capture yet: no partition handled or restored): a restart before the next snapshot may bring the series back.
 */
import type { WindowStore } from '../domain/window-store.ts';

export interface SeriesResetResult {
  series: string;
  /** Features whose open alert was resolved (`reason: "reset"`), sorted. */
  resolvedAlerts: string[];
  /** False when sending those resolves failed: they are kept and go with the next chunk or flush. */
  resolvesSent: boolean;
  /** True when a series-state snapshot without the series was written after the reset (a restart keeps it reset). */
  snapshotWritten: boolean;
}

export interface SeriesResetParts {
  store: Pick<WindowStore, 'has' | 'delete'>;
  openAlerts: { openFeatures(series: string): readonly string[] };
  /** Send resolved records of departed series now (StreamPipeline.flushDeparted); absent: they go with the next chunk. */
  flush?: () => Promise<number>;
  /** Write a series-state snapshot taken after the reset (SeriesSnapshotter.requestSnapshot); absent: snapshots are off. Resolves null when none was written. */
  persist?: () => Promise<unknown>;
}

/** Forget `series` everywhere; null when it is not held. */
export async function resetSeries(p: SeriesResetParts, series: string): Promise<SeriesResetResult | null> {
  if (!p.store.has(series)) return null;
  const resolvedAlerts = [...p.openAlerts.openFeatures(series)].sort();
  p.store.delete(series, 'reset');
  let resolvesSent = true;
  if (p.flush) await p.flush().catch(() => (resolvesSent = false));
  // A failed write is counted and shown by the snapshotter (GET /v1/snapshots lastError); the reset stands.
  const snapshotWritten = p.persist ? await p.persist().then((r) => r !== null, () => false) : false;
  return { series, resolvedAlerts, resolvesSent, snapshotWritten };
}
