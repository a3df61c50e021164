/**
 * The window-filling path (npm run bench:filling): what a tick costs before its series' window is
 * full — decode, window store, the detector's learning, no model call. At bench:pipeline's 100
 * ticks a series these are 63 % of the input and ~40 % of the patched drain's main-thread CPU
 * (docs/benchmarks.md § Window filling, per tick).
 *
 * Input: bench:pipeline's ticks (1,000 series × 100 ticks, the same values), as Kafka records in
 * chunks of ≤ 500 records of one of 6 partitions. Printed, each the median of BENCH_REPS runs on
 * fresh state, in µs of the main thread's CPU per tick:
 *
 *  - pipeline: a fresh app (buildApp, in-memory source and sink, bench:pipeline's config) takes in
 *    the S × (window − 1) ticks that only fill the windows — StreamPipeline.handle() as the Kafka
 *    batch loop calls it, metrics and all;
 *  - parts: the same ticks through decodeTick, then WindowStore.push, then the detector's observe,
 *    each timed apart (fresh store and detector as the app builds them), all 100 ticks a series.
 *
 * Then a determinism digest: the detector's every score, gap and missed count and the store's
 * statistics after every tick, over the bench ticks plus 20 long series (2,000 ticks, spikes and
 * level shifts, past the detector's learning), hashed — it must not change with a speed-up.
 *
 * Same-run baseline: BENCH_BASELINE_TREE=<a checkout of the code before a change> (e.g. `git worktree
 * add /tmp/base <commit>` with node_modules linked) loads every part from that tree as well, and each
 * run is done with both, alternating (same process, same input): medians of both and their ratio.
 *
 * Options (env): BENCH_SERIES (1000), BENCH_STEPS (100), BENCH_REPS (5), BENCH_PIPELINE=0 (parts only),
 * BENCH_BASELINE_TREE (none).
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodecOptions } from '../src/domain/tick-codec.ts';
import type { ModelSpec, RawRecord, Tick } from '../src/domain/types.ts';
import type { Config } from '../src/config/schema.ts';
import type { OutMessage, OutputSink } from '../src/pipeline/ports.ts';
import { MemorySource } from './memory-source.ts';

const S = Number(process.env.BENCH_SERIES ?? 1000);
const STEPS = Number(process.env.BENCH_STEPS ?? 100);
const REPS = Number(process.env.BENCH_REPS ?? 5);
const PIPELINE = process.env.BENCH_PIPELINE !== '0';
const PARTITIONS = 6;
const CHUNK = 500;
const T0 = Date.UTC(2025, 0, 1);
const BASELINE_TREE = process.env.BENCH_BASELINE_TREE;

/** The modules the bench uses, from one tree (this one, or the baseline's). */
async function loadTree(root: string) {
  const at = (rel: string) => import(pathToFileURL(resolve(root, rel)).href);
  const [config, app, parts, scorer, codec, logger] = await Promise.all([at('src/config/load.ts'), at('src/app.ts'), at('src/app-parts.ts'), at('src/pipeline/scorer.ts'), at('src/domain/tick-codec.ts'), at('src/telemetry/logger.ts')]);
  return {
    loadConfig: config.loadConfig as typeof import('../src/config/load.ts').loadConfig,
    buildApp: app.buildApp as typeof import('../src/app.ts').buildApp,
    codecOptions: parts.codecOptions as typeof import('../src/app-parts.ts').codecOptions,
    createWindowStore: parts.createWindowStore as typeof import('../src/app-parts.ts').createWindowStore,
    createScorer: scorer.createScorer as typeof import('../src/pipeline/scorer.ts').createScorer,
    decodeTick: codec.decodeTick as typeof import('../src/domain/tick-codec.ts').decodeTick,
    createLogger: logger.createLogger as typeof import('../src/telemetry/logger.ts').createLogger,
  };
}
type Tree = Awaited<ReturnType<typeof loadTree>>;

/** bench:pipeline's tick i (load/bench-pipeline.ts `ticks`). */
function benchTick(i: number): { key: string; value: string } {
  const s = i % S;
  const t = Math.floor(i / S);
  const id = `sensor-${s}`;
  return { key: id, value: JSON.stringify({ series: id, ts: T0 + t * 1000, value: 50 + 10 * Math.sin(t / 10 + s) + (i % 7) / 7 }) };
}

/** Records in production order, `steps` ticks a series. */
function records(steps: number, receivedAtMs: number): RawRecord[] {
  const offsets = new Array<number>(PARTITIONS).fill(0);
  const out: RawRecord[] = [];
  for (let i = 0; i < steps * S; i++) {
    const { key, value } = benchTick(i);
    const p = (i % S) % PARTITIONS;
    out.push({ key: Buffer.from(key), value: Buffer.from(value), headers: {}, source: { topic: 'bench.ticks', partition: p, offset: String(offsets[p]++) }, receivedAtMs });
  }
  return out;
}

/** Chunks of ≤ CHUNK consecutive records of one partition, partitions taking turns (fetched batches). */
function chunks(recs: RawRecord[]): RawRecord[][] {
  const per: RawRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  for (const r of recs) per[r.source.partition].push(r);
  const out: RawRecord[][] = [];
  for (let at = 0; ; at += CHUNK) {
    const round = per.map((rs) => rs.slice(at, at + CHUNK)).filter((c) => c.length > 0);
    if (round.length === 0) return out;
    out.push(...round);
  }
}

/** The main thread's CPU in µs (Node ≥ 23.9; the process's on older nodes). */
function cpuUs(): number {
  const u = ((process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage ?? process.cpuUsage).call(process);
  return u.user + u.system;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const quiet = (): Writable => new Writable({ write: (_c, _e, cb) => cb() });

class CountingSink implements OutputSink {
  sent = 0;
  async send(messages: OutMessage[]): Promise<void> {
    this.sent += messages.length;
  }
}

function benchConfig(tree: Tree): Config {
  return tree.loadConfig({
    env: {},
    overrides: { logLevel: 'warn', coldStart: { enabled: false }, http: { enabled: false }, telemetry: { defaultMetrics: false }, model: { bootstrapEpochs: 0, engine: 'onnx' } },
  });
}

/** One pipeline run: a fresh app takes in the filling ticks; µs of main-thread CPU per tick. */
async function pipelineRun(tree: Tree, config: Config): Promise<{ usPerTick: number; spec: ModelSpec }> {
  const source = new MemorySource();
  const sink = new CountingSink();
  const app = await tree.buildApp(config, { source, sink, logger: tree.createLogger({ level: 'warn', name: 'bench', destination: quiet() }) });
  await app.start();
  const fill = app.inference.spec.window - 1;
  const all = chunks(records(fill, Date.now()));
  const c0 = cpuUs();
  for (const c of all) await source.handle!(c);
  const us = cpuUs() - c0;
  const windowed = (await app.metrics.ticks.get()).values.reduce((n, v) => n + v.value, 0);
  await app.stop();
  if (windowed !== fill * S || sink.sent !== 0) throw new Error(`expected ${fill * S} ticks taken in and no output; got ${windowed} and ${sink.sent} messages`);
  return { usPerTick: us / (fill * S), spec: app.inference.spec };
}

/** The parts as the app builds them (app.ts, app-parts.ts). */
function parts(tree: Tree, config: Config, spec: ModelSpec) {
  const codec: CodecOptions = { ...tree.codecOptions(config, spec), maxFutureMs: config.input.maxFutureMs };
  const store = tree.createWindowStore(config, spec);
  const scorer = tree.createScorer({ ...config.anomaly, maxSeries: config.windows.maxSeries, staleFeatureMs: config.anomaly.staleFeatureMs ?? config.windows.idleEvictMs });
  return { codec, store, scorer, decodeTick: tree.decodeTick, target: spec.features.indexOf(spec.targets[0]), feature: spec.targets[0] };
}

type PartsTimes = { decode: number; push: number; observe: number };

/** One parts run over `recs`: µs per tick in decode, push and observe. */
function partsRun(tree: Tree, config: Config, spec: ModelSpec, recs: RawRecord[]): PartsTimes {
  const p = parts(tree, config, spec);
  const now = Date.now();
  const c0 = cpuUs();
  const ticks: Tick[] = [];
  for (const r of recs) {
    const res = p.decodeTick(r.key, r.value, p.codec, now);
    if (res.ok) ticks.push(res.tick);
  }
  const c1 = cpuUs();
  for (const t of ticks) p.store.push(t.series, t.tsMs, t.values, now, { learn: true, sentMs: now, countLate: true });
  const c2 = cpuUs();
  for (const t of ticks) p.scorer.observe(t.series, t.tsMs, t.values[p.target], null, p.feature);
  const c3 = cpuUs();
  if (ticks.length !== recs.length) throw new Error(`${recs.length - ticks.length} ticks did not decode`);
  return { decode: (c1 - c0) / recs.length, push: (c2 - c1) / recs.length, observe: (c3 - c2) / recs.length };
}

/** Long series that reach the detector's scoring: a cycle, noise, spikes, level shifts, some gaps. */
function longRecords(): RawRecord[] {
  const out: RawRecord[] = [];
  for (let t = 0; t < 2000; t++) {
    for (let s = 0; s < 20; s++) {
      let v = 100 + 20 * Math.sin((2 * Math.PI * t) / 60 + s) + 3 * Math.sin(t * 1.7 + s * 0.3);
      if (t > 900 + s * 20) v += 15 * (s % 3);
      if (t % (97 + s) === 50) v += 80 * (s % 2 === 0 ? 1 : -1);
      const ts = T0 + t * 1000 + (t % 11 === 3 && s % 4 === 0 ? 3000 : 0);
      const id = `long-${s}`;
      out.push({ key: Buffer.from(id), value: Buffer.from(JSON.stringify({ series: id, ts, value: Number(v.toFixed(3)) })), headers: {}, source: { topic: 'bench.ticks', partition: 0, offset: '0' }, receivedAtMs: 0 });
    }
  }
  return out;
}

/** The determinism digest: every observation and the store's statistics after every tick. */
function digest(tree: Tree, config: Config, spec: ModelSpec): string {
  const p = parts(tree, config, spec);
  const h = createHash('sha256');
  const buf = new Float64Array(4);
  const now = T0 + 10_000_000;
  for (const r of [...records(STEPS, 0), ...longRecords()]) {
    const res = p.decodeTick(r.key, r.value, p.codec, now);
    if (!res.ok) throw new Error(res.error.message);
    const t = res.tick;
    const pushed = p.store.push(t.series, t.tsMs, t.values, now);
    const o = p.scorer.observe(t.series, t.tsMs, t.values[p.target], null, p.feature);
    const st = p.store.stats(t.series)!;
    buf.set([o.score, o.gap ?? -1, o.missed ?? -1, pushed.filled ?? -1]);
    h.update(new Uint8Array(buf.buffer)).update(new Uint8Array(st.mean.buffer)).update(new Uint8Array(st.std.buffer));
    h.update(`${pushed.outcome}${pushed.ready ? 'r' : ''}${o.event ? `${o.event.state}${o.event.severity}${o.event.view}` : ''}`);
  }
  return h.digest('hex');
}

const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(', ');
/** "x µs" for this tree, and with a baseline "x µs (baseline y µs, ratio y/x)". */
const vs = (now: number, base: number | undefined): string => (base === undefined ? `${now.toFixed(2)} µs` : `${now.toFixed(2)} µs (baseline ${base.toFixed(2)}, ${(base / now).toFixed(2)}× faster)`);

async function main(): Promise<void> {
  const trees: Array<[string, Tree]> = [['this tree', await loadTree(resolve(import.meta.dirname, '..'))]];
  if (BASELINE_TREE) trees.push(['baseline', await loadTree(resolve(BASELINE_TREE))]);
  const config = benchConfig(trees[0][1]);
  console.log(`# bench:filling — ${S} series × ${STEPS} ticks, ${REPS} runs each (median), node ${process.version}${BASELINE_TREE ? `, baseline tree ${BASELINE_TREE} (runs alternate)` : ''}`);
  let spec: ModelSpec | null = null;
  if (PIPELINE) {
    const runs: number[][] = trees.map(() => []);
    for (let i = 0; i < REPS; i++) {
      for (const [k, [, tree]] of trees.entries()) {
        const r = await pipelineRun(tree, config);
        runs[k].push(r.usPerTick);
        spec = r.spec;
      }
    }
    const [now, base] = runs.map(median);
    console.log(`pipeline:  ${vs(now, base)} main-thread CPU per filling tick (StreamPipeline.handle, ${S} × ${spec!.window - 1} ticks; runs ${runs.map(fmt).join(' / ')})`);
  }
  if (!spec) {
    const tree = trees[0][1];
    const app = await tree.buildApp(config, { source: new MemorySource(), sink: new CountingSink(), logger: tree.createLogger({ level: 'warn', name: 'bench', destination: quiet() }) });
    spec = app.inference.spec;
    await app.stop();
  }
  const recs = records(STEPS, 0);
  const rs: PartsTimes[][] = trees.map(() => []);
  for (let i = 0; i < REPS; i++) for (const [k, [, tree]] of trees.entries()) rs[k].push(partsRun(tree, config, spec, recs));
  const m = rs.map((r) => ({ decode: median(r.map((x) => x.decode)), push: median(r.map((x) => x.push)), observe: median(r.map((x) => x.observe)) }));
  const sum = (x: PartsTimes): number => x.decode + x.push + x.observe;
  console.log(`parts:     decodeTick ${vs(m[0].decode, m[1]?.decode)}, WindowStore.push ${vs(m[0].push, m[1]?.push)}, detector observe ${vs(m[0].observe, m[1]?.observe)} per tick; sum ${vs(sum(m[0]), m[1] && sum(m[1]))} (${S} × ${STEPS} ticks)`);
  for (const [name, tree] of trees) console.log(`digest:    ${digest(tree, config, spec)} (${name}: detector scores and window statistics; a speed-up must not change it)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
