/**
 * The heap the bounded caches hold when full at the service's defaults (docs/reliability.md
 * § Soak): what the soak (load/soak.ts) sees rising until they fill. Each holder is filled with
 * records shaped like the service's own (buildAlertRecord, alertId, the incident grouper with the
 * default incidents settings) for series that are gone — their ids held by the caches only, the
 * worst case — and the post-GC heap is read before and after.
 *
 *   node --expose-gc --import tsx load/soak-ceiling.ts
 *
 * Holders: the alert index (feedback.alertIndexSize), the recent-anomalies ring (firing and
 * resolved records), the incident grouper's replay marks (windows.maxSeries series) and its closed
 * incidents (incidents.keepClosed, each with incidents.maxMembers members and series).
 */
import { loadConfig } from '../src/config/load.ts';
import { buildAlertRecord } from '../src/domain/anomaly/alert-record.ts';
import { alertId } from '../src/domain/alerts/alert-id.ts';
import { IncidentGrouper } from '../src/domain/incidents/incident-grouper.ts';
import { AlertIndex } from '../src/pipeline/alert-index.ts';
import type { AnomalyRecord } from '../src/pipeline/ports.ts';
import { RecentAnomalies, RECENT_ANOMALIES_MAX } from '../src/pipeline/recent-anomalies.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc');
  process.exit(2);
}

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

let serial = 0;
/** A fresh alert record of a series nothing else holds (its id string built at run time). */
function alert(state: 'firing' | 'resolved', host = serial % 1000): AnomalyRecord {
  const n = serial++;
  const series = `h${host}:s${n}`;
  const ts = Date.UTC(2026, 0, 1) + n * 10_000;
  const event = { series, tsMs: ts, value: 512.25 + n, expected: { p50: 112.5, lower: 101.25, upper: 123.75 }, score: 0.98765 + n * 1e-9, severity: 'critical' as const, state, basis: 'model' as const };
  const built = buildAlertRecord(event as Parameters<typeof buildAlertRecord>[0], 'v1', { topic: 'ticks', partition: n % 12, offset: String(1_000_000 + n) });
  return Object.assign(built, { kind: 'alert' as const, id: alertId(built.series, built.ts, built.state, built.severity) });
}

function measure(name: string, entries: number, fill: () => unknown): void {
  const before = heap();
  const keep = fill();
  const after = heap();
  const bytes = after - before;
  console.log(`${name.padEnd(44)} ${String(entries).padStart(7)} entries  ${(bytes / 2 ** 20).toFixed(2).padStart(6)} MB  ${Math.round(bytes / entries).toString().padStart(6)} B/entry`);
  (globalThis as { keep?: unknown[] }).keep = [...((globalThis as { keep?: unknown[] }).keep ?? []), keep];
}

const config = loadConfig({ env: {}, overrides: {} });
const inc = config.incidents;
const settings = (maxOpen: number) => ({ groupBy: { by: 'prefix' as const, pattern: new RegExp(inc.prefixPattern) }, spanMs: inc.spanMs, minSeries: inc.minSeries, maxOpen, maxMembers: inc.maxMembers, keepClosed: inc.keepClosed, maxSeen: config.windows.maxSeries, idleMs: inc.idleCloseMs });
const total = heap();

measure(`alert index (feedback.alertIndexSize)`, config.feedback.alertIndexSize, () => {
  const index = new AlertIndex(config.feedback.alertIndexSize);
  for (let i = 0; i < config.feedback.alertIndexSize; i++) index.add(alert('firing'));
  return index;
});
measure(`recent anomalies (ring)`, RECENT_ANOMALIES_MAX, () => {
  const ring = new RecentAnomalies();
  for (let i = 0; i < RECENT_ANOMALIES_MAX; i++) ring.add(alert(i % 2 === 0 ? 'firing' : 'resolved'));
  return ring;
});
measure(`replay marks (windows.maxSeries series)`, config.windows.maxSeries, () => {
  const g = new IncidentGrouper(settings(inc.maxOpen));
  for (let i = 0; i < config.windows.maxSeries; i++) g.follow(alert('firing', 0)); // one key: its one open incident lists maxMembers of them
  if (g.sizes().seen !== config.windows.maxSeries) throw new Error(`marks ${g.sizes().seen}`);
  return g;
});
measure(`closed incidents (keepClosed × maxMembers)`, inc.keepClosed, () => {
  const g = new IncidentGrouper({ ...settings(1), maxSeen: 1 }); // maxOpen 1: the next key closes the incident; marks kept apart (above)
  for (let k = 0; k <= inc.keepClosed; k++) for (let m = 0; m < inc.maxMembers; m++) g.follow(alert('firing', 5000 + k));
  if (g.sizes().closed !== inc.keepClosed) throw new Error(`closed ${g.sizes().closed}`);
  return g;
});
console.log(`all four, full at the defaults: ${((heap() - total) / 2 ** 20).toFixed(2)} MB`);
