/**
 * A series firing in the series-state snapshot and evicted while the snapshot is installed (the
 * store holds fewer series now: windows.maxSeries lowered across the restart) gets its `resolved`
 * record (reason evicted), and that resolve reaches its restored incident: the incident closes
 * spanMs after it, as it would without the restart. Wired as the pipeline wires them: the
 * registry's departures tell TickAlerts (resolve), then every holder forgets (series-departures.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IncidentGrouper, type IncidentRecord, type IncidentSettings } from '../../../src/domain/incidents/incident-grouper.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import type { ModelSpec, RawRecord, Tick } from '../../../src/domain/types.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { RecentAnomalies } from '../../../src/pipeline/recent-anomalies.ts';
import { TickAlerts } from '../../../src/pipeline/tick-alerts.ts';
import { SeriesDepartures } from '../../../src/pipeline/series-departures.ts';
import type { AnomalyScorer, OutMessage } from '../../../src/pipeline/ports.ts';
import { SnapshotFile } from '../../../src/pipeline/snapshot/file-store.ts';
import { SeriesHomes } from '../../../src/pipeline/snapshot/series-state.ts';
import { SeriesSnapshotter } from '../../../src/pipeline/snapshot/snapshotter.ts';

const MIN = 60_000;
const settings: IncidentSettings = { groupBy: { by: 'prefix', pattern: /^([^:]+):/ }, spanMs: 5 * MIN, minSeries: 2, maxOpen: 100, maxMembers: 100, keepClosed: 10, idleMs: 30 * MIN };
const spec = { window: 4, features: ['value'], targets: ['value'], horizon: 1, quantiles: [0.1, 0.5, 0.9] } as unknown as ModelSpec;

/** web-1:cpu fires at minute 1 and keeps firing; web-1:mem fires at minute 2 and resolves at minute 3. */
const scorer: AnomalyScorer = {
  observe(series, tsMs, value, _band, feature = 'value') {
    const base = { series, feature, tsMs, value, score: 0.9, severity: 'warning' as const, expected: null, basis: 'fallback' as const };
    const m = tsMs / MIN;
    if ((series === 'web-1:cpu' && m === 1) || (series === 'web-1:mem' && m === 2)) return { score: 0.9, event: { ...base, state: 'firing' as const, view: 'forecast' as const } };
    if (series === 'web-1:mem' && m === 3) return { score: 0.1, event: { ...base, score: 0.1, state: 'resolved' as const } };
    return { score: 0.1 };
  },
  forget() {},
};

/** One service instance: store, outlook, alerts and incidents wired as app.ts / stream-pipeline.ts do, and its snapshotter. */
function service(dir: string, maxSeries: number) {
  const store = new WindowStore({ window: 4, features: 1, stride: 1, maxSeries, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: 20 });
  const outlook = new SeriesOutlook();
  const incidents = new IncidentGrouper(settings);
  const published: IncidentRecord[] = [];
  const follower = { alert: (rec: Parameters<IncidentGrouper['follow']>[0], labels?: Record<string, string>) => void published.push(...incidents.follow(rec, labels)) };
  const alerts = new TickAlerts({ scorer, outlook, recentAnomalies: new RecentAnomalies(), spec: () => spec, followers: [follower], trace: () => ({}) });
  const forget = (s: string) => (outlook.forget(s), incidents.forget(s));
  new SeriesDepartures(store, forget, () => {}, (s, reason) => alerts.departed(s, reason));
  const parts = { store, outlook, detector: null, homes: new SeriesHomes(store.registry), incidents };
  const logger = { info: () => undefined, warn: () => undefined };
  const snap = new SeriesSnapshotter({ parts, identity: { topic: 't', groupId: 'g', window: 4, features: ['value'] }, file: new SnapshotFile(dir), intervalMs: 0, maxTailRecords: 1000, logger });
  const out: OutMessage[] = [];
  const handle = snap.wrap(async (recs) => {
    for (const r of recs) {
      const series = String(r.key);
      const tsMs = Number(r.source.offset) * MIN;
      store.push(series, tsMs, [1], 0);
      parts.homes.note(series, 0);
      alerts.score({ series, tsMs, values: Float64Array.of(1) } as unknown as Tick, r, false, null, out);
      incidents.tick(series, undefined, tsMs);
    }
    alerts.drain(out);
    published.push(...incidents.advance(0));
  });
  const tick = (series: string, min: number) => handle([{ key: Buffer.from(series), value: null, headers: {}, source: { topic: 't', partition: 0, offset: String(min) }, receivedAtMs: 0 } as unknown as RawRecord]);
  const records = () => out.filter((m) => m.stream === 'anomalies').map((m) => JSON.parse(String(m.value)) as Record<string, unknown>);
  return { snap, tick, incidents, published, records, alerts, out };
}

test('a firing series evicted while the snapshot is installed resolves (reason evicted), and its restored incident takes the resolve: it closes spanMs after it, not after idleMs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tc-incidents-evicted-'));
  return (async () => {
    const a = service(dir, 100);
    await a.tick('web-1:cpu', 1);
    await a.tick('web-1:mem', 2);
    await a.tick('web-1:mem', 3);
    assert.deepEqual(a.records().map((r) => [r.series, r.state]), [['web-1:cpu', 'firing'], ['web-1:mem', 'firing'], ['web-1:mem', 'resolved']]);
    assert.deepEqual(a.published.map((r) => r.state), ['open'], 'the incident is published');
    await a.snap.snapshot();

    const b = service(dir, 1);
    assert.equal(await b.snap.load(), true); // installing web-1:mem evicts web-1:cpu (least recently seen)
    const closed: IncidentRecord[] = [];
    for (let m = 4; m < 14; m++) {
      await b.tick('web-1:mem', m);
      closed.push(...b.published.splice(0));
    }
    const resolved = b.records().filter((r) => r.series === 'web-1:cpu');
    assert.deepEqual(resolved.map((r) => [r.state, r.reason, r.eviction, r.ts]), [['resolved', 'evicted', 'cap', 1 * MIN]], 'web-1:cpu\'s alert is resolved once');
    assert.deepEqual(closed.map((r) => r.state), ['closed'], `the incident closed within spanMs of the resolve (${JSON.stringify(b.incidents.list({ limit: 5 }))})`);
  })().finally(() => rmSync(dir, { recursive: true, force: true }));
});
