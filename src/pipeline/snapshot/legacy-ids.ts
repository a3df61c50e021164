/**
 * Series ids of a snapshot written under an older id layout. ID_LAYOUT is written into each
 * snapshot: 2 since 7 Dec 2026 (evening), when input.senmlSeries 'baseName' series ids drop bn's
 * trailing ":", "/" or "." (src/domain/senml-codec.ts `deviceId`); the build before (the same day)
 * kept it, so a device's window saved as "urn:dev:mac:0024befffe804ff1:" would never be resumed by
 * ticks now named "urn:dev:mac:0024befffe804ff1", and sat orphaned until idle eviction while the
 * device started a new, empty window. A snapshot without the mark, restored under SenML baseName, has
 * each such id renamed once, before anything is installed (RestoreParts.renameLegacyId).
 */

import { renameStateSeries } from '../../domain/incidents/incident-state.ts';

export const ID_LAYOUT = 2;

/** A saved entry as renaming sees it: its id, and its window's ring of tick times and last tick (SeriesEntry.w). */
type Saved = { id: string; w?: { lastTs: number; ts?: ArrayLike<number>; head?: number; count?: number } };
const lastTs = (e: Saved): number => e.w?.lastTs ?? Number.NEGATIVE_INFINITY;
/** The oldest tick its window holds (NaN: none, or not told). */
function firstTs(e: Saved): number {
  const { ts, head, count } = e.w ?? {};
  if (!ts || head === undefined || !count) return Number.NaN;
  const n = Math.min(count, ts.length);
  return ts[(head - n + ts.length) % ts.length];
}

/**
 * Renames, in place, each entry of a snapshot without `idLayout` whose id `rename` maps to another
 * — so the snapshotter's tail replay sees the new ids too. When the snapshot holds the new id
 * already (a rollback: the build before restored this build's "dev1", never ticked it, and ticked
 * the device as "dev1:"), the old id's entry takes the new id, and the other the old one, orphaned
 * until idle eviction, when the new id's window ended before the old id's began (before 7 Dec 2026,
 * late evening, the new id's entry always stayed: the window of before the rollback resumed, the
 * rollback's readings orphaned). Windows that overlap are two live series (record keys "k" and
 * "k:", no bn): each keeps its own (until that night, the one ticked last took the new id: they swapped). Marks the tree, so a
 * second restore renames nothing ("dev::" is renamed once, to "dev:"). Returns [old, new] pairs (a
 * swap is two; [id, ""]: a three-id chain's middle, removed first: dropChainMiddles). The alert index's series are renamed too (renameIndexed), and the open incidents'
 * members and replay marks (renameStateSeries), by `rename` alone: every alert of the device.
 */
export function renameLegacyIds(tree: { idLayout?: number; series: Saved[]; alerts?: unknown; incidents?: unknown }, rename: ((id: string) => string | null) | undefined): Array<[string, string]> {
  if (tree.idLayout !== undefined || !rename) return [];
  tree.idLayout = ID_LAYOUT;
  const renamed: Array<[string, string]> = dropChainMiddles(tree.series, rename);
  const byId = new Map(tree.series.map((e) => [e.id, e] as const));
  const moved = new Set<Saved>();
  for (const e of [...tree.series].sort((a, b) => a.id.length - b.id.length)) { // shorter first: "dev1:" frees its id before "dev1::" takes it
    const from = e.id;
    const to = moved.has(e) ? null : rename(from);
    if (to === null || to === from) continue;
    const held = byId.get(to);
    if (held !== undefined && (moved.has(held) || !(firstTs(e) > lastTs(held)))) continue; // the new id ticked while the old one did (two live series), or later: kept
    e.id = to;
    moved.add(e);
    byId.set(to, e);
    renamed.push([from, to]);
    if (held === undefined) byId.delete(from);
    else {
      held.id = from;
      moved.add(held);
      byId.set(from, held);
      renamed.push([to, from]);
    }
  }
  renameIndexed(tree.alerts, rename);
  renameStateSeries(tree.incidents, rename);
  return renamed;
}

/**
 * A three-id chain — "dev", "dev:" and "dev::" saved together, each renamed to the one before — is
 * two devices (bn "dev:" and "dev::") across a rollback: the build rolled back to ticked bn "dev:" as
 * "dev:", the id under which it had restored the other device's window, so both devices' readings
 * went into one. That middle window is no device's: it is removed (not installed; returned as
 * [id, ""]), and "dev::" then takes "dev:", "dev" stays. Before 7 Dec 2026 (night) the middle one
 * swapped with "dev" (windows apart in time), handing bn "dev:"'s window to bn "dev::"'s device, or
 * stayed (windows overlapping), which that device then resumed; "dev::" sat orphaned either way.
 */
function dropChainMiddles(series: Saved[], rename: (id: string) => string | null): Array<[string, string]> {
  const ids = new Set(series.map((e) => e.id));
  const targets = new Set<string>();
  for (const e of series) {
    const to = rename(e.id);
    if (to !== null && to !== e.id) targets.add(to);
  }
  const dropped: Array<[string, string]> = [];
  for (let i = series.length - 1; i >= 0; i--) {
    const { id } = series[i];
    const to = rename(id);
    if (to === null || to === id || !ids.has(to) || !targets.has(id)) continue;
    series.splice(i, 1);
    dropped.push([id, '']);
  }
  return dropped.reverse();
}

/**
 * The alert index's series (AlertIndexState: [id, series, …] entries), renamed to the id the device
 * ticks under now: feedback on an alert fired before the restart acts on its series
 * (feedback-service.ts), and under the old id it acted on one that no longer ticks (before 7 Dec
 * 2026, late evening). Every alert of the device, whichever saved window (kept or orphaned) it came
 * from, and of a series not saved (evicted).
 */
function renameIndexed(state: unknown, rename: (id: string) => string | null): void {
  const alerts = (state as { alerts?: unknown } | null | undefined)?.alerts;
  if (!Array.isArray(alerts)) return;
  for (const a of alerts as unknown[][]) {
    if (!Array.isArray(a) || typeof a[1] !== 'string') continue;
    const to = rename(a[1]);
    if (to !== null) a[1] = to;
  }
}
