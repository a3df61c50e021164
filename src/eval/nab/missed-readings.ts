/**
 * Irregular sampling for the robustness check of `bench:nab`: each row of a labelled file is lost
 * with probability `rate`, as when a radio or a poller drops a reading now and then (the next
 * reading arrives two or three intervals after the last). The first 10 rows and the first and
 * last row of every anomaly window are kept, so the labels stay valid; rows inside a window may be
 * lost like any other (an anomaly's peak can go unseen, as in a real feed). Deterministic for a
 * given rng.
 */
import type { NabRow } from './io.ts';
import type { Rng } from './rng.ts';
import { normaliseTimestamp, type WindowLimits } from './sweeper.ts';

export function withMissedReadings(rows: readonly NabRow[], windows: readonly WindowLimits[], rate: number, rng: Rng): NabRow[] {
  const keep = new Set(windows.flat().map(normaliseTimestamp));
  return rows.filter((r, i) => i < 10 || keep.has(normaliseTimestamp(r.timestamp)) || rng() >= rate);
}
