/**
 * Sensor outages for the robustness check of `bench:nab`: stretches of rows removed from a
 * labelled file, so that the detector sees gaps in event time. Only rows outside the anomaly
 * windows (and one row either side of them) and after the first 20 % of the file are removed, so
 * every window keeps all its rows and the labels stay valid. Deterministic for a given rng.
 */
import type { NabRow } from './io.ts';
import { randInt, type Rng } from './rng.ts';
import { normaliseTimestamp, type WindowLimits } from './sweeper.ts';

export interface OutageOptions {
  /** Outages tried per file (one that would touch a window is skipped). */
  count: number;
  /** Rows each outage removes, drawn uniformly in [minTicks, maxTicks]. */
  minTicks: number;
  maxTicks: number;
}

export const DEFAULT_OUTAGES: Readonly<OutageOptions> = Object.freeze({ count: 5, minTicks: 6, maxTicks: 48 });

/** The rows of one file with outages cut out; `removed` counts the rows dropped. */
export function withOutages(
  rows: readonly NabRow[], windows: readonly WindowLimits[], rng: Rng, o: Readonly<OutageOptions> = DEFAULT_OUTAGES,
): { rows: NabRow[]; removed: number } {
  const index = new Map<string, number>();
  rows.forEach((r, i) => {
    const k = normaliseTimestamp(r.timestamp);
    if (!index.has(k)) index.set(k, i);
  });
  const spans = windows.map(([a, b]) => [index.get(normaliseTimestamp(a)) ?? -1, index.get(normaliseTimestamp(b)) ?? rows.length] as const);
  const drop = new Uint8Array(rows.length);
  const first = Math.floor(rows.length * 0.2);
  for (let k = 0; k < o.count; k++) {
    const len = randInt(rng, o.minTicks, o.maxTicks);
    const last = rows.length - len - 1;
    if (last <= first) break;
    const at = randInt(rng, first, last);
    if (spans.some(([a, b]) => at + len >= a - 1 && at <= b + 1)) continue;
    drop.fill(1, at, at + len);
  }
  const kept = rows.filter((_, i) => drop[i] === 0);
  return { rows: kept, removed: rows.length - kept.length };
}
