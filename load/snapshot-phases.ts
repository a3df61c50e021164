/**
 * Snapshot phases without Kafka (npm run bench:snapshot-phases): where the time of a restart from
 * a series-state snapshot goes, for S series with mature detector state. Builds S series (windows
 * full, a forecast each, one real long-running detector state copied into every series), then
 * times capture + layout, seal (SHA-256), decode (check + parse), and install — each on the
 * current code, in one process. Options (env): BENCH_SERIES (10000), BENCH_WINDOW (64),
 * BENCH_DETECTOR_TICKS (2500: ticks the copied detector state has seen; 17 = a young series),
 * ANOMALY_CONFIG (JSON detector overrides, e.g. '{"seasonalView":false}').
 */
import { cpus } from 'node:os';
import { AnomalyDetector, type AnomalyConfig } from '../src/domain/anomaly/index.ts';
import { WindowStore } from '../src/domain/window-store.ts';
import { SeriesOutlook } from '../src/pipeline/series-outlook.ts';
import { decodeSnapshot, fillFrom, sealSnapshot, SnapshotLayout, toPlain } from '../src/pipeline/snapshot/codec.ts';
import { captureSeries, checkSnapshot, restoreSeriesState, SeriesHomes, snapshotHead, type SeriesStateParts } from '../src/pipeline/snapshot/series-state.ts';

const S = Number(process.env.BENCH_SERIES ?? 10_000);
const W = Number(process.env.BENCH_WINDOW ?? 64);
const DETECTOR = process.env.ANOMALY_CONFIG ? (JSON.parse(process.env.ANOMALY_CONFIG) as Partial<AnomalyConfig>) : {};

function parts(): SeriesStateParts {
  const store = new WindowStore({ window: W, features: 1, stride: 1, maxSeries: S, idleEvictMs: 3_600_000, duplicatePolicy: 'drop', normHalfLifeTicks: 0 });
  const detector = new AnomalyDetector(DETECTOR);
  return { store, outlook: new SeriesOutlook(), detector, homes: new SeriesHomes(store.registry) };
}

function ms(t0: number): string {
  return `${(performance.now() - t0).toFixed(0)} ms`;
}

async function main() {
  console.log(`# snapshot phases — ${S} series, window ${W}; ${cpus()[0]?.model} × ${cpus().length}, node ${process.version}`);
  const src = parts();
  const mature = new AnomalyDetector(DETECTOR);
  for (let i = 0; i < Number(process.env.BENCH_DETECTOR_TICKS ?? 2500); i++) mature.observe('x', i * 60_000, 50 + 10 * Math.sin(i / 10) + (i % 7) / 7, null);
  const plain = toPlain(mature.exportSeries('x')!, new Set([mature.config]));
  let t = performance.now();
  for (let s = 0; s < S; s++) {
    const id = `sensor-${s}`;
    for (let k = 0; k < W; k++) src.store.push(id, Date.UTC(2025, 0, 1) + k * 60_000, [50 + Math.sin(k + s)], 0);
    src.homes.note(id, s % 6);
    src.detector!.importSeries(id, Object.keys(plain), (fresh) => fillFrom(fresh, plain));
    src.outlook.setForecast(id, { ts: 0, model: 'v1', horizon: Array.from({ length: 8 }, (_, j) => ({ step: j + 1, ts: j, p10: 1, p50: 2, p90: 3 })) });
  }
  console.log(`build:     ${ms(t)}`);
  const offsets = new Map(Array.from({ length: 6 }, (_, p) => [p, 1000n] as [number, bigint]));
  t = performance.now();
  const layout = new SnapshotLayout(true);
  let captured = 0;
  for (const id of src.store.ids()) {
    const e = captureSeries(src, id, offsets);
    if (e) {
      layout.entry(e);
      captured++;
    }
  }
  const body = layout.finish(layout.json(snapshotHead(src, { topic: 't', groupId: 'g', window: W, features: ['value'] }, offsets, 0)));
  console.log(`capture:   ${ms(t)} (${captured} series)`);
  t = performance.now();
  const file = Buffer.concat(sealSnapshot(body));
  console.log(`seal:      ${ms(t)} (${(file.length / 2 ** 20).toFixed(1)} MiB, ${Math.round(file.length / S)} B per series)`);
  t = performance.now();
  const tree = checkSnapshot(decodeSnapshot(file, { views: true }), { topic: 't', groupId: 'g', window: W, features: ['value'] });
  console.log(`decode:    ${ms(t)}`);
  const dst = parts();
  t = performance.now();
  const r = restoreSeriesState(dst, tree, new Set([0, 1, 2, 3, 4, 5]), 0);
  console.log(`install:   ${ms(t)} (${r.series} series, ${r.detectors} detectors)`);
  console.log(`rss:       ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
