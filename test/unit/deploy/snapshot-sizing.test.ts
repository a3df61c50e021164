/**
 * The chart sizes the per-pod snapshot emptyDir (snapshots.sizeLimit) for two snapshot files, and
 * values.yaml and docs/deployment.md tell users how much a mature series takes. Those figures
 * against the codec: a snapshot of series whose detector has seen a long feed (every ring full,
 * the long-cycle filter's hourly means included) is sealed here, and its bytes per series compared.
 * Fusion's per-series state (fixed size) is included. A detector that grows (a new view, a longer
 * ring) changes the measured figure and fails this until the docs and, where needed, the default
 * sizeLimit follow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnomalyDetector } from '../../../src/domain/anomaly/index.ts';
import { ForecastFusion } from '../../../src/domain/fusion/forecast-fusion.ts';
import { WindowStore } from '../../../src/domain/window-store.ts';
import { SeriesOutlook } from '../../../src/pipeline/series-outlook.ts';
import { fillFrom, sealSnapshot, SnapshotLayout, toPlain } from '../../../src/pipeline/snapshot/codec.ts';
import { captureSeries, SeriesHomes, snapshotHead, type SeriesStateParts } from '../../../src/pipeline/snapshot/series-state.ts';
import { configSchema } from '../../../src/config/schema.ts';
import { read, readYaml } from './repo.ts';

const S = 40;
const W = 64;
/** A mature feed: one reading a minute for 25 days (the long-cycle filter keeps 425 hourly means). */
const TICKS = 36_000;

function measuredBytesPerSeries(): number {
  const { model, fusion: f } = configSchema.parse({});
  const fusion = new ForecastFusion({ horizon: model.horizon, targets: 1, quantiles: model.quantiles, halfLifeTicks: f.halfLifeTicks, minScoredTicks: f.minScoredTicks, margin: f.margin, seasonTicks: f.seasonTicks });
  const mature = new AnomalyDetector({});
  for (let i = 0; i < TICKS; i++) mature.observe('x', i * 60_000, 50 + 10 * Math.sin(i / 10) + (i % 7) / 7, null);
  const plain = toPlain(mature.exportSeries('x')!, new Set([mature.config]));
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: S, idleEvictMs: 3_600_000, duplicatePolicy: 'drop', normHalfLifeTicks: 0 });
  const parts: SeriesStateParts = { store, outlook: new SeriesOutlook(), detector: new AnomalyDetector({}), homes: new SeriesHomes(store.registry), fusion };
  for (let s = 0; s < S; s++) {
    const id = `sensor-${s}`;
    for (let k = 0; k < W; k++) store.push(id, Date.UTC(2025, 0, 1) + k * 60_000, [50 + Math.sin(k + s)], 0);
    parts.homes.note(id, 0);
    parts.detector!.importSeries(id, Object.keys(plain), (fresh) => fillFrom(fresh, plain));
    // Fusion's state: fixed-size arrays (pending paths, error sums) once a series is served.
    fusion.importSeries(id, (fresh: any) => {
      fresh.paths.fill(50.5);
      fresh.issued.fill(1);
      fresh.scored = TICKS;
    });
    parts.outlook.setForecast(id, { ts: 0, model: 'v1', horizon: Array.from({ length: model.horizon }, (_, j) => ({ step: j + 1, ts: j, p10: 1, p50: 2, p90: 3 })) });
  }
  const offsets = new Map([[0, 1000n]]);
  const layout = new SnapshotLayout(true);
  for (const id of store.ids()) layout.entry(captureSeries(parts, id, offsets)!);
  const head = layout.json(snapshotHead(parts, { topic: 't', groupId: 'g', window: W, features: ['value'] }, offsets, 0));
  const file = Buffer.concat(sealSnapshot(layout.finish(head)));
  return file.length / S;
}

const bytes = (q: string): number => {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi)$/.exec(q);
  assert.ok(m, `not a binary quantity: ${q}`);
  return Number(m[1]) * 1024 ** { Ki: 1, Mi: 2, Gi: 3 }[m[2] as 'Ki' | 'Mi' | 'Gi'];
};

test('snapshot size per mature series: the figures of values.yaml and docs/deployment.md, and the default sizeLimit holds two snapshots at windows.maxSeries', () => {
  const perSeries = measuredBytesPerSeries();
  const kb = perSeries / 1000;
  const values = read('helm/tickcast/values.yaml');
  const chartKb = Number(/about 2 × (\d+) KB per mature series/.exec(values)?.[1]);
  const deployment = read('docs/deployment.md').replace(/\s+/g, ' ');
  const doc = /at about (\d+) KB per mature series[^(]*\(10,000 series: ≈ (\d+) MB/.exec(deployment);
  assert.ok(chartKb && doc, 'values.yaml and docs/deployment.md should state the snapshot size per mature series');
  for (const [where, stated] of [['values.yaml (snapshots)', chartKb], ['docs/deployment.md', Number(doc[1])]] as const) {
    assert.ok(Math.abs(stated - kb) / kb < 0.1, `${where} says ${stated} KB per mature series; a snapshot takes ${kb.toFixed(1)} KB`);
  }
  assert.ok(Math.abs(Number(doc[2]) - (2 * kb * 10_000) / 1000) / (2 * kb * 10) < 0.1, `docs/deployment.md: two snapshots of 10,000 series are ≈ ${Math.round((2 * kb * 10_000) / 1000)} MB, not ${doc[2]} MB`);
  const maxSeries = configSchema.parse({}).windows.maxSeries;
  const limit = bytes(readYaml('helm/tickcast/values.yaml').snapshots.sizeLimit);
  assert.ok(limit >= 2 * perSeries * maxSeries, `snapshots.sizeLimit ${limit} B cannot hold two snapshots of windows.maxSeries ${maxSeries} mature series (${Math.round(2 * perSeries * maxSeries)} B): the pod would be evicted`);
});
