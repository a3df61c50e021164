/** The grouper's settings and input, the incident record and an open incident's bookkeeping (incident-grouper.ts). */
export type GroupBy = { by: 'label'; label: string } | { by: 'prefix'; pattern: RegExp };

export interface IncidentSettings {
  groupBy: GroupBy;
  spanMs: number;
  /** Distinct series an incident needs before it is published. */
  minSeries: number;
  maxOpen: number;
  maxMembers: number;
  keepClosed: number;
  /** Series whose latest alert is remembered to tell replays (default 10,000: windows.maxSeries). */
  maxSeen?: number;
  /** Wall time without a tick of its group after which an open incident closes (at least spanMs; default 30 min). */
  idleMs?: number;
}

/** What the grouper needs of an alert record. */
export interface IncidentAlert {
  id?: string;
  series: string;
  ts: number;
  severity: 'warning' | 'critical';
  state: 'firing' | 'resolved';
  score: number;
  /** The feature whose alert it is (a series fires per feature). */
  feature?: string;
  /** Sent late, at this tick, after a maintenance span held it back (`ts` is its real start): it is grouped as of this tick. */
  heldUntilTs?: number;
}

export interface IncidentMember {
  id: string;
  series: string;
  /** The feature whose alert it is (a series alerts per feature); absent on members of records written before 6 Dec 2026. */
  feature?: string;
  ts: number;
  severity: 'warning' | 'critical';
  score: number;
}

/** The incident record (anomalies topic, `kind: "incident"`; docs/schemas.md). */
export interface IncidentRecord {
  kind: 'incident';
  id: string;
  /** The grouping key value, e.g. "web-1". */
  group: string;
  /** How the key was found: "label:<name>" or "prefix". */
  groupBy: string;
  state: 'open' | 'closed';
  severity: 'warning' | 'critical';
  firstTs: number;
  lastTs: number;
  /** Distinct member series, in order of their first alert. */
  series: string[];
  /** Member alerts (at most maxMembers, earliest first). */
  alerts: IncidentMember[];
  /** Member alerts in all, including any beyond the list. */
  count: number;
}

export interface Open {
  rec: IncidentRecord;
  published: boolean;
  /** The group's own event time: the latest tick or alert ts of its series (incidents close on it). */
  clock: number;
  /** Member alerts still firing (series + feature): the incident does not close while one is. */
  firing: string[];
  /** Event time of the latest member resolve (quiet counts from it too). */
  calmFrom?: number;
  /** Wall time of the advance after the group's latest tick (idle close); unset: ticked since the last advance, or restored. */
  wall?: number;
}
