/**
 * `npm run bench:missed-readings` — forecasts of a feed that loses readings
 * (`windows.fillMissed`; docs/architecture.md § Readings a feed missed, docs/benchmarks.md § Feeds
 * that miss readings). Each series is streamed tick by tick through the service's window store
 * (createWindowStore, stride 1) with readings lost (LOSSES: 10 % or 30 % at random, 10 % with clock
 * jitter, outages; loss seeds 1–3; the first 10 kept), once with the missed readings
 * filled into the window (the default), once filled without learning the feed's open hours
 * (`openHours: false`, the store before them) and once not filled (`fillMissed: 0`), and the
 * shipped pretrained model (ONNX, the serving path) forecasts at the same ticks of each. Each
 * forecast is scored against the series' true readings at the feed's next 8 clock times in its
 * open hours (a lost reading's true value included): MAE of p50 scaled by the series' mean
 * absolute step (MASE-like, averaged over series), and the share of readings inside the p10–p90
 * band. Baselines in the same run: the same model with nothing lost, and repeat-last (the last
 * reading that arrived).
 *
 * The second table: feeds closed in some hours, so that a tick after a closure comes a whole number
 * of intervals late although no reading was lost: hourly series closed 00:00–05:59 UTC every day
 * (a 6-hour night, within the cap of 8), and daily means of ETTh1's seven columns read on business
 * days only (a weekend: 2 intervals), with 10 % of the readings in open hours lost at random.
 *
 * Series: the bundled sample (nyc_taxi, 30 min; in the pretrained model's training mix), ETTh1 OT
 * (hourly, rows 0–8,640: the standard split's train + validation; skipped when absent) and 60 M4
 * Hourly training rows (every 7th series; skipped when absent). Neither ETT nor M4 is in the
 * shipped weights. Options: --every N (forecast at every Nth tick; default 3), --fill N (readings
 * filled at most; default windows.fillMissed), --only training (the last table alone: linear
 * models trained on lossy M4 rows as they came, filled, filled with no filled row as a target).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createWindowStore } from '../src/app-parts.ts';
import { loadConfig } from '../src/config/load.ts';
import { decodeForecast } from '../src/domain/forecast.ts';
import { fillLostRows } from '../src/data/fill-rows.ts';
import type { SeriesTable } from '../src/data/table.ts';
import { fitLinearBaseline, LinearBaselinePredictor } from '../src/eval/linear-baseline.ts';
import { windowStarts, withKnownTargets } from '../src/data/windows.ts';
import { mulberry32 } from '../src/eval/nab/rng.ts';
import { BOOTSTRAP_SAMPLE, readValueColumn } from '../src/model/bootstrap.ts';
import { DEFAULT_SPEC, resolveHybridConfig } from '../src/model/config.ts';
import { OnnxPredictor } from '../src/model/onnx/onnx-predictor.ts';
import { loadPretrained } from '../src/model/pretrained.ts';
import type { Predictor } from '../src/pipeline/ports.ts';
import { loadM4Hourly } from './m4-data.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = resolve(repoRoot, '../shared/data');
const { values: args } = parseArgs({ options: { every: { type: 'string', default: '3' }, fill: { type: 'string' }, only: { type: 'string' } } });
const EVERY = Number(args.every);
const spec = DEFAULT_SPEC;
const H = spec.horizon;
const config = loadConfig({ env: {} });
const FILL = args.fill === undefined ? config.windows.fillMissed : Number(args.fill);

interface Feed {
  values: Float64Array;
  stepMs: number;
}
interface Group {
  group: string;
  series: Feed[];
}

function feeds(): Group[] {
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

/** Daily means of ETTh1's seven columns (725 days; the closure table's business-day feed). */
function dailyEtt(): Group[] {
  const ett = resolve(DATA, 'ett/ETTh1.csv');
  if (!existsSync(ett)) return [];
  const rows = readFileSync(ett, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(1).map(Number));
  const days = Math.floor(rows.length / 24);
  const series = rows[0].map((_, c) => ({ values: Float64Array.from({ length: days }, (_, d) => rows.slice(d * 24, d * 24 + 24).reduce((a, r) => a + r[c], 0) / 24), stepMs: 86_400_000 }));
  return [{ group: 'ETTh1, daily means of its 7 columns', series }];
}

/**
 * Series whose process moves only while the feed is open (trading time: a price, a plant's output):
 * 20 seeded series each of hourly bars of an 18-hour session (06:00–23:59 UTC; a random walk, a
 * U-shaped profile over the session and noise; nothing moves in the night) and of daily values on
 * business days (a random walk and a profile over the five days). Closed times hold NaN (never due).
 */
function tradingTime(seed0 = 100): Group[] {
  const hourly: Feed[] = [];
  const daily: Feed[] = [];
  for (let s = 0; s < 20; s++) {
    const r = mulberry32(seed0 + s);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const amp = 1 + 3 * r();
    const make = (n: number, stepMs: number, open: (t: number) => boolean, phase: (t: number) => number): Feed => {
      let level = 100;
      const values = new Float64Array(n).fill(Number.NaN);
      for (let i = 0; i < n; i++) {
        const t = T0 + i * stepMs;
        if (!open(t)) continue;
        level += gauss();
        values[i] = level + amp * Math.cos(2 * Math.PI * phase(t)) + 0.3 * gauss();
      }
      return { values, stepMs };
    };
    hourly.push(make(24 * 7 * 10, 3_600_000, (t) => !NIGHT.closed!(t), (t) => (new Date(t).getUTCHours() - 6) / 18));
    daily.push(make(7 * 104, 86_400_000, (t) => !WEEKEND.closed!(t), (t) => (new Date(t).getUTCDay() - 1) / 5));
  }
  return [
    { group: 'synthetic, trading time: hourly bars of an 18-hour session (20 series)', series: hourly },
    { group: 'synthetic, trading time: business-day values (20 series)', series: daily },
  ];
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
  /** Whether the feed is closed at an event time (no reading is due then). */
  closed?: (tMs: number) => boolean;
}
const LOSSES: Loss[] = [
  { label: '10 %', rate: 0.1 },
  { label: '30 %', rate: 0.3 },
  { label: '10 %, ±10 % clock jitter', rate: 0.1, jitter: 0.1 },
  { label: 'outages of 4–48 readings, one per ~300', rate: 1 / 300, outages: true },
];

const NIGHT: Loss = { label: 'closed 00:00–05:59 UTC daily, 10 % lost', rate: 0.1, closed: (t) => new Date(t).getUTCHours() < 6 };
const WEEKEND: Loss = { label: 'business days only, 10 % lost', rate: 0.1, closed: (t) => new Date(t).getUTCDay() % 6 === 0 };

const T0 = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC

/** The readings due (the feed's open hours): their indexes. */
function due(f: Feed, loss: Loss): number[] {
  return Array.from(f.values.keys()).filter((i) => !loss.closed?.(T0 + i * f.stepMs));
}

/** The readings due that arrive (the first 10 always): their index and their offset from the clock (× the interval). */
function arrivals(open: readonly number[], loss: Loss, seed: number): { i: number; off: number }[] {
  const rng = mulberry32(seed);
  const kept: { i: number; off: number }[] = [];
  for (let k = 0; k < open.length; k++) {
    const i = open[k];
    if (k >= 10 && rng() < loss.rate) {
      if (loss.outages) k += 3 + Math.floor(rng() * 45);
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

/** A window store: readings filled at most, and whether it learns the feed's open hours. */
interface Store {
  fillMissed: number;
  openHours: boolean;
}

/**
 * Stream the readings at `kept` through a window store and forecast at every kept tick i with
 * i % EVERY === 0 and i ≥ `from`; scored against the true readings due next (`open`: the indexes
 * of the readings due, ascending). Returns the summed scaled error and the band hits.
 */
async function stream(p: Predictor, f: Feed, open: readonly number[], kept: readonly { i: number; off: number }[], o: Store, from: number, scale: number): Promise<{ model: Score; last: Score }> {
  const store = createWindowStore(config, spec, { maxSeries: 1, idleEvictMs: 1e15, stride: 1, ...o });
  const W = spec.window;
  const at: { i: number; k: number; mean: number; std: number }[] = [];
  const x = new Float32Array(kept.length * W);
  const rank = new Map(open.map((i, k) => [i, k]));
  for (const { i, off } of kept) {
    const ts = T0 + Math.round((i + off) * f.stepMs);
    const { ready } = store.push('s', ts, [f.values[i]], 0);
    const k = rank.get(i)!;
    if (!ready || k < from || k % EVERY !== 0 || k + H >= open.length) continue;
    const st = store.snapshot('s', x, at.length * W)!;
    at.push({ i, k, mean: st.mean[0], std: st.std[0] });
  }
  const model: Score = { err: 0, inBand: 0, n: 0 };
  const last: Score = { err: 0, inBand: 0, n: 0 };
  const B = 256;
  for (let b0 = 0; b0 < at.length; b0 += B) {
    const nb = Math.min(B, at.length - b0);
    const { y } = await p.predict({ x: x.subarray(b0 * W, (b0 + nb) * W), batch: nb });
    for (let b = 0; b < nb; b++) {
      const a = at[b0 + b];
      const steps = decodeForecast(y, b, spec, [0], [a.mean], [a.std], [])[0];
      for (let h = 0; h < H; h++) {
        const truth = f.values[open[a.k + h + 1]];
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

/** Mean absolute step between the readings due of a series (the scale of its errors). */
function meanStep(v: Float64Array, open: readonly number[]): number {
  let s = 0;
  for (let k = 1; k < open.length; k++) s += Math.abs(v[open[k]] - v[open[k - 1]]);
  return s / (open.length - 1) || 1;
}

const fmt = (s: { err: number; n: number }[]): string => (s.reduce((a, x) => a + x.err / x.n, 0) / s.length).toFixed(3);
const band = (s: Score[]): string => `${((100 * s.reduce((a, x) => a + x.inBand / x.n, 0)) / s.length).toFixed(1)} %`;

/** The window store's cost per tick, filling or not, learning open hours or not: 100 series × 5,000 ticks with 10 % lost, fastest of 3 passes. */
function pushCost(): string {
  const kept = arrivals(Array.from({ length: 5_000 }, (_, i) => i), LOSSES[0], 1);
  const ns = (fill: number, openHours: boolean): number => {
    let best = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const store = createWindowStore(config, spec, { maxSeries: 100, idleEvictMs: 1e15, fillMissed: fill, openHours });
      const t = process.hrtime.bigint();
      for (const { i } of kept) for (let k = 0; k < 100; k++) store.push(`s${k}`, T0 + i * 60_000, [Math.sin(i / 10) + k], 0);
      best = Math.min(best, Number(process.hrtime.bigint() - t) / (kept.length * 100));
    }
    return best;
  };
  const off = ns(0, false);
  const on = ns(FILL, false);
  const hours = ns(FILL, true);
  return `window store, ns per tick (10 % lost, 100 series): filled ${on.toFixed(0)}, not filled ${off.toFixed(0)} (${(on / off).toFixed(2)}×), filled in open hours ${hours.toFixed(0)} (${(hours / off).toFixed(2)}×)`;
}

/**
 * A linear model (the closed-form baseline, NLinear-style) fitted on the rows as they came of
 * `series` (each z-scored; its open hours only): a model trained in the feed's own time.
 */
function fitOnRows(series: readonly Feed[], loss: Loss, lost?: { seed: number; fillMissed: number; knownTargetsOnly?: boolean }): Predictor {
  const W = spec.window;
  const rows: number[] = [];
  const starts: number[] = [];
  for (const [s, f] of series.entries()) {
    const t = lost ? trainingRows(f, loss, lost.seed + s, lost.fillMissed) : { values: due(f, loss).map((i) => f.values[i]), filled: undefined };
    const v = t.values;
    const m = v.reduce((a, x) => a + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / v.length) || 1;
    // As `tickcast train`, every window is fitted, filled forecast rows included; knownTargetsOnly: only windows
    // whose forecast rows were all read (the alternative measured on 5 Dec, not taken: docs/model.md § Training data).
    const known = withKnownTargets(windowStarts(0, v.length - W - H), lost?.knownTargetsOnly ? t.filled : undefined, W, H);
    for (const k of known) starts.push(rows.length + k);
    for (const x of v) rows.push((x - m) / sd);
  }
  const fit = fitLinearBaseline({ values: Float32Array.from(rows), features: spec.features, targets: spec.targets, window: W, horizon: H, quantiles: spec.quantiles, fitStarts: Int32Array.from(starts), calibrationStarts: new Int32Array(0) });
  return new LinearBaselinePredictor(fit, 'linear, rows as they came');
}

/**
 * The rows `tickcast train` trains on when the file lost readings (`loss`, one seed): the rows that
 * arrived, with up to `fillMissed` lost ones filled in before each late row (src/data/fill-rows.ts,
 * the CLI's --fill-missed; 0: as they came).
 */
function trainingRows(f: Feed, loss: Loss, seed: number, fillMissed: number): { values: number[]; filled: Uint8Array } {
  const kept = arrivals(due(f, loss), loss, seed);
  const table: SeriesTable = { path: 'bench', timeCol: 'time', timesMs: Float64Array.from(kept, (k) => T0 + k.i * f.stepMs), stepMs: f.stepMs, features: ['value'], targets: ['value'], targetIndex: [0], columns: [Float64Array.from(kept, (k) => f.values[k.i])], rows: kept.length };
  const out = fillLostRows(table, fillMissed);
  return { values: [...out.table.columns[0]], filled: out.filled };
}

/**
 * The training table: linear models fitted on other series of the group (`others`) with readings
 * lost, their rows as they came or filled in (`tickcast train --fill-missed`), or nothing lost,
 * each served through the default store on the group's series with the same loss (3 seeds).
 */
async function trainingTable(groups: readonly Group[], others: ReadonlyMap<Group, Feed[]>): Promise<void> {
  console.log(`| series | lost | trained on rows as they came (--fill-missed 0) | **trained on rows filled in (--fill-missed ${FILL}, the default)** | filled, but no window fitted whose forecast rows hold a filled row | trained on nothing lost | filled ÷ as they came | known targets only ÷ default |`);
  console.log('|---|---|---|---|---|---|---:|---:|');
  for (const g of groups) {
    for (const loss of [LOSSES[0], LOSSES[1]]) {
      const o = others.get(g)!;
      const models = [fitOnRows(o, loss, { seed: 100, fillMissed: 0 }), fitOnRows(o, loss, { seed: 100, fillMissed: FILL }), fitOnRows(o, loss, { seed: 100, fillMissed: FILL, knownTargetsOnly: true }), fitOnRows(o, loss)];
      const by: Score[][] = models.map(() => []);
      for (const f of g.series) {
        const open = due(f, loss);
        for (const seed of [1, 2, 3]) {
          const kept = arrivals(open, loss, seed);
          for (const [j, p] of models.entries()) by[j].push((await stream(p, f, open, kept, { fillMissed: FILL, openHours: false }, 2 * spec.window, meanStep(f.values, open))).model);
        }
      }
      const [came, filled, known, clean] = by;
      const ratio = (a: Score[], b: Score[]): string => (Number(fmt(a)) / Number(fmt(b))).toFixed(3);
      console.log(`| ${g.group} | ${loss.label} | ${fmt(came)} · ${band(came)} | **${fmt(filled)} · ${band(filled)}** | ${fmt(known)} · ${band(known)} | ${fmt(clean)} · ${band(clean)} | ${ratio(filled, came)} | ${ratio(known, filled)} |`);
    }
  }
}

/** One table: per group and loss, the stores' scores (3 loss seeds), the group's model from `model`. */
async function table(model: (g: Group, loss: Loss) => Predictor, groups: readonly Group[], losses: (g: Group) => readonly Loss[]): Promise<void> {
  console.log(`| series | lost | nothing lost | not filled (fillMissed 0) | **filled (default: fillMissed ${FILL})** | filled in open hours (openHours) | filled ÷ not | open hours ÷ default | repeat-last |`);
  console.log('|---|---|---|---|---|---|---:|---:|---|');
  const stores: Store[] = [{ fillMissed: 0, openHours: false }, { fillMissed: FILL, openHours: false }, { fillMissed: FILL, openHours: true }];
  for (const g of groups) {
    for (const loss of losses(g)) {
      const p = model(g, loss);
      const full: Score[] = [];
      const by: Score[][] = stores.map(() => []);
      const last: Score[] = [];
      for (const f of g.series) {
        const open = due(f, loss);
        const scale = meanStep(f.values, open);
        const from = 2 * spec.window; // every store is full by then, even at 30 % lost
        full.push((await stream(p, f, open, arrivals(open, { label: 'none', rate: 0 }, 0), stores[1], from, scale)).model);
        for (const seed of [1, 2, 3]) {
          const kept = arrivals(open, loss, seed);
          for (const [j, o] of stores.entries()) {
            const r = await stream(p, f, open, kept, o, from, scale);
            by[j].push(r.model);
            if (j === 0) last.push(r.last);
          }
        }
      }
      const [off, on, open] = by;
      const ratio = (a: Score[], b: Score[]): string => (Number(fmt(a)) / Number(fmt(b))).toFixed(3);
      console.log(`| ${g.group} | ${loss.label} | ${fmt(full)} · ${band(full)} | ${fmt(off)} · ${band(off)} | **${fmt(on)} · ${band(on)}** | ${fmt(open)} · ${band(open)} | ${ratio(on, off)} | ${ratio(open, on)} | ${fmt(last)} |`);
    }
  }
}

/** The first three tables (skipped by --only training): feeds read around the clock, then closed some hours, the shipped model and linear models fitted on rows as they came. */
async function closureTables(p: Predictor, all: Group[], hourly: Group[], m4: Group[], others: Map<Group, Feed[]>): Promise<void> {
  const shipped = (): Predictor => p;
  console.log('Feeds read around the clock, the shipped model:\n');
  await table(shipped, all, () => LOSSES);
  const closure = (g: Group): Loss[] => (g.series[0].stepMs === 3_600_000 ? [NIGHT] : [WEEKEND]);
  const synthetic = tradingTime();
  console.log('\nFeeds closed in some hours (no reading due then), the shipped model:\n');
  await table(shipped, [...hourly, ...dailyEtt(), ...synthetic], closure);
  // Models fitted on other series of the same kind, in their own time (M4: 60 other series; synthetic: other seeds).
  tradingTime(300).forEach((g, k) => others.set(synthetic[k], g.series));
  console.log('\nFeeds closed in some hours, a linear model fitted on the rows as they came of other series of the kind:\n');
  await table((g, loss) => fitOnRows(others.get(g)!, loss), [...m4, ...synthetic], closure);
}

async function main(): Promise<void> {
  const hybrid = resolveHybridConfig({});
  const pre = await loadPretrained(hybrid, spec);
  if (!pre.ok) throw new Error(pre.reason);
  const p = await OnnxPredictor.fromWeights(pre.weights, hybrid, { spec, version: pre.version });
  const started = Date.now();
  console.log(`bench:missed-readings — model ${pre.version} (ONNX, CPU), window ${spec.window}, horizon ${H}, a forecast every ${EVERY} ticks; scaled MAE of p50 (lower is better) · share of true readings inside p10–p90\n`);
  const all = feeds();
  const hourly = all.filter((g) => g.series[0].stepMs === 3_600_000);
  const m4 = hourly.filter((g) => g.group.startsWith('M4'));
  const others = new Map<Group, Feed[]>(m4.map((g) => [g, loadM4Hourly(resolve(DATA, 'm4')).filter((_, i) => i % 7 === 3).map((x) => ({ values: x.train, stepMs: 3_600_000 }))]));
  if (args.only !== 'training') await closureTables(p, all, hourly, m4, others);
  console.log('\nTraining on a file that lost readings (a linear model fitted on other series of the kind), served through the default store:\n');
  await trainingTable(m4, others);
  console.log(`\n${pushCost()}\n(${((Date.now() - started) / 1000).toFixed(0)} s; ${new Date().toISOString()})`);
  await p.dispose();
}

await main();
