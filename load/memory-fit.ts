/**
 * Does the service fit the Helm chart's memory limit? (`npm run bench:memory-fit`)
 *
 * Builds the serving side's per-series state for `windows.maxSeries` series (the service's
 * default config: window store, series outlook, anomaly detector, snapshot homes — the parts a
 * series-state snapshot captures), with every detector mature, then takes a real series-state
 * snapshot (the service's SeriesSnapshotter: capture → seal → write to a temp dir) and samples
 * the process's memory all along: peak RSS (the kernel's VmHWM), heap used, external,
 * arrayBuffers, at each phase and every 20 ms.
 *
 * Maturity: one series is fed real ticks until its exported detector state stops growing (the
 * longest ring, likelihoodLongTicks = 2,000 short averages, is full), then its state is copied
 * into every series through the snapshot import path (as load/snapshot-phases.ts does; the
 * growable rings are allocated at their full length there, as growth leaves them). Feeding
 * 10,000 × 2,000 ticks through the detector would take far more than this bench's ~10 min budget.
 *
 * The fine-tune trainer is a child process by default (src/model/finetune/trainer-host.ts): its
 * memory adds to the pod's but not to this process's; measure it with bench:finetune (see
 * docs/benchmarks.md "Memory at the chart's limits").
 *
 * Run as the container would under the chart's 2560Mi limit (entrypoint: 60 % of the limit for the
 * heap; the figures of 6 Dec 2026 in docs/benchmarks.md ran under the former 2 GiB limit's 1228):
 *   nice -n 19 npm run bench:memory-fit   (node --expose-gc --max-old-space-size=1536 --import tsx load/memory-fit.ts)
 * Options (env): BENCH_SERIES (windows.maxSeries), BENCH_MATURE_TICKS (2,200).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { loadConfig } from '../src/config/load.ts';
import { createWindowStore } from '../src/app-parts.ts';
import { createScorer } from '../src/pipeline/scorer.ts';
import { SeriesOutlook } from '../src/pipeline/series-outlook.ts';
import { fillFrom, toPlain } from '../src/pipeline/snapshot/codec.ts';
import { createSnapshotter } from '../src/pipeline/snapshot/create.ts';
import { SeriesHomes } from '../src/pipeline/snapshot/series-state.ts';
import { DEFAULT_SPEC } from '../src/model/config.ts';

const config = loadConfig({ env: {} });
const S = Number(process.env.BENCH_SERIES ?? config.windows.maxSeries);
const MATURE = Number(process.env.BENCH_MATURE_TICKS ?? 2_200);
const spec = DEFAULT_SPEC;
const MiB = 2 ** 20;

interface Mem { rss: number; hwm: number; heapUsed: number; external: number; arrayBuffers: number }
function mem(): Mem {
  const m = process.memoryUsage();
  const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) * 1024;
  return { rss: m.rss, hwm, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}
const peak: Mem = { rss: 0, hwm: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
function note(): Mem {
  const m = mem();
  for (const k of Object.keys(peak) as (keyof Mem)[]) peak[k] = Math.max(peak[k], m[k]);
  return m;
}
const rows: string[] = [];
const held: { parts?: unknown } = {};
function phase(name: string): void {
  const m = note();
  const f = (x: number) => (x / MiB).toFixed(0);
  rows.push(`| ${name} | ${f(m.rss)} | ${f(m.hwm)} | ${f(m.heapUsed)} | ${f(m.external)} | ${f(m.arrayBuffers)} |`);
  console.error(rows.at(-1));
}

async function main(): Promise<void> {
  const timer = setInterval(note, 20);
  console.log(`# memory fit — ${S} series, window ${spec.window}, ${cpus()[0]?.model} × ${cpus().length}, node ${process.version}, heap limit ${(getHeapStatistics().heap_size_limit / MiB).toFixed(0)} MiB`);
  console.log('| phase | RSS MiB | peak RSS (VmHWM) MiB | heap used MiB | external MiB | arrayBuffers MiB |\n|---|---:|---:|---:|---:|---:|');
  phase('start');
  const store = createWindowStore(config, spec);
  const detector = createScorer({ ...config.anomaly, maxSeries: config.windows.maxSeries });
  const parts = { store, outlook: new SeriesOutlook(), detector, homes: new SeriesHomes(store.registry) };
  held.parts = parts; // held to the end, as the service holds them (else V8 may free them after their last use)
  const mature = createScorer({ ...config.anomaly, maxSeries: 1 });
  let size = 0;
  for (let i = 0; i < MATURE; i++) {
    mature.observe('x', i * 60_000, 50 + 10 * Math.sin(i / 10) + (i % 7) / 7, null);
    if (i === MATURE - 101) size = JSON.stringify(toPlain(mature.exportSeries('x')!, new Set([mature.config]))).length;
  }
  const plain = toPlain(mature.exportSeries('x')!, new Set([mature.config]));
  const grew = JSON.stringify(plain).length - size;
  console.log(`detector state after ${MATURE} ticks: ${(JSON.stringify(plain).length / 1024).toFixed(1)} KB as JSON (${grew >= 0 ? '+' : ''}${grew} B over the last 100 ticks)`);
  const t0 = Date.UTC(2026, 0, 1);
  for (let s = 0; s < S; s++) {
    const id = `h${s % 1000}:s${s}`;
    for (let k = 0; k < spec.window; k++) store.push(id, t0 + k * 60_000, [50 + Math.sin(k + s)], 0);
    parts.homes.note(id, s % 6);
    detector.importSeries(id, Object.keys(plain), (fresh) => fillFrom(fresh, plain));
    parts.outlook.setForecast(id, { ts: t0, model: 'v1', horizon: Array.from({ length: spec.horizon }, (_, j) => ({ step: j + 1, ts: t0 + j, p10: 1, p50: 2, p90: 3 })) });
  }
  phase(`${S} mature series`);
  (globalThis as { gc?: () => void }).gc?.();
  phase(`${S} mature series, after GC`);
  const dir = mkdtempSync(path.join(tmpdir(), 'memfit-'));
  const quiet = { info: () => {}, warn: () => {}, error: () => {} };
  const snap = createSnapshotter({ ...config.snapshots, enabled: true, dir, modelDir: '', topic: 't', groupId: 'g', maxTailRecords: 0 }, parts as never, spec, quiet as never)!;
  // The snapshotter learns each partition's offset from the records it sees (a snapshot covers the partitions it has offsets for).
  const record = (p: number) => ({ key: null, value: null, headers: {}, source: { topic: 't', partition: p, offset: '1000' }, receivedAtMs: 0 });
  const wrapped = snap.wrap(async () => {});
  for (let p = 0; p < 6; p++) await wrapped([record(p)] as never, null as never);
  const done = await snap.snapshot();
  phase(`after snapshot (${done?.series} series, ${((done?.bytes ?? 0) / MiB).toFixed(0)} MiB, capture ${done?.captureMs.toFixed(0)} ms, write ${done?.writeMs.toFixed(0)} ms)`);
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 500));
  }
  phase(`after snapshot, after GC (${(held.parts as { store: { ids(): Iterator<string> } }).store.ids().next().done ? 'no' : 'all'} series still held)`);
  clearInterval(timer);
  rmSync(dir, { recursive: true, force: true });
  const f = (x: number) => (x / MiB).toFixed(0);
  console.log(rows.join('\n'));
  console.log(`| **peak** | ${f(peak.rss)} | **${f(peak.hwm)}** | ${f(peak.heapUsed)} | ${f(peak.external)} | ${f(peak.arrayBuffers)} |`);
}

await main();
