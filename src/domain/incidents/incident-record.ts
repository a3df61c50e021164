/**
 * What one alert does to an incident record, and which records a listing shows: the grouping key of
 * a series, a new record, a member alert added (bounded lists, escalation), the published ones
 * newest first. Pure functions of the record; the grouper (incident-grouper.ts) decides when.
 */
import { incidentId } from '../alerts/alert-id.ts';
import { copyRecord } from './incident-state.ts';
import type { GroupBy, IncidentAlert, IncidentRecord, IncidentSettings, Open } from './incident-types.ts';

/** The grouping key of a series (its label, or its id's prefix), or null when it has none (not grouped). */
export function groupKeyOf(g: GroupBy, series: string, labels?: Readonly<Record<string, string>>): string | null {
  if (g.by === 'label') return labels?.[g.label] || null;
  const m = g.pattern.exec(series);
  return m === null ? null : (m[1] ?? m[0]) || null;
}

/** A new incident of `key` whose first alert is `a`, still empty (`addAlert` adds `a`). */
export function startRecord(key: string, groupBy: string, a: IncidentAlert): IncidentRecord {
  return { kind: 'incident', id: incidentId(key, a.ts), group: key, groupBy, state: 'open', severity: a.severity, firstTs: a.ts, lastTs: a.ts, series: [], alerts: [], count: 0 };
}

/** Add an alert; true when the record changed in a way worth publishing. */
export function addAlert(r: IncidentRecord, a: IncidentAlert, settings: Pick<IncidentSettings, 'maxMembers' | 'minSeries'>): boolean {
  r.count++;
  r.lastTs = Math.max(r.lastTs, a.ts);
  r.firstTs = Math.min(r.firstTs, a.ts); // a series of the key lagging the others joins with an earlier alert
  if (r.alerts.length < settings.maxMembers) r.alerts.push({ id: a.id!, series: a.series, ...(a.feature !== undefined ? { feature: a.feature } : {}), ts: a.ts, severity: a.severity, score: a.score });
  // Listed like the alerts, at most maxMembers: a key whose alerts never pause for `spanMs` (a
  // fleet churning series under one host or prefix) keeps one incident open for weeks, and an
  // unbounded list grew with every series that ever alerted under it, in memory and in each
  // republished record. Series beyond the list count in `count` only and republish nothing.
  const listed = Math.max(settings.maxMembers, settings.minSeries); // a list below minSeries would never publish
  const newSeries = r.series.length < listed && !r.series.includes(a.series);
  if (newSeries) r.series.push(a.series);
  const escalated = a.severity === 'critical' && r.severity === 'warning';
  if (escalated) r.severity = 'critical';
  return newSeries || escalated;
}

/** Published incidents, newest first: open ones, then recently closed ones (copies). */
export function listRecords(open: Iterable<Open>, closed: readonly IncidentRecord[], opts: { state?: 'open' | 'closed'; group?: string; limit: number }): IncidentRecord[] {
  const opened = [...open].filter((o) => o.published).map((o) => o.rec).sort((a, b) => b.lastTs - a.lastTs);
  const closedFirst = [...closed].reverse();
  const all = opts.state === 'open' ? opened : opts.state === 'closed' ? closedFirst : [...opened, ...closedFirst];
  return all.filter((r) => opts.group === undefined || r.group === opts.group).slice(0, opts.limit).map(copyRecord);
}
