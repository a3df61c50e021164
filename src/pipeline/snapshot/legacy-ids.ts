/**
 * Series ids of a snapshot written under an older id layout. ID_LAYOUT is written into each
 * snapshot: 2 since 7 Dec 2026 (evening), when input.senmlSeries 'baseName' series ids drop bn's
 * trailing ":", "/" or "." (src/domain/senml-codec.ts `deviceId`); the build before (the same day)
 * kept it, so a device's window saved as "urn:dev:mac:0024befffe804ff1:" would never be resumed by
 * ticks now named "urn:dev:mac:0024befffe804ff1", and sat orphaned until idle eviction while the
 * device started a new, empty window. A snapshot without the mark, restored under SenML baseName, has
 * each such id renamed once, before anything is installed (RestoreParts.renameLegacyId).
 */

export const ID_LAYOUT = 2;

/**
 * Renames, in place, each entry of a snapshot without `idLayout` whose id `rename` maps to another
 * — so the snapshotter's tail replay sees the new ids too — unless the snapshot holds that id
 * already (then the old one stays, orphaned until idle eviction, as before). Marks the tree, so a
 * second restore renames nothing ("dev::" is renamed once, to "dev:"). Returns [old, new] pairs.
 */
export function renameLegacyIds(tree: { idLayout?: number; series: Array<{ id: string }>; alerts?: unknown }, rename: ((id: string) => string | null) | undefined): Array<[string, string]> {
  if (tree.idLayout !== undefined || !rename) return [];
  tree.idLayout = ID_LAYOUT;
  const ids = new Set(tree.series.map((e) => e.id));
  const renamed: Array<[string, string]> = [];
  for (const e of tree.series) {
    const to = rename(e.id);
    if (to === null || to === e.id || ids.has(to)) continue;
    renamed.push([e.id, to]);
    ids.add(to);
    e.id = to;
  }
  renameIndexed(tree.alerts, new Set(tree.series.map((e) => e.id)), rename);
  return renamed;
}

/**
 * The alert index's series (AlertIndexState: [id, series, …] entries), renamed as their series were:
 * feedback on an alert fired before the restart acts on its series (feedback-service.ts), and under
 * the old id it acted on one that no longer ticks (before 7 Dec 2026, late evening). `kept`: the ids
 * the snapshot's series have now — one kept under its old id (its new id saved too) keeps its alerts;
 * an alert of a series not saved (evicted) is renamed as its series would have been.
 */
function renameIndexed(state: unknown, kept: ReadonlySet<string>, rename: (id: string) => string | null): void {
  const alerts = (state as { alerts?: unknown } | null | undefined)?.alerts;
  if (!Array.isArray(alerts)) return;
  for (const a of alerts as unknown[][]) {
    if (!Array.isArray(a) || typeof a[1] !== 'string' || kept.has(a[1])) continue;
    const to = rename(a[1]);
    if (to !== null) a[1] = to;
  }
}
