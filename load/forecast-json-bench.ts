/**
 * What rounding the numbers of a forecast record would cost and save (docs/schemas.md § Forecast
 * numbers). Builds forecasts as the pipeline does — float32 model outputs decoded with the window's
 * float64 mean and std (decodeForecast) — and times forecastMessage (JSON.stringify, as now) against
 * the same record with each quantile first rounded to the shortest decimal that round-trips its
 * float32 (Math.fround) value, in one process, interleaved; CPU time, median of REPS. Also prints
 * bytes per record, how far that rounding moves a value (in p10–p90 band widths), and the bound on
 * the saving: stringify alone of records already rounded.
 *
 *   npx tsx load/forecast-json-bench.ts        (REPS, default 7; RECORDS, default 20000)
 */
import { decodeForecast } from '../src/domain/forecast.ts';
import type { ForecastStep, ModelSpec, Tick } from '../src/domain/types.ts';
import { forecastMessage } from '../src/pipeline/out-messages.ts';

const REPS = Number(process.env.REPS ?? 7);
const RECORDS = Number(process.env.RECORDS ?? 20_000);
const SPEC: ModelSpec = { window: 64, features: ['price'], targets: ['price'], horizon: 8, quantiles: [0.1, 0.5, 0.9] };

/** The shortest decimal (6 to 9 significant digits) whose float32 is `v`'s float32. */
function float32Shortest(v: number): number {
  const f = Math.fround(v);
  for (let p = 6; p < 9; p++) {
    const n = Number(f.toPrecision(p));
    if (Math.fround(n) === f) return n;
  }
  return Number(f.toPrecision(9));
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** RECORDS decoded forecasts of series at `level` whose window std is about `spread`. */
function forecasts(level: number, spread: number): { tick: Tick; steps: ForecastStep[][] }[] {
  const r = lcg(7);
  const out = [];
  const times = Array.from({ length: SPEC.horizon }, (_, h) => 1_796_582_834_000 + (h + 1) * 60_000);
  for (let i = 0; i < RECORDS; i++) {
    const y = new Float32Array(SPEC.horizon * 3);
    for (let h = 0; h < SPEC.horizon; h++) {
      const mid = (r() - 0.5) * 2;
      const half = 0.3 + r();
      y.set([mid - half, mid, mid + half], h * 3);
    }
    const tick = { series: `s${i % 1000}`, tsMs: 1_796_582_834_000 + i, values: [level] } as unknown as Tick;
    out.push({ tick, steps: decodeForecast(y, 0, SPEC, [0], [level * (1 + (r() - 0.5) * 1e-3)], [spread * (0.5 + r())], times) });
  }
  return out;
}

function rounded(steps: ForecastStep[][]): ForecastStep[][] {
  return steps.map((rows) => rows.map((s) => ({ step: s.step, ts: s.ts, p10: float32Shortest(s.p10), p50: float32Shortest(s.p50), p90: float32Shortest(s.p90) }) as ForecastStep));
}

function cpuUs(fn: () => number): { us: number; bytes: number } {
  const t0 = process.cpuUsage();
  const bytes = fn();
  const t = process.cpuUsage(t0);
  return { us: t.user + t.system, bytes };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [level, spread] of [[100, 0.5], [1e12, 1]] as const) {
  const fs = forecasts(level, spread);
  const pre = fs.map((f) => ({ tick: f.tick, steps: rounded(f.steps) }));
  const asNow = () => fs.reduce((n, f) => n + String(forecastMessage(SPEC, f.tick, 'v3', f.steps, 1.25, {}).value).length, 0);
  const withRounding = () => fs.reduce((n, f) => n + String(forecastMessage(SPEC, f.tick, 'v3', rounded(f.steps), 1.25, {}).value).length, 0);
  const preRounded = () => pre.reduce((n, f) => n + String(forecastMessage(SPEC, f.tick, 'v3', f.steps, 1.25, {}).value).length, 0);
  const t = { asNow: [] as number[], withRounding: [] as number[], preRounded: [] as number[] };
  const bytes = { asNow: 0, withRounding: 0, preRounded: 0 };
  for (let rep = 0; rep < REPS; rep++) {
    for (const [k, fn] of [['asNow', asNow], ['withRounding', withRounding], ['preRounded', preRounded]] as const) {
      const m = cpuUs(fn);
      t[k].push(m.us / RECORDS);
      bytes[k] = m.bytes / RECORDS;
    }
  }
  let worst = 0;
  for (const f of fs) for (const s of f.steps[0]) for (const q of ['p10', 'p50', 'p90']) worst = Math.max(worst, Math.abs(float32Shortest(s[q]) - s[q]) / (s.p90 - s.p10));
  const base = median(t.asNow);
  console.log(`level ${level}, window std ~${spread}: ${RECORDS} records × ${REPS} reps, CPU µs/record (median), bytes/record`);
  console.log(`  as now (JSON.stringify)              ${base.toFixed(2)} µs  ${bytes.asNow.toFixed(0)} B`);
  console.log(`  float32-shortest rounding + stringify ${median(t.withRounding).toFixed(2)} µs (${(median(t.withRounding) / base).toFixed(2)}×)  ${bytes.withRounding.toFixed(0)} B`);
  console.log(`  stringify of pre-rounded (saving bound) ${median(t.preRounded).toFixed(2)} µs (${(median(t.preRounded) / base).toFixed(2)}×)`);
  console.log(`  rounding moves a value by up to ${worst.toExponential(2)} of its p10–p90 band`);
}
