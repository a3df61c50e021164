/**
 * `npm run bench:finetune` — does online fine-tuning slow serving down? One run, one process, the
 * same offered load throughout, alternating phases (base→ft in even cycles, ft→base in odd ones):
 *   base: the model is pinned, so the fine-tuner does nothing (trainer idle);
 *   ft:   unpinned, rounds back to back (intervalMs 1 s): the trainer trains and scores shadow
 *         pairs under its duty cycle, the serving thread keeps the books, opens the new ONNX
 *         session and swaps on every promotion.
 * Latency is per window, from submit to the micro-batched result (the serving path: window
 * store → InferenceStage → predictor), under an open-loop load of `--series` series at `--rate`
 * ticks/s each. Prints p50/p99 per phase (with the serving thread's event-loop delay and the
 * trainer process's CPU share), pooled per condition, and the ratio ft/base of p99.
 *
 * Model: the service's defaults (window 64, horizon 8, dModel 32, engine auto → ONNX), seeded
 * weights (bootstrapEpochs 0: inference cost does not depend on the weights).
 *
 * Options (after `--`): --series 8 --rate 50 --phase-s 15 --cycles 6 --steps 10 (per round; small so
 * that rounds, promotions and rollbacks all happen inside the phases) --intra-op 1 (onnxruntime
 * intra-op threads: 1 is right on 2 cores, see docs/finetuning.md) --duty 0.25 (trainer duty cycle; default: the service's)
 * --nice 10 (trainer niceness; default: the service's) --isolation process|thread (default: the
 * service's, process) --a-a (control run: fine-tuning stays off in the "ft" phases too, which
 * measures the noise of the ratio on this machine) --json out.json
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { loadConfig } from '../src/config/load.ts';
import { WindowStore } from '../src/domain/window-store.ts';
import { InferenceStage } from '../src/pipeline/inference.ts';
import { createModelService } from '../src/model/model-service.ts';
import { createLogger } from '../src/telemetry/logger.ts';
import { createMetrics } from '../src/telemetry/metrics.ts';

const { values: a } = parseArgs({
  options: {
    series: { type: 'string', default: '8' },
    rate: { type: 'string', default: '50' },
    'phase-s': { type: 'string', default: '15' },
    cycles: { type: 'string', default: '6' },
    steps: { type: 'string', default: '10' },
    'intra-op': { type: 'string', default: '1' },
    duty: { type: 'string' },
    nice: { type: 'string' },
    isolation: { type: 'string' },
    'a-a': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const S = Number(a.series);
const RATE = Number(a.rate);
const PHASE_MS = Number(a['phase-s']) * 1000;
const CYCLES = Number(a.cycles);

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

const dir = mkdtempSync(path.join(tmpdir(), 'tc-bench-ft-'));
const logs: string[] = [];
const logger = createLogger({ level: 'info', name: 'bench', destination: new Writable({ write: (c, _e, cb) => (logs.push(String(c)), cb()) }) });
const config = loadConfig({
  env: {},
  overrides: {
    model: { dir, bootstrapEpochs: 0, onnxIntraOpThreads: Number(a['intra-op']) },
    finetune: { enabled: true, intervalMs: 1_000, steps: Number(a.steps), minSamples: 200, replayCapacity: 20_000 },
    telemetry: { defaultMetrics: false },
  },
});
const metrics = createMetrics({ defaultMetrics: false });
let inference!: InferenceStage;
const svc = await createModelService(config, logger, metrics, {
  slot: (first) => (inference = new InferenceStage(first, { maxBatchSize: config.batching.maxBatchSize, maxWaitMs: config.batching.maxWaitMs, maxInFlightBatches: config.batching.maxInFlightBatches })),
  finetune: { ...(a.duty ? { dutyCycle: Number(a.duty) } : {}), ...(a.nice ? { niceness: Number(a.nice) } : {}), ...(a.isolation ? { isolation: a.isolation as 'process' | 'thread' } : {}) },
});
const spec = svc.predictor.spec;
const store = new WindowStore({ window: spec.window, features: 1, stride: 1, maxSeries: 1000, idleEvictMs: 1e12, duplicatePolicy: 'drop', normHalfLifeTicks: config.windows.normHalfLifeTicks });
await svc.rollback({ version: svc.info().version, pin: true }); // start in "base"
await svc.start();
const ft = svc.finetune!;

let tick = 0;
const period = Array.from({ length: S }, (_, s) => 12 + 5 * s);
function value(s: number, t: number): number {
  const regime = Math.floor(t / 1500) % 2; // regime changes keep the fine-tuner busy
  return 100 + 20 * s + (regime ? 15 : 10) * Math.sin((2 * Math.PI * t) / (regime ? period[s] / 2 : period[s])) + Math.random();
}

/** CPU seconds used so far by the trainer process (utime + stime), or NaN (thread isolation, not Linux). */
function trainerCpuSeconds(): number {
  const pid = (ft.status() as { trainer?: { pid?: number } }).trainer?.pid;
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return Number.NaN;
  }
}

/** Open-loop load for `ms`: ticks due by the clock are sent even if the loop lagged. */
async function drive(ms: number): Promise<number[]> {
  const lat: number[] = [];
  const t0 = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (performance.now() - t0 < ms) {
    const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
    for (; sent < due; sent++) {
      const t = tick++;
      for (let s = 0; s < S; s++) {
        const id = `s${s}`;
        const v = value(s, t);
        store.push(id, t * 1000, [v], Date.now());
        svc.learner?.observe({ series: id, ts: t * 1000, ...store.current(id)!, expected: null, suppressed: false });
        const x = new Float32Array(spec.window);
        const st = store.snapshot(id, x, 0);
        if (!st) continue;
        const start = performance.now();
        pending.push(
          inference.submit({ x }).then(() => {
            lat.push(performance.now() - start);
          }),
        );
      }
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all(pending);
  return lat;
}

console.log(`bench:finetune — ${S} series × ${RATE} ticks/s, phases of ${PHASE_MS / 1000} s × ${CYCLES} cycles; ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}; engine ${svc.predictor.engine}; trainer ${(ft.status() as { trainer?: { isolation?: string } }).trainer?.isolation ?? '?'}`);
await drive(5_000); // warm-up: windows fill, replay buffer gets pairs
const phases: { cycle: number; phase: string; n: number; p50: number; p99: number; max: number; loopP99: number; loopMax: number; trainerCpu: number; rounds: number; promotions: number; load: number }[] = [];
const pooled: Record<string, number[]> = { base: [], ft: [] };
for (let c = 0; c < CYCLES; c++) {
  // Order alternates per cycle (base→ft, ft→base, …): an A/A control run showed the second phase
  // of a cycle ~10 % faster at the p99 whatever it holds, so a fixed order would bias the ratio.
  for (const phase of c % 2 === 0 ? (['base', 'ft'] as const) : (['ft', 'base'] as const)) {
    // --a-a: the "ft" phases stay pinned too (an A/A run: how far apart two identical conditions land).
    await svc.rollback({ version: svc.info().version, pin: phase === 'base' || a['a-a'] });
    if (phase === 'ft') ft.requestRound();
    const r0 = ft.history.length;
    const p0 = ft.history.filter((h) => h.outcome === 'promoted').length;
    // Event-loop delay of the serving thread in this phase: separates main-thread stalls (GC,
    // synchronous work) from slowness inside inference itself.
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const cpu0 = trainerCpuSeconds();
    const lat = await drive(PHASE_MS);
    const trainerCpu = (trainerCpuSeconds() - cpu0) / (PHASE_MS / 1000);
    loop.disable();
    pooled[phase].push(...lat);
    const row = { cycle: c, phase, n: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat), loopP99: loop.percentile(99) / 1e6, loopMax: loop.max / 1e6, trainerCpu, rounds: ft.history.length - r0, promotions: ft.history.filter((h) => h.outcome === 'promoted').length - p0, load: loadavg()[0] };
    phases.push(row);
    if (process.env.BENCH_DEBUG) console.log(JSON.stringify(ft.status()));
    console.log(`${phase.padEnd(4)} n=${row.n} p50=${row.p50.toFixed(2)} ms p99=${row.p99.toFixed(2)} ms max=${row.max.toFixed(1)} ms loop-delay p99=${row.loopP99.toFixed(1)} max=${row.loopMax.toFixed(1)} ms trainer-cpu=${(100 * row.trainerCpu).toFixed(0)}% rounds=${row.rounds} promotions=${row.promotions} load=${row.load.toFixed(1)}`);
  }
}
/** Peak resident memory (VmHWM) in MiB of a process, or NaN. */
function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
const memory = { servicePeakRssMiB: peakRssMiB(process.pid), trainerPeakRssMiB: peakRssMiB((ft.status() as { trainer?: { pid?: number } }).trainer?.pid) };
const base = { p50: pct(pooled.base, 50), p99: pct(pooled.base, 99) };
// Per-cycle ratios (each ft phase against the base phase of its cycle): robust to load drift.
const cycleRatios = phases.filter((p) => p.phase === 'ft').map((p) => p.p99 / phases.find((q) => q.phase === 'base' && q.cycle === p.cycle)!.p99);
const medianCycleRatio = pct(cycleRatios, 50);
const withFt = { p50: pct(pooled.ft, 50), p99: pct(pooled.ft, 99) };
const rounds = ft.history.map((h) => ({ round: h.round, outcome: h.outcome, seconds: h.seconds, trainLoss: h.trainLoss }));
const trainSeconds = rounds.filter((r) => r.seconds).map((r) => r.seconds!);
const result = {
  control: a['a-a'],
  series: S,
  ratePerSeries: RATE,
  windowsPerSecond: S * RATE,
  engine: svc.predictor.engine,
  cpus: cpus().length,
  base,
  finetune: withFt,
  p99Ratio: withFt.p99 / base.p99,
  p50Ratio: withFt.p50 / base.p50,
  cycleP99Ratios: cycleRatios,
  medianCycleP99Ratio: medianCycleRatio,
  roundsTotal: rounds.length,
  outcomes: rounds.reduce<Record<string, number>>((m, r) => ((m[r.outcome] = (m[r.outcome] ?? 0) + 1), m), {}),
  roundTrainSecondsMedian: pct(trainSeconds, 50),
  steps: Number(a.steps),
  memory,
  status: svc.finetune?.status(),
  phases,
};
console.log(`pooled: base p50 ${base.p50.toFixed(2)} ms p99 ${base.p99.toFixed(2)} ms | fine-tuning p50 ${withFt.p50.toFixed(2)} ms p99 ${withFt.p99.toFixed(2)} ms | p99 ratio ${result.p99Ratio.toFixed(2)}× pooled, ${medianCycleRatio.toFixed(2)}× median of cycles [${cycleRatios.map((r) => r.toFixed(2)).join(', ')}] ${a["a-a"] ? "(A/A control: fine-tuning off in both)" : "(target ≤ 1.2×)"}`);
console.log(`rounds: ${rounds.length} (${JSON.stringify(result.outcomes)}), median training time per round ${result.roundTrainSecondsMedian?.toFixed(1)} s for ${a.steps} steps`);
console.log(`peak RSS: service ${memory.servicePeakRssMiB.toFixed(0)} MiB, trainer process ${memory.trainerPeakRssMiB.toFixed(0)} MiB`);
console.log(JSON.stringify(result));
if (a.json) writeFileSync(a.json, JSON.stringify(result, null, 2));
for (const l of logs) {
  const j = JSON.parse(l) as { level: number; msg: string };
  if (j.level >= 40 || /fine-tune|promoted|rollback/.test(j.msg)) console.log(`log: ${j.msg}`, (j as { threadNice?: number }).threadNice ?? "");
}
await inference.close();
await svc.stop();
rmSync(dir, { recursive: true, force: true });
