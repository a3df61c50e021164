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
 *
 * Bounded: sending the resolves and writing the snapshot wait for chunks in flight and their acks,
 * which with the brokers down is the producer's message.timeout.ms (300 s by default): a proxy timed
 * out, the client retried and got 404 (the series was already forgotten). The answer waits at most
 * `waitMs` (10 s) for the two together; what is not done by then goes on in the background and is
 * answered as not confirmed (`resolvesSent` / `snapshotWritten` false).
 */
import type { WindowStore } from '../domain/window-store.ts';
import { waitBudget } from '../waits/bounded.ts';

export interface SeriesResetResult {
  series: string;
  /** Features whose open alert was resolved (`reason: "reset"`), sorted. */
  resolvedAlerts: string[];
  /** False when sending those resolves failed (they are kept and go with the next chunk or flush) or was not confirmed within the wait (it goes on). */
  resolvesSent: boolean;
  /** True when a series-state snapshot without the series was written after the reset (a restart keeps it reset); false also when it was not written within the wait (it goes on: GET /v1/snapshots). */
  snapshotWritten: boolean;
}

export interface SeriesResetParts {
  store: Pick<WindowStore, 'has' | 'delete'>;
  openAlerts: { openFeatures(series: string): readonly string[] };
  /** Send resolved records of departed series now (StreamPipeline.flushDeparted); absent: they go with the next chunk. */
  flush?: () => Promise<number>;
  /** Write a series-state snapshot taken after the reset (SeriesSnapshotter.requestSnapshot); absent: snapshots are off. Resolves null when none was written. */
  persist?: () => Promise<unknown>;
  /** Longest wait for the flush and the snapshot together before answering (default RESET_WAIT_MS). */
  waitMs?: number;
}

export const RESET_WAIT_MS = 10_000;

/** Forget `series` everywhere; null when it is not held. */
export async function resetSeries(p: SeriesResetParts, series: string): Promise<SeriesResetResult | null> {
  if (!p.store.has(series)) return null;
  const resolvedAlerts = [...p.openAlerts.openFeatures(series)].sort();
  p.store.delete(series, 'reset');
  const wait = waitBudget(p.waitMs ?? RESET_WAIT_MS); // one bound for the two, one after the other
  let resolvesSent = p.flush === undefined;
  if (p.flush) await wait(p.flush().then(() => (resolvesSent = true), () => undefined));
  // A failed write is counted and shown by the snapshotter (GET /v1/snapshots lastError); the reset stands.
  let snapshotWritten = false;
  if (p.persist) await wait(p.persist().then((r) => (snapshotWritten = r !== null), () => undefined));
  return { series, resolvedAlerts, resolvesSent, snapshotWritten };
}
