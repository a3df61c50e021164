/**
 * `npm run bench:fusion` — fusion with fast baselines (src/domain/fusion) measured on the service
 * path: ticks go through the real app (the shipped pretrained model, ONNX, window 64, horizon 8,
 * stride 1, the pipeline's own windows and statistics) once with `fusion.enabled` false (the
 * model's forecasts) and once with it on (what is served), and every forecast step is scored
 * against the value that came. Baselines reproduced in the same run from the same ticks: naive
 * (last value), seasonal naive (24 ticks) and drift, made at the same ticks. Per series, the mean
 * absolute error of each over every step of every forecast, relative to naive's; summarised across
 * series by the geometric mean, and the worst series (relative to the best of the four there).
 *
 * Data: M4 Hourly (../shared/data/m4, the last 500 values of each series' training row — the
 * test rows are not used), ETTh1 OT (the first 12 months, ../shared/data/ett), and synthetic
 * series made here (random walks, noisy ramps, noisy daily sines). Skips a data set whose file is
 * absent. Deterministic: no training, seeded synthetic data.
 *
 * Options (env): BENCH_M4_SERIES (414), BENCH_M4_TICKS (500).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/load.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import type { OutMessage, TickSource } from '../src/pipeline/ports.ts';
import type { RawRecord } from '../src/domain/types.ts';
import { loadM4Hourly } from './m4-data.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(repoRoot, '../shared/data');
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const M = 24;
const idleSource: TickSource = { start: async () => {}, pause() {}, resume() {}, stop: async () => {}, hasJoined: () => true };

interface Forecast { series: string; ts: number; model: string; horizon: Array<{ p50: number }> }

/** Every forecast the app emits for `sets` (series id → values, one tick an hour), interleaved by time, in chunks of 500 records. */
async function serve(sets: Map<string, Float64Array>, fusion: boolean): Promise<Forecast[]> {
  const config = loadConfig({ env: {}, overrides: { logLevel: 'warn', fusion: { enabled: fusion }, coldStart: { enabled: false }, anomaly: { enabled: false }, http: { enabled: false }, telemetry: { defaultMetrics: false }, windows: { maxSeries: 100_000 } } });
  const sent: OutMessage[] = [];
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const app = await buildApp(config, { logger: createLogger({ level: 'warn', name: 'bench', destination: quiet }), source: idleSource, sink: { send: async (m) => void sent.push(...m) } });
  await app.start();
  const ids = [...sets.keys()];
  const len = Math.max(...[...sets.values()].map((x) => x.length));
  let chunk: RawRecord[] = [];
  let offset = 0;
  for (let t = 0; t < len; t++) {
    for (const id of ids) {
      const x = sets.get(id)!;
      if (t >= x.length) continue;
      chunk.push({ key: Buffer.from(id), value: Buffer.from(JSON.stringify({ series: id, ts: T0 + t * HOUR, value: x[t] })), headers: {}, source: { topic: 'ticks', partition: 0, offset: String(offset++) }, receivedAtMs: Date.now() });
      if (chunk.length === 500) {
        await app.pipeline.handle(chunk);
        chunk = [];
      }
    }
  }
  if (chunk.length) await app.pipeline.handle(chunk);
  await app.stop();
  return sent.filter((m) => m.stream === 'forecasts').map((m) => JSON.parse(String(m.value)) as Forecast);
}

/** Per series: mean absolute error of [model, served, naive, seasonal naive, drift] over every step whose truth is known, and the share served by each label. */
function score(sets: Map<string, Float64Array>, model: Forecast[], served: Forecast[], W: number) {
  const out = new Map<string, { mae: number[]; labels: Map<string, number> }>();
  const byKey = (fs: Forecast[]) => new Map(fs.map((f) => [`${f.series}@${f.ts}`, f]));
  const m = byKey(model);
  for (const f of served) {
    const x = sets.get(f.series)!;
    const t = (f.ts - T0) / HOUR;
    const mf = m.get(`${f.series}@${f.ts}`)!;
    let e = out.get(f.series);
    if (!e) out.set(f.series, (e = { mae: [0, 0, 0, 0, 0, 0], labels: new Map() }));
    e.labels.set(f.model.startsWith('baseline:') ? f.model : 'model', (e.labels.get(f.model.startsWith('baseline:') ? f.model : 'model') ?? 0) + 1);
    const slope = (x[t] - x[t - W + 1]) / (W - 1);
    for (let h = 1; h <= f.horizon.length && t + h < x.length; h++) {
      const v = x[t + h];
      const paths = [mf.horizon[h - 1].p50, f.horizon[h - 1].p50, x[t], x[t - M + ((h - 1) % M) + 1], x[t] + h * slope];
      paths.forEach((p, i) => (e!.mae[i] += Math.abs(v - p)));
      e.mae[5]++;
    }
  }
  return out;
}

function report(name: string, s: ReturnType<typeof score>): void {
  const rows = [...s.values()].filter((e) => e.mae[5] > 0 && e.mae[2] > 0);
  const rel = rows.map((e) => e.mae.slice(0, 5).map((v) => v / e.mae[2]));
  const gm = (i: number) => Math.exp(rel.reduce((a, r) => a + Math.log(Math.max(r[i], 1e-12)), 0) / rel.length);
  const worst = (i: number) => Math.max(...rel.map((r) => r[i] / Math.min(r[0], r[2], r[3], r[4])));
  const labels = new Map<string, number>();
  let n = 0;
  for (const e of rows) {
    for (const [k, v] of e.labels) {
      labels.set(k, (labels.get(k) ?? 0) + v);
      n += v;
    }
  }
  const share = [...labels].sort().map(([k, v]) => `${k} ${((100 * v) / n).toFixed(0)} %`).join(', ');
  console.log(`| ${name} | ${rows.length} | ${gm(0).toFixed(3)} | **${gm(1).toFixed(3)}** | 1 | ${gm(3).toFixed(3)} | ${gm(4).toFixed(3)} | ${worst(0).toFixed(2)} | ${worst(1).toFixed(2)} | ${share} |`);
}

let seed = 11;
const rnd = () => ((seed = (seed * 16807) % 2147483647), seed / 2147483647);
const gauss = () => Math.sqrt(-2 * Math.log(rnd())) * Math.cos(2 * Math.PI * rnd());
function synthetic(): Map<string, Float64Array> {
  const sets = new Map<string, Float64Array>();
  const make = (n: number, f: (i: number, prev: number) => number) => { const x = new Float64Array(n); let p = 100; for (let i = 0; i < n; i++) x[i] = p = f(i, p); return x; };
  for (let k = 0; k < 10; k++) sets.set(`walk-${k}`, make(700, (_, p) => p + gauss()));
  for (let k = 0; k < 5; k++) sets.set(`ramp-${k}`, make(700, (i) => 1000 + (k + 1) * 50 * i + gauss() * 5));
  for (let k = 0; k < 5; k++) sets.set(`sine-${k}`, make(700, (i) => 100 + 10 * Math.sin((2 * Math.PI * i) / 24) + gauss()));
  return sets;
}

async function main(): Promise<void> {
  const groups: Array<[string, Map<string, Float64Array>]> = [];
  const syn = synthetic();
  for (const kind of ['walk', 'ramp', 'sine']) groups.push([`synthetic ${kind}`, new Map([...syn].filter(([id]) => id.startsWith(kind)))]);
  if (existsSync(`${DATA}/m4/Hourly-train.csv`)) {
    const n = Number(process.env.BENCH_M4_SERIES ?? 414);
    const ticks = Number(process.env.BENCH_M4_TICKS ?? 500);
    groups.push(['M4 Hourly (last 500 training values)', new Map(loadM4Hourly(`${DATA}/m4`).slice(0, n).map((s) => [s.id, s.train.slice(-ticks)]))]);
  } else console.log(`# M4 skipped: ${DATA}/m4 not found`);
  if (existsSync(`${DATA}/ett/ETTh1.csv`)) {
    const ot = readFileSync(`${DATA}/ett/ETTh1.csv`, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',').at(-1)));
    groups.push(['ETTh1 OT (first 12 months)', new Map([['ETTh1-OT', Float64Array.from(ot.slice(0, 12 * 30 * 24))]])]);
  } else console.log(`# ETTh1 skipped: ${DATA}/ett not found`);
  console.log('# bench:fusion — served forecasts (fusion on) vs the model alone, the shipped pretrained model, window 64, horizon 8, stride 1');
  console.log('# mean absolute error over all 8 steps, per series relative to naive (geometric mean over series); worst: the series furthest behind the best of model/naive/seasonal naive/drift');
  console.log('\n| data | series | model alone | **served (fusion)** | naive | seasonal naive (24) | drift | worst, model alone | worst, served | served as |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const [name, sets] of groups) {
    const t0 = performance.now();
    const model = await serve(sets, false);
    const served = await serve(sets, true);
    report(name, score(sets, model, served, 64));
    console.error(`# ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

await main();
