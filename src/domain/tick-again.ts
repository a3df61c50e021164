/**
 * A record at a series' last tick's ts (WindowStore.push, duplicatePolicy). A feature that tick
 * lacked (carried forward, input.missingFeature 'carry') and this record brings is written into it
 * under either policy: a reading sent late in a record of its own, as bridges that publish one
 * record per reading do ('merged'; before 6 Dec 2026 it was a duplicate, dropped under 'drop',
 * and the feature kept its first value in every window for good). Other features: kept under
 * 'drop' (the first reading wins), replaced under 'replace'. The window statistics are not
 * revisited; the pipeline scores the merged reading as one of that tick (src/pipeline/accepted.ts
 * mergeReading), and reads the tick's window for its forecast only after the last record of the
 * poll that could merge into it (src/pipeline/tick-reads.ts).
 */
import type { SeriesState } from './window-series.ts';

export function tickAgain(s: SeriesState, values: ArrayLike<number>, window: number, replace: boolean): { outcome: 'duplicate' | 'replaced' | 'merged'; merged?: number[] } {
  const F = s.last.length;
  const slot = (s.head - 1 + window) % window;
  let merged: number[] | undefined; // the features written that the tick lacked (scored as its readings: src/pipeline/accepted.ts)
  for (let f = 0; f < F; f++) {
    if (Number.isNaN(values[f]) || (!replace && s.carried[f] === 0)) continue;
    if (s.carried[f] > 0) (merged ??= []).push(f);
    s.values[slot * F + f] = values[f];
    s.last[f] = values[f];
    s.carried[f] = 0;
  }
  return merged ? { outcome: 'merged', merged } : { outcome: replace ? 'replaced' : 'duplicate' };
}

/**
 * Before the series' next tick is appended: the features its last tick lacked and no record at
 * its ts brought (merged) — carried for good (tickcast_feature_carried_total counts them then, not
 * when the tick came: the reading may still come). Undefined when none (allocates only then).
 */
export function carriedForGood(s: SeriesState): number[] | undefined {
  let out: number[] | undefined;
  for (let f = 0; f < s.carried.length; f++) if (s.carried[f] > 0) (out ??= []).push(f);
  return out;
}

/** A series the registry evicted: its last tick's features carried for good (carriedAtEviction). */
export interface Departed {
  series: string;
  carried: number[] | undefined;
}

/**
 * Drop an evicted series from `held`, keeping what its last tick lacked for good: the next tick that
 * would have counted it in tickcast_feature_carried_total will not come (since 7 Dec 2026; before,
 * never counted). Not for a removal: the series goes on where its partition went, and is counted
 * there. Null when the series was not held or was removed.
 */
export function departing(held: Map<string, SeriesState>, series: string, reason: 'capacity' | 'idle' | 'removed' | 'reset'): Departed | null {
  const s = held.get(series);
  held.delete(series);
  return s && reason !== 'removed' ? { series, carried: carriedForGood(s) } : null;
}
