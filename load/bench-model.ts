/**
 * `npm run bench:model` — inference speed of the hybrid model on this machine, in one run:
 * windows/s at batch 1/32/128/512 and batch-1 latency p50/p99 for
 *   - onnx: the exported graph on onnxruntime-node (OnnxPredictor, the serving path), per
 *     intra-op thread count;
 *   - tfjs: the same weights in TfjsPredictor on the wasm backend (the fallback engine);
 *   - pytorch: load/pytorch/reference.py, the same architecture and weights in stock PyTorch
 *     modules, when `import torch` works (Debian: apt-get install python3-torch); skipped with a
 *     message otherwise. Its outputs are checked against ONNX before it is timed.
 * plus ratios onnx/pytorch and onnx/tfjs, and model FLOPs utilisation: analytic FLOPs per window
 * × windows per CPU-second ÷ a 1-thread float32 MatMul peak (GFLOP per CPU-second) measured by
 * onnxruntime in the same run.
 *
 * The CPUs are shared with other processes, so every throughput is given twice: wall-clock
 * windows/s (what the process got) and windows per CPU-second of the process (the compute cost,
 * nearly independent of the neighbours; spin-waiting threads count against their engine).
 *
 * Architecture (issue 4): window 64, 8 features, 1 target, horizon 8, 3 quantiles, dModel 128,
 * BiLSTM hidden 64 × 2 layers, 2 encoder layers (4 heads, ffn 256).
 *
 * Options (after `--`): --seconds 2 (per throughput point), --threads 1,2 (onnx and pytorch intra-op
 * threads), --skip-tfjs, --skip-torch, --tfjs-max-batch 512, --sweep (dynamic-batching sweep, about
 * 2.5 more minutes), --sweep-only (onnx ×1 capacity, then the sweep), --sweep-loads 0.3,0.6 (fractions of
 * the measured capacity), --sweep-sizes 16,32,64,128,256, --sweep-waits 0,2,5, --sweep-reps 2,
 * --json out.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { ModelSpec } from '../src/domain/types.ts';
import { initBackend } from '../src/model/backend.ts';
import { createModel } from '../src/model/hybrid-model.ts';
import { TfjsPredictor } from '../src/model/predictor.ts';
import { exportOnnx } from '../src/model/onnx/export-hybrid.ts';
import { hybridFlopsPerWindow } from '../src/model/onnx/flops.ts';
import { OnnxPredictor } from '../src/model/onnx/onnx-predictor.ts';
import { GraphBuilder } from '../src/model/onnx/graph-builder.ts';
import { mulberry32 } from '../src/model/random.ts';
import type { Predictor } from '../src/pipeline/ports.ts';
import { writeReferenceDir } from './pytorch/reference-dir.ts';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '2' },
    threads: { type: 'string', default: '1,2' },
    'skip-tfjs': { type: 'boolean', default: false },
    'skip-torch': { type: 'boolean', default: false },
    'tfjs-max-batch': { type: 'string', default: '512' },
    sweep: { type: 'boolean', default: false },
    'sweep-only': { type: 'boolean', default: false },
    'sweep-loads': { type: 'string', default: '0.3,0.6' },
    'sweep-sizes': { type: 'string', default: '16,32,64,128,256' },
    'sweep-waits': { type: 'string', default: '0,2,5' },
    'sweep-reps': { type: 'string', default: '2' },
    json: { type: 'string' },
  },
});
const SECONDS = Number(args.seconds);
const THREADS = args.threads!.split(',').map(Number);
const BATCHES = [1, 32, 128, 512];

const spec: ModelSpec = { window: 64, features: ['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7'], targets: ['f0'], horizon: 8, quantiles: [0.1, 0.5, 0.9] };
const W = spec.window;
const F = spec.features.length;

/** One throughput point: wall-clock windows/s (mean) and windows per CPU-second of this process. */
interface Point {
  wall: number;
  cpu: number;
}

interface EngineResult {
  name: string;
  points: Record<number, Point>;
  latencyMs?: { p50: number; p99: number };
  note?: string;
}

function windows(batch: number, seed: number): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: batch * W * F }, () => (rand() + rand() + rand() - 1.5) * 2);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1e6;
};

/**
 * Per batch size: calls for ≥ SECONDS (at least one), giving wall-clock windows/s (what this
 * process got while sharing the CPUs) and windows per CPU-second (the compute cost, nearly
 * independent of the other processes). Then batch-1 latency over `latencyRuns` calls.
 */
async function measure(p: Predictor, name: string, latencyRuns: number, maxBatch = Infinity): Promise<EngineResult> {
  const res: EngineResult = { name, points: {} };
  await p.predict({ x: windows(1, 1), batch: 1 }); // warm-up
  for (const b of BATCHES) {
    if (b > maxBatch) continue;
    const x = windows(b, b);
    if (b <= 128) await p.predict({ x, batch: b });
    let n = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    while (n < 1 || performance.now() - t0 < SECONDS * 1000) {
      await p.predict({ x, batch: b });
      n++;
    }
    const wallS = (performance.now() - t0) / 1000;
    res.points[b] = { wall: (n * b) / wallS, cpu: (n * b) / cpuSeconds(c0) };
    process.stderr.write(`  ${name} batch ${b}: ${res.points[b].wall.toFixed(1)} windows/s, ${res.points[b].cpu.toFixed(1)} per CPU-s\n`);
  }
  const x1 = windows(1, 7);
  const lat: number[] = [];
  for (let i = 0; i < latencyRuns; i++) {
    const t0 = performance.now();
    await p.predict({ x: x1, batch: 1 });
    lat.push(performance.now() - t0);
  }
  lat.sort((a, b) => a - b);
  res.latencyMs = { p50: pct(lat, 0.5), p99: pct(lat, 0.99) };
  return res;
}

/**
 * float32 MatMul peak of onnxruntime here: [N,N]·[N,N] for ~1.5 s. Returns GFLOP per CPU-second
 * (the per-core peak when threads = 1; contention-robust) and the best single call in wall time.
 */
async function matmulPeak(threads: number, N = 1024): Promise<{ cpu: number; wall: number }> {
  const g = new GraphBuilder('matmul_peak');
  const a = g.input('a', [N, N]);
  g.output(g.matmul(a, g.initializer('b', [N, N], new Float32Array(N * N).fill(0.001))), 'c', [N, N]);
  const s = await ort.InferenceSession.create(g.toModel({ producerVersion: 'bench' }), { intraOpNumThreads: threads, executionMode: 'sequential' });
  const feed = { a: new ort.Tensor('float32', new Float32Array(N * N).fill(0.5), [N, N]) };
  await s.run(feed);
  let best = 0;
  let n = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < 1500) {
    const t = performance.now();
    await s.run(feed);
    n++;
    best = Math.max(best, (2 * N ** 3) / ((performance.now() - t) / 1000) / 1e9);
  }
  const cpu = (n * 2 * N ** 3) / cpuSeconds(c0) / 1e9;
  await s.release();
  return { cpu, wall: best };
}

function findTorchPython(): string | null {
  for (const py of ['python3', '/usr/bin/python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return null;
}

async function main(): Promise<void> {
  const started = performance.now();
  const cpuModel = cpus()[0]?.model ?? 'unknown';
  console.log(`# bench:model — ${new Date().toISOString()}`);
  console.log(`machine: ${cpuModel}, ${cpus().length} logical CPUs, load average ${loadavg().map((v) => v.toFixed(1)).join(' ')} (other processes share the CPUs; figures are noisy)`);
  const backend = await initBackend({ prefer: 'wasm' });
  const model = createModel({ dModel: 128, lstm: { hiddenSize: 64, numLayers: 2 }, transformer: { layers: 2, heads: 4 } }, spec, 7);
  const config = model.config;
  const flops = hybridFlopsPerWindow(config, spec);
  console.log(`architecture: window ${W}, ${F} features, dModel ${config.dModel}, BiLSTM ${config.lstm.hiddenSize}×${config.lstm.numLayers}, encoder ${config.transformer.layers}×(heads ${config.transformer.heads}, ffn ${config.transformer.ffn}), ${model.parameterCount()} parameters`);
  console.log(`model FLOPs per window: ${(flops.total / 1e6).toFixed(1)} MFLOP (LSTM ${(flops.lstm / 1e6).toFixed(1)}, encoder ${(flops.encoder / 1e6).toFixed(1)}, rest ${((flops.total - flops.lstm - flops.encoder) / 1e6).toFixed(1)})`);
  const weights = model.getWeights();
  const t = performance.now();
  const bytes = exportOnnx(weights, config, spec, { version: 'bench' });
  console.log(`onnx export: ${(performance.now() - t).toFixed(0)} ms, ${(bytes.length / 1e6).toFixed(2)} MB`);

  const results: EngineResult[] = [];
  // Per-core matmul peak (1 thread, GFLOP per CPU-second), measured before and after the engines;
  // the larger is used for MFU.
  const peak0 = await matmulPeak(1);
  process.stderr.write(`matmul peak (onnxruntime, 1 thread): ${peak0.cpu.toFixed(1)} GFLOP per CPU-s, best call ${peak0.wall.toFixed(1)} GFLOP/s\n`);
  for (const threads of args['sweep-only'] ? [1] : THREADS) {
    const p = await OnnxPredictor.fromBytes(bytes, { spec, version: 'bench', intraOpThreads: threads });
    results.push(await measure(p, `onnx ${p.backend} ×${threads}`, 500));
    await p.dispose();
  }

  if (args['sweep-only']) {
    const cap = Math.max(...results.map((r) => Math.max(...Object.values(r.points).map((p) => p.wall))));
    const sweep = await runSweep(bytes, cap);
    if (args.json) writeFileSync(resolve(args.json), JSON.stringify({ machine: cpuModel, loadavg: loadavg(), capacity: cap, results, sweep }, null, 2));
    model.dispose();
    return;
  }
  if (args['skip-tfjs']) console.log('tfjs: skipped (--skip-tfjs)');
  else {
    const p = new TfjsPredictor(model.clone(), { version: 'bench', backend: backend.name });
    results.push(await measure(p, `tfjs ${backend.name} ×1`, 30, Number(args['tfjs-max-batch'])));
    await p.dispose();
  }

  const py = args['skip-torch'] ? null : findTorchPython();
  if (!py) {
    console.log(args['skip-torch'] ? 'pytorch: skipped (--skip-torch)' : 'pytorch: skipped — `import torch` fails with python3 and /usr/bin/python3 (Debian: apt-get install python3-torch libopenblas0-pthread)');
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'tickcast-bench-'));
    try {
      // The reference must reproduce the ONNX outputs on these windows before it is timed.
      const checkB = 4;
      await writeReferenceDir(dir, { weights, config, spec, version: 'check', onnx: bytes }, windows(checkB, 99), checkB);
      for (const threads of THREADS) {
        const r = spawnSync(py, [join(here, 'pytorch', 'reference.py'), '--dir', dir, '--seconds', String(SECONDS), '--threads', String(threads), '--latency-runs', '100'], { encoding: 'utf8', timeout: 150_000 });
        if (r.status !== 0) {
          console.log(`pytorch ×${threads}: failed (${(r.stderr || String(r.error)).trim().split('\n').slice(-1)[0]})`);
          continue;
        }
        const j = JSON.parse(r.stdout.trim().split('\n').slice(-1)[0]);
        const maxDiff = Number(j.maxAbsDiffVsOnnx);
        const res: EngineResult = { name: `pytorch ${j.torch} ×${j.threads}`, points: {}, latencyMs: j.latencyMs, note: `max |Δ| vs onnx ${maxDiff.toExponential(1)}` };
        if (!(maxDiff <= 1e-4)) res.note += ' — NOT the same model, ignore its figures';
        for (const [b, v] of Object.entries(j.windowsPerSec)) res.points[Number(b)] = { wall: v as number, cpu: j.windowsPerCpuSec[b] };
        process.stderr.write(`  ${res.name}: ${JSON.stringify(res.points)}\n`);
        results.push(res);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  model.dispose();
  const peak1 = await matmulPeak(1);
  const peakCpu = Math.max(peak0.cpu, peak1.cpu);

  const fmt = (v: number | undefined) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
  const table = (title: string, pick: (p: Point) => number, withLatency: boolean) => {
    console.log(`\n${title}`);
    console.log(['engine (× intra-op threads)'.padEnd(30), ...BATCHES.map((b) => `B=${b}`.padStart(9)), ...(withLatency ? ['p50 ms'.padStart(9), 'p99 ms'.padStart(9)] : [])].join(''));
    for (const r of results) {
      const cols = BATCHES.map((b) => fmt(r.points[b] ? pick(r.points[b]) : undefined).padStart(9));
      const lat = withLatency ? [fmt(r.latencyMs?.p50).padStart(9), fmt(r.latencyMs?.p99).padStart(9)] : [];
      console.log([r.name.padEnd(30), ...cols, ...lat, withLatency && r.note ? `  ${r.note}` : ''].join(''));
    }
  };
  table('wall-clock windows/s (mean over the run) and batch-1 latency, as this process got them on the shared CPUs', (p) => p.wall, true);
  table('windows per CPU-second (compute cost; nearly independent of the other processes)', (p) => p.cpu, false);

  const bestOf = (prefix: string, pick: (p: Point) => number, threads?: number) => {
    const rs = results.filter((r) => r.name.startsWith(prefix) && (threads === undefined || r.name.endsWith(`×${threads}`)));
    const out: Record<number, number> = {};
    for (const b of BATCHES) {
      const vals = rs.map((r) => r.points[b]).filter((v) => v !== undefined).map(pick);
      if (vals.length) out[b] = Math.max(...vals);
    }
    return rs.length ? out : undefined;
  };
  const ratioLine = (label: string, a?: Record<number, number>, b?: Record<number, number>) => {
    if (!a || !b) return;
    console.log(`${label}: ${BATCHES.map((k) => `B=${k} ${a[k] && b[k] ? (a[k] / b[k]).toFixed(2) + '×' : '—'}`).join(', ')}`);
  };
  console.log('');
  ratioLine('onnx/pytorch, wall-clock, best thread count of each', bestOf('onnx', (p) => p.wall), bestOf('pytorch', (p) => p.wall));
  ratioLine('onnx/pytorch, per CPU-second, 1 thread each      ', bestOf('onnx', (p) => p.cpu, 1), bestOf('pytorch', (p) => p.cpu, 1));
  ratioLine('onnx/tfjs,    wall-clock, best thread count of each', bestOf('onnx', (p) => p.wall), bestOf('tfjs', (p) => p.wall));
  ratioLine('onnx/tfjs,    per CPU-second, 1 thread each      ', bestOf('onnx', (p) => p.cpu, 1), bestOf('tfjs', (p) => p.cpu, 1));

  console.log(`\nmatmul peak (onnxruntime, 1024³ float32, 1 thread): ${peakCpu.toFixed(1)} GFLOP per CPU-second (start ${peak0.cpu.toFixed(1)}, end ${peak1.cpu.toFixed(1)}; best single call ${Math.max(peak0.wall, peak1.wall).toFixed(1)} GFLOP/s)`);
  console.log('model FLOPs utilisation = model FLOPs/window × windows per CPU-second ÷ that per-core peak:');
  for (const r of results) {
    console.log(`  ${r.name.padEnd(28)} ${BATCHES.map((b) => (r.points[b] ? `B=${b} ${((100 * flops.total * r.points[b].cpu) / (peakCpu * 1e9)).toFixed(1)}%` : `B=${b} —`)).join('  ')}`);
  }
  console.log(`\ntotal bench time ${((performance.now() - started) / 1000).toFixed(0)} s`);

  let sweep: unknown;
  if (args.sweep) sweep = await runSweep(bytes, Math.max(...Object.values(bestOf('onnx', (p) => p.wall, 1) ?? { 1: 100 })));
  if (args.json) writeFileSync(resolve(args.json), JSON.stringify({ machine: cpuModel, cpus: cpus().length, loadavg: loadavg(), flopsPerWindow: flops, matmulPeakGflopsPerCpuSecond: peakCpu, results, sweep }, null, 2));
}

/**
 * Dynamic batching sweep: an open-loop Poisson stream of single-window requests at a fixed offered
 * load, a micro-batcher (flush at maxBatchSize or when the oldest request has waited maxWaitMs;
 * at most 2 batches in flight, as the pipeline's default), the onnx engine. Reports achieved
 * windows/s and request latency p50/p99 (arrival → result) per setting.
 */
async function runSweep(bytes: Uint8Array, capacityWps: number): Promise<unknown> {
  const p = await OnnxPredictor.fromBytes(bytes, { spec, version: 'sweep', intraOpThreads: 1 });
  const list = (v: string | undefined) => v!.split(',').map(Number);
  const fractions = list(args['sweep-loads']);
  const loads = fractions.map((f) => Math.round(f * capacityWps));
  const sizes = list(args['sweep-sizes']);
  const waits = list(args['sweep-waits']);
  const REPS = Number(args['sweep-reps']);
  const POINT_MS = 2500;
  type Row = { load: number; maxBatchSize: number; maxWaitMs: number; wps: number; p50: number; p99: number; meanBatch: number };
  const runs = new Map<string, Row[]>();
  console.log(`\ndynamic batching sweep: onnx ×1, Poisson arrivals at ${loads.join(' and ')} windows/s (${fractions.map((f) => `${Math.round(f * 100)}%`).join(' / ')} of the wall-clock capacity above), 2 batches in flight, ${REPS} interleaved repetitions of ${POINT_MS / 1000} s per point, medians shown`);
  const pool = windows(512, 5);
  for (let rep = 0; rep < REPS; rep++) {
    for (const load of loads) {
      for (const maxBatchSize of sizes) {
        for (const maxWaitMs of waits) {
          const r = await simulate(p, pool, load, maxBatchSize, maxWaitMs, POINT_MS);
          const key = `${load}/${maxBatchSize}/${maxWaitMs}`;
          runs.set(key, [...(runs.get(key) ?? []), { load, maxBatchSize, maxWaitMs, ...r }]);
        }
      }
    }
  }
  await p.dispose();
  const med = (v: number[]) => {
    const s = [...v].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  console.log('load'.padStart(6) + 'maxBatch'.padStart(10) + 'waitMs'.padStart(8) + 'got/s'.padStart(8) + 'p50 ms'.padStart(9) + 'p99 ms'.padStart(9) + 'batch'.padStart(8));
  const rows: Row[] = [];
  for (const rs of runs.values()) {
    const r: Row = { ...rs[0], wps: med(rs.map((x) => x.wps)), p50: med(rs.map((x) => x.p50)), p99: med(rs.map((x) => x.p99)), meanBatch: med(rs.map((x) => x.meanBatch)) };
    rows.push(r);
    console.log(`${String(r.load).padStart(6)}${String(r.maxBatchSize).padStart(10)}${String(r.maxWaitMs).padStart(8)}${r.wps.toFixed(0).padStart(8)}${r.p50.toFixed(1).padStart(9)}${r.p99.toFixed(1).padStart(9)}${r.meanBatch.toFixed(1).padStart(8)}`);
  }
  return rows;
}

async function simulate(p: Predictor, pool: Float32Array, rate: number, maxBatch: number, maxWaitMs: number, durationMs: number) {
  const rand = mulberry32(rate * 7 + maxBatch);
  const queue: number[] = []; // arrival times
  const lat: number[] = [];
  let inFlight = 0;
  let done = 0;
  let batches = 0;
  const t0 = performance.now();
  let nextArrival = t0;
  let wake: (() => void) | null = null;
  const flush = (force: boolean) => {
    while (inFlight < 2 && queue.length > 0 && (force || queue.length >= maxBatch || performance.now() - queue[0] >= maxWaitMs)) {
      const take = queue.splice(0, maxBatch);
      inFlight++;
      batches++;
      const b = take.length;
      void p.predict({ x: pool.subarray(0, b * W * F), batch: b }).then(() => {
        const now = performance.now();
        for (const a of take) lat.push(now - a);
        done += b;
        inFlight--;
        wake?.(); // a free slot: let the loop flush now
      });
    }
  };
  // Event loop of the simulated batcher: sleep (not spin, the CPUs are shared with onnxruntime)
  // until the next arrival, the oldest request's deadline, or a batch completion.
  let draining = false;
  while (true) {
    const now = performance.now();
    if (!draining) {
      while (nextArrival <= now) {
        queue.push(nextArrival);
        nextArrival += (-Math.log(1 - rand()) / rate) * 1000;
      }
      if (now - t0 >= durationMs) draining = true;
    }
    flush(draining);
    if (draining && queue.length === 0 && inFlight === 0) break;
    const deadline = Math.min(draining ? Infinity : nextArrival, queue.length > 0 && inFlight < 2 ? queue[0] + maxWaitMs : Infinity);
    await new Promise<void>((r) => {
      const timer = Number.isFinite(deadline) ? setTimeout(r, Math.max(0, deadline - performance.now())) : undefined;
      wake = () => {
        clearTimeout(timer);
        wake = null;
        r();
      };
    });
  }
  lat.sort((a, b) => a - b);
  return { wps: done / ((performance.now() - t0) / 1000), p50: pct(lat, 0.5), p99: pct(lat, 0.99), meanBatch: done / Math.max(1, batches) };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
