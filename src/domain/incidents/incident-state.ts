/**
 * The grouper's state as plain JSON, for the series-state snapshot (docs/reliability.md,
 * "Series-state snapshots"): without it an incident open at a restart was never closed and its
 * `closed` record never published. Layout version `v` (1); a state of another version or taken
 * under another grouping (`groupBy`) is not installed. Open incidents are listed least recently
 * alerting first (the order `maxOpen` closes them in), each with its record, whether it was published and its
 * group's own event time `clock`, the member alerts still `firing` and the latest resolve `calmFrom` (all absent in
 * states before 6 Dec 2026: the clock at its last alert's ts, none firing); `closed` the
 * recently closed ones kept for listing (oldest first; absent in states before it: none); `seen`
 * holds the replay marks (incident-seen.ts).
 */
import type { IncidentRecord, Open } from './incident-types.ts';

export const INCIDENT_STATE_LAYOUT = 1;

export interface IncidentState {
  v: number;
  groupBy: string;
  open: Array<{ key: string; published: boolean; rec: IncidentRecord; clock?: number; firing?: string[]; calmFrom?: number }>;
  closed?: IncidentRecord[];
  seen: unknown;
}

export function toState(groupBy: string, open: ReadonlyMap<string, Open>, closed: readonly IncidentRecord[], seen: unknown): IncidentState {
  const list = [...open].map(([key, o]) => ({ key, published: o.published, rec: copyRecord(o.rec), clock: o.clock, firing: [...o.firing], calmFrom: o.calmFrom }));
  return { v: INCIDENT_STATE_LAYOUT, groupBy, open: list, closed: closed.map(copyRecord), seen };
}

export function copyRecord(r: IncidentRecord): IncidentRecord {
  return { ...r, series: [...r.series], alerts: r.alerts.map((m) => ({ ...m })) };
}

/**
 * Open and recently closed incidents and replay marks of a saved state (null when it is absent, of another layout or
 * grouping); malformed incidents are skipped.
 */
export function fromState(state: unknown, groupBy: string): { open: Map<string, Open>; closed: IncidentRecord[]; seen: unknown } | null {
  const s = state as Partial<IncidentState> | null | undefined;
  if (!s || s.v !== INCIDENT_STATE_LAYOUT || s.groupBy !== groupBy || !Array.isArray(s.open)) return null;
  const open = new Map<string, Open>();
  for (const e of s.open) {
    if (!e || typeof e.key !== 'string' || !isRecord(e.rec)) continue;
    const clock = Number.isFinite(e.clock) ? Math.max(e.clock!, e.rec.lastTs) : e.rec.lastTs;
    const firing = Array.isArray(e.firing) ? e.firing.filter((f) => typeof f === 'string') : [];
    const calmFrom = Number.isFinite(e.calmFrom) ? e.calmFrom : undefined;
    open.set(e.key, { rec: { ...e.rec, state: 'open' }, published: e.published === true, clock, firing, calmFrom });
  }
  const closed = (Array.isArray(s.closed) ? s.closed : []).filter(isRecord).map((r) => ({ ...r, state: 'closed' as const }));
  return { open, closed, seen: s.seen };
}

/**
 * The published open incidents of a state taken under another grouping (`incidents.groupBy` or its
 * label changed across the restart): not installed, but their `open` records are out on the
 * compacted topic and would stay open for good unless a `closed` record follows.
 */
export function strandedOf(state: unknown, groupBy: string): IncidentRecord[] {
  const s = state as Partial<IncidentState> | null | undefined;
  if (!s || s.v !== INCIDENT_STATE_LAYOUT || s.groupBy === groupBy || !Array.isArray(s.open)) return [];
  return s.open.filter((e) => e?.published === true && isRecord(e.rec)).map((e) => ({ ...copyRecord(e.rec), state: 'open' as const }));
}

function isRecord(r: unknown): r is IncidentRecord {
  const x = r as Partial<IncidentRecord> | null;
  return !!x && x.kind === 'incident' && typeof x.id === 'string' && typeof x.group === 'string' && Array.isArray(x.series) && Array.isArray(x.alerts) &&
    Number.isFinite(x.count) && Number.isFinite(x.firstTs) && Number.isFinite(x.lastTs);
}

/**
 * Rename, in place, the series of a saved state's open incidents — its members, its firing list
 * (`series` or `series\u0000feature`) — and the replay marks (`[series, ts, …ids]`), each id
 * `rename` maps to another (null: kept). For a snapshot of an older id layout
 * (src/pipeline/snapshot/legacy-ids.ts): a device now ticking under its new id resolves its
 * firing member and its redelivered alerts are known. Before 7 Dec 2026 (night) they kept the old
 * id: the member fired on until incidents.idleCloseMs released it, holding the incident open.
 * The grouping `key` and the closed incidents (records already published) are left as they are.
 */
export function renameStateSeries(state: unknown, rename: (id: string) => string | null): void {
  const s = state as Partial<IncidentState> | null | undefined;
  if (!s || s.v !== INCIDENT_STATE_LAYOUT) return;
  const to = (id: string): string => rename(id) ?? id;
  for (const e of Array.isArray(s.open) ? s.open : []) {
    if (!e || !isRecord(e.rec)) continue;
    e.rec.series = [...new Set(e.rec.series.map((id) => (typeof id === 'string' ? to(id) : id)))];
    for (const m of e.rec.alerts) if (m && typeof m.series === 'string') m.series = to(m.series);
    if (Array.isArray(e.firing)) e.firing = [...new Set(e.firing.map((f) => (typeof f === 'string' ? renameFiring(f, to) : f)))];
  }
  for (const m of Array.isArray(s.seen) ? (s.seen as unknown[]) : []) if (Array.isArray(m) && typeof m[0] === 'string') m[0] = to(m[0]);
}

/** A firing entry (`series` or `series\u0000feature`) with its series renamed. */
function renameFiring(f: string, to: (id: string) => string): string {
  const i = f.indexOf('\u0000');
  return i < 0 ? to(f) : to(f.slice(0, i)) + f.slice(i);
}
