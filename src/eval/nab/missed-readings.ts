/**
 * Irregular sampling for the robustness check of `bench:nab`: each row of a labelled file is lost
 * with probability `rate`, as when a radio or a poller drops a reading now and then (the next
 * reading arrives two or three intervals after the last); with `jitter` > 0 the rows kept also
 * arrive off their clock by up to ± jitter × the file's first interval (whole seconds). The first
 * 10 rows and the first and last row of every anomaly window are kept as they are, so the labels
 * stay valid; rows inside a window may be lost like any other (an anomaly's peak can go unseen, as
 * in a real feed). Deterministic for a given rng.
 */
import { nabTimestampMs } from './detect.ts';
import { rowTimestamp } from './inject.ts';
import type { NabRow } from './io.ts';
import type { Rng } from './rng.ts';
import { normaliseTimestamp, type WindowLimits } from './sweeper.ts';

export function withMissedReadings(rows: readonly NabRow[], windows: readonly WindowLimits[], rate: number, rng: Rng, jitter = 0): NabRow[] {
  const edges = new Set(windows.flat().map(normaliseTimestamp));
  const fixed = (r: NabRow, i: number): boolean => i < 10 || edges.has(normaliseTimestamp(r.timestamp));
  const kept = rows.filter((r, i) => fixed(r, i) || rng() >= rate);
  if (jitter <= 0 || rows.length < 2) return kept;
  const step = Math.abs(nabTimestampMs(rows[1].timestamp) - nabTimestampMs(rows[0].timestamp));
  return kept.map((r, i) => (fixed(r, i) ? r : { ...r, timestamp: rowTimestamp(nabTimestampMs(r.timestamp) + Math.round(((rng() - 0.5) * 2 * jitter * step) / 1000) * 1000) }));
}
