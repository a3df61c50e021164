/**
 * `npm run bench:missed-readings` — forecasts of a feed that loses readings
 * (`windows.fillMissed`; docs/architecture.md § Readings a feed missed, docs/benchmarks.md § Feeds
 * that miss readings). Each series is streamed tick by tick through the service's window store
 * (createWindowStore, stride 1) with readings lost (LOSSES: 10 % or 30 % at random, 10 % with clock
 * jitter, outages; loss seeds 1–3; the first 10 kept), once with the missed readings
 * filled into the window (the default) and once without (`fillMissed: 0`, the store before), and
 * the shipped pretrained model (ONNX, the serving path) forecasts at the same ticks of both. Each
 * forecast is scored against the series' true readings at the feed's next 8 clock times (a lost
 * reading's true value included): MAE of p50 scaled by the series' mean absolute step (MASE-like,
 * averaged over series), and the share of readings inside the p10–p90 band. Baselines in the same
 * run: the same model with nothing lost, and repeat-last (the last reading that arrived).
 *
 * Series: the bundled sample (nyc_taxi, 30 min; in the pretrained model's training mix), ETTh1 OT
 * (hourly, rows 0–8,640: the standard split's train + validation; skipped when absent) and 60 M4
 * Hourly training rows (every 7th series; skipped when absent). Neither ETT nor M4 is in the
 * shipped weights. Options: --every N (forecast at every Nth tick; default 3), --fill N (readings
 * filled at most; default windows.fillMissed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createWindowStore } from '../src/app-parts.ts';
import { loadConfig } from '../src/config/load.ts';
import { decodeForecast } from '../src/domain/forecast.ts';
import { mulberry32 } from '../src/eval/nab/rng.ts';
import { BOOTSTRAP_SAMPLE, readValueColumn } from '../src/model/bootstrap.ts';
import { DEFAULT_SPEC, resolveHybridConfig } from '../src/model/config.ts';
import { OnnxPredictor } from '../src/model/onnx/onnx-predictor.ts';
import { loadPretrained } from '../src/model/pretrained.ts';
import type { Predictor } from '../src/pipeline/ports.ts';
import { loadM4Hourly } from './m4-data.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(repoRoot, '../shared/data');
const { values: args } = parseArgs({ options: { every: { type: 'string', default: '3' }, fill: { type: 'string' } } });
const EVERY = Number(args.every);
const spec = DEFAULT_SPEC;
const H = spec.horizon;
const config = loadConfig({ env: {} });
const FILL = args.fill === undefined ? config.windows.fillMissed : Number(args.fill);

interface Feed {
  values: Float64Array;
  stepMs: number;
}

function feeds(): { group: string; series: Feed[] }[] {
  const out = [{ group: 'bundled sample (nyc_taxi, 30 min)', series: [{ values: readValueColumn(BOOTSTRAP_SAMPLE), stepMs: 1_800_000 }] }];
  const ett = resolve(DATA, 'ett/ETTh1.csv');
  if (existsSync(ett)) {
    const ot = readFileSync(ett, 'utf8').trim().split('\n').slice(1, 8_641).map((l) => Number(l.split(',').at(-1)));
    out.push({ group: 'ETTh1 OT (hourly, train + validation rows)', series: [{ values: Float64Array.from(ot), stepMs: 3_600_000 }] });
  } else console.log(`ETTh1 skipped: ${ett} not found`);
  const m4 = resolve(DATA, 'm4');
  if (existsSync(resolve(m4, 'Hourly-train.csv'))) {
    const all = loadM4Hourly(m4);
    out.push({ group: 'M4 Hourly (60 training rows, every 7th series)', series: all.filter((_, i) => i % 7 === 0).map((s) => ({ values: s.train, stepMs: 3_600_000 })) });
  } else console.log(`M4 Hourly skipped: ${m4} not found`);
  return out;
}

/**
 * How readings are lost: each with probability `rate`, or outages (runs of 4–48) starting with
 * probability `rate`; `jitter`: the readings kept arrive up to ± jitter × the interval off the clock.
 */
interface Loss {
  label: string;
  rate: number;
  outages?: boolean;
  jitter?: number;
}
const LOSSES: Loss[] = [
  { label: '10 %', rate: 0.1 },
  { label: '30 %', rate: 0.3 },
  { label: '10 %, ±10 % clock jitter', rate: 0.1, jitter: 0.1 },
  { label: 'outages of 4–48 readings, one per ~300', rate: 1 / 300, outages: true },
];

/** The readings that arrive (the first 10 always): their index and their offset from the clock (× the interval). */
function arrivals(n: number, loss: Loss, seed: number): { i: number; off: number }[] {
  const rng = mulberry32(seed);
  const kept: { i: number; off: number }[] = [];
  for (let i = 0; i < n; i++) {
    if (i >= 10 && rng() < loss.rate) {
      if (loss.outages) i += 3 + Math.floor(rng() * 45);
      continue;
    }
    kept.push({ i, off: loss.jitter ? (rng() - 0.5) * 2 * loss.jitter : 0 });
  }
  return kept;
}

interface Score {
  err: number;
  inBand: number;
  n: number;
}

const T0 = Date.UTC(2026, 0, 5);

/**
 * Stream the readings at `kept` through a window store (`fillMissed` readings filled at most) and
 * forecast at every kept tick i with i % EVERY === 0 and i ≥ `from`; scored against the true
 * readings i + 1 … i + H. Returns the summed scaled error and the band hits.
 */
async function stream(p: Predictor, f: Feed, kept: readonly { i: number; off: number }[], fillMissed: number, from: number, scale: number): Promise<{ model: Score; last: Score }> {
  const store = createWindowStore(config, spec, { maxSeries: 1, idleEvictMs: 1e15, stride: 1, fillMissed });
  const W = spec.window;
  const at: { i: number; mean: number; std: number; lastTs: number; intervalMs: number }[] = [];
  const x = new Float32Array(kept.length * W);
  for (const { i, off } of kept) {
    const ts = T0 + Math.round((i + off) * f.stepMs);
    const { ready } = store.push('s', ts, [f.values[i]], 0);
    if (!ready || i < from || i % EVERY !== 0 || i + H >= f.values.length) continue;
    const st = store.snapshot('s', x, at.length * W)!;
    at.push({ i, mean: st.mean[0], std: st.std[0], lastTs: ts, intervalMs: store.intervalMs('s') });
  }
  const model: Score = { err: 0, inBand: 0, n: 0 };
  const last: Score = { err: 0, inBand: 0, n: 0 };
  const B = 256;
  for (let b0 = 0; b0 < at.length; b0 += B) {
    const nb = Math.min(B, at.length - b0);
    const { y } = await p.predict({ x: x.subarray(b0 * W, (b0 + nb) * W), batch: nb });
    for (let b = 0; b < nb; b++) {
      const a = at[b0 + b];
      const steps = decodeForecast(y, b, spec, [0], [a.mean], [a.std], a.lastTs, a.intervalMs)[0];
      for (let h = 0; h < H; h++) {
        const truth = f.values[a.i + h + 1];
        model.err += Math.abs(steps[h].p50 - truth) / scale;
        model.inBand += steps[h].p10 <= truth && truth <= steps[h].p90 ? 1 : 0;
        model.n++;
        last.err += Math.abs(f.values[a.i] - truth) / scale;
        last.n++;
      }
    }
  }
  return { model, last };
}

/** Mean absolute step of a series (the scale of its errors). */
function meanStep(v: Float64Array): number {
  let s = 0;
  for (let i = 1; i < v.length; i++) s += Math.abs(v[i] - v[i - 1]);
  return s / (v.length - 1) || 1;
}

const fmt = (s: { err: number; n: number }[]): string => (s.reduce((a, x) => a + x.err / x.n, 0) / s.length).toFixed(3);
const band = (s: Score[]): string => `${((100 * s.reduce((a, x) => a + x.inBand / x.n, 0)) / s.length).toFixed(1)} %`;

/** The window store's cost per tick, filling or not: 100 series × 5,000 ticks with 10 % lost, fastest of 3 passes. */
function pushCost(): string {
  const kept = arrivals(5_000, LOSSES[0], 1);
  const ns = (fill: number): number => {
    let best = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const store = createWindowStore(config, spec, { maxSeries: 100, idleEvictMs: 1e15, fillMissed: fill });
      const t = process.hrtime.bigint();
      for (const { i } of kept) for (let k = 0; k < 100; k++) store.push(`s${k}`, T0 + i * 60_000, [Math.sin(i / 10) + k], 0);
      best = Math.min(best, Number(process.hrtime.bigint() - t) / (kept.length * 100));
    }
    return best;
  };
  const off = ns(0);
  const on = ns(FILL);
  return `window store, ns per tick (10 % lost, 100 series): filled ${on.toFixed(0)}, not filled ${off.toFixed(0)} (${(on / off).toFixed(2)}×)`;
}

async function main(): Promise<void> {
  const hybrid = resolveHybridConfig({});
  const pre = await loadPretrained(hybrid, spec);
  if (!pre.ok) throw new Error(pre.reason);
  const p = await OnnxPredictor.fromWeights(pre.weights, hybrid, { spec, version: pre.version });
  const started = Date.now();
  console.log(`bench:missed-readings — model ${pre.version} (ONNX, CPU), window ${spec.window}, horizon ${H}, a forecast every ${EVERY} ticks; scaled MAE of p50 (lower is better) · share of true readings inside p10–p90\n`);
  console.log(`| series | lost | nothing lost | not filled (fillMissed 0) | filled (fillMissed ${FILL}) | filled ÷ not | repeat-last |`);
  console.log('|---|---|---|---|---|---:|---|');
  for (const g of feeds()) {
    for (const loss of LOSSES) {
      const full: Score[] = [];
      const off: Score[] = [];
      const on: Score[] = [];
      const last: Score[] = [];
      for (const f of g.series) {
        const scale = meanStep(f.values);
        const from = 2 * spec.window; // both stores are full by then, even at 30 % lost
        full.push((await stream(p, f, arrivals(f.values.length, { label: 'none', rate: 0 }, 0), 0, from, scale)).model);
        for (const seed of [1, 2, 3]) {
          const kept = arrivals(f.values.length, loss, seed);
          const a = await stream(p, f, kept, 0, from, scale);
          const b = await stream(p, f, kept, FILL, from, scale);
          off.push(a.model);
          on.push(b.model);
          last.push(a.last);
        }
      }
      const ratio = Number(fmt(on)) / Number(fmt(off));
      console.log(`| ${g.group} | ${loss.label} | ${fmt(full)} · ${band(full)} | ${fmt(off)} · ${band(off)} | **${fmt(on)} · ${band(on)}** | ${ratio.toFixed(3)} | ${fmt(last)} |`);
    }
  }
  console.log(`\n${pushCost()}\n(${((Date.now() - started) / 1000).toFixed(0)} s; ${new Date().toISOString()})`);
  await p.dispose();
}

await main();
