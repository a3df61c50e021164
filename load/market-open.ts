/**
 * A market's opens and an intraday halt through the anomaly detector (docs/anomaly.md § Known
 * weaknesses; docs/anomaly-rounds.md, nineteenth round): what alerts a price series with no
 * anomaly in it fires after a session's open and after a halt, with the defaults, with the twentieth
 * round's switches (`gapRangeResidual`, `closureVolatilityStep`) at their LEGACY value, and with
 * `gapRelevel` (nineteenth round) at its LEGACY value, in the same run, on the same draws. Made in
 * code, no data files:
 *
 * - opens: 1-minute bars of a session 14:30–20:59 UTC (390 bars), 15 business days from Monday
 *   5 Jan 2026 (weekends skipped), a random walk in log price with bar moves σ 0.05 % and
 *   overnight gaps σ 0.8 % (16 bar σ, an ordinary gap for a stock). Alerts "after an open" fire in
 *   the first 30 bars of a session after the first;
 * - halt: 800 trades 0.5–2 s apart (uniform) from 14:30 UTC, trade moves σ 0.05 %, a 45-minute halt
 *   before trade 500, which reopens 0, ±3 or ±10 % away. Alerts after the reopen fire on the
 *   reopening trade or the 29 after it.
 *
 * Through `AnomalyDetector.observe` with no model band (the fallback forecaster: `modelWeight`
 * 0, the default, would make a model's band change nothing here). The same walk each seed
 * (mulberry32); alerts are firing events.
 *
 *   npm run bench:market-open            (SEEDS, default 1–12, e.g. SEEDS=1,2,3,4)
 */
import { AnomalyDetector, LEGACY_ANOMALY_CONFIG, type AnomalyConfig } from '../src/domain/anomaly/index.ts';
import { gauss, mulberry32 } from '../src/model/random.ts';

const SEEDS = (process.env.SEEDS ?? '1,2,3,4,5,6,7,8,9,10,11,12').split(',').map(Number);
const DAY_MS = 86_400_000;
const OPEN_MS = (14 * 60 + 30) * 60_000;
const BARS = 390;
const DAYS = 15;
const AFTER = 30;
const HALT_AT = 500;
const TRADES = 800;
const JUMPS = [0, 0.03, -0.03, 0.1, -0.1];

const SIDES: Array<{ name: string; config: Partial<AnomalyConfig> }> = [
  { name: 'defaults', config: {} },
  {
    name: 'twentieth round off (gapRangeResidual, closureVolatilityStep LEGACY)',
    config: { gapRangeResidual: LEGACY_ANOMALY_CONFIG.gapRangeResidual, closureVolatilityStep: LEGACY_ANOMALY_CONFIG.closureVolatilityStep },
  },
  { name: 'gapRelevel off (LEGACY)', config: { gapRelevel: LEGACY_ANOMALY_CONFIG.gapRelevel } },
];

/** One firing: where it fell (`at`: bar after the open, or trade after the reopen), its view and severity. */
interface Fired { at: number; view: string; severity: string; score: number }

interface OpenRun { opens: number; alertedOpens: number; afterOpen: Fired[]; all: number }

function opensRun(seed: number, config: Partial<AnomalyConfig>): OpenRun {
  const r = mulberry32(seed);
  const det = new AnomalyDetector(config);
  const run: OpenRun = { opens: 0, alertedOpens: 0, afterOpen: [], all: 0 };
  let logp = Math.log(100);
  let day = Date.UTC(2026, 0, 5);
  for (let d = 0; d < DAYS; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    if (d > 0) [logp, run.opens] = [logp + 0.008 * gauss(r), run.opens + 1];
    let alerted = false;
    for (let b = 0; b < BARS; b++) {
      if (b > 0) logp += 0.0005 * gauss(r);
      const o = det.observe('X', day + OPEN_MS + b * 60_000, Math.exp(logp), null);
      if (o.event?.state !== 'firing') continue;
      run.all++;
      if (d === 0 || b >= AFTER) continue;
      alerted = true;
      run.afterOpen.push({ at: b, view: o.event.view ?? '?', severity: o.event.severity, score: o.score });
    }
    if (alerted) run.alertedOpens++;
    d++;
  }
  return run;
}

/** Alerts after the halt's reopen (trade offset from the reopening trade) and before the halt. */
function haltRun(seed: number, jump: number, config: Partial<AnomalyConfig>): { before: number; after: Fired[] } {
  const r = mulberry32(seed);
  const det = new AnomalyDetector(config);
  const out = { before: 0, after: [] as Fired[] };
  let price = 100;
  let ts = Date.UTC(2026, 0, 5) + OPEN_MS;
  for (let k = 0; k < TRADES; k++) {
    ts += Math.round(500 + 1500 * r());
    price *= Math.exp(0.0005 * gauss(r));
    if (k === HALT_AT) [ts, price] = [ts + 45 * 60_000, price * (1 + jump)];
    const o = det.observe('X', ts, price, null);
    if (o.event?.state !== 'firing') continue;
    if (k < HALT_AT) out.before++;
    else if (k < HALT_AT + AFTER) out.after.push({ at: k - HALT_AT, view: o.event.view ?? '?', severity: o.event.severity, score: o.score });
  }
  return out;
}

const fmt = (f: Fired) => `${f.at}:${f.view}/${f.severity} ${f.score.toFixed(2)}`;

/** "view n (critical c)" for each view, most first. */
function byView(fired: Fired[]): string {
  const views = new Map<string, Fired[]>();
  for (const f of fired) views.set(f.view, [...(views.get(f.view) ?? []), f]);
  const parts = [...views].sort((a, b) => b[1].length - a[1].length).map(([v, fs]) => {
    const crit = fs.filter((f) => f.severity === 'critical').length;
    return `${v} ${fs.length}${crit ? ` (${crit} critical)` : ''}`;
  });
  return parts.length ? parts.join(', ') : 'none';
}

function opensSection(): void {
  console.log(`## Opens: 1-minute bars 14:30–20:59 UTC, ${DAYS} business days, bar σ 0.05 %, overnight σ 0.8 %; alerts in the first ${AFTER} bars after an open (bar:view/severity score)\n`);
  for (const side of SIDES) {
    const total: OpenRun = { opens: 0, alertedOpens: 0, afterOpen: [], all: 0 };
    console.log(`### ${side.name}`);
    for (const seed of SEEDS) {
      const run = opensRun(seed, side.config);
      console.log(`seed ${String(seed).padStart(2)}: ${run.alertedOpens}/${run.opens} opens alerted; alerts in all ${run.all}; after opens: ${run.afterOpen.map(fmt).join(', ') || 'none'}`);
      total.opens += run.opens;
      total.alertedOpens += run.alertedOpens;
      total.all += run.all;
      total.afterOpen.push(...run.afterOpen);
    }
    console.log(`total: ${total.alertedOpens}/${total.opens} opens alerted; alerts in all ${total.all}; after opens by view: ${byView(total.afterOpen)}\n`);
  }
}

function haltSection(): void {
  console.log(`## Halt: ${TRADES} trades 0.5–2 s apart, trade σ 0.05 %, a 45-minute halt before trade ${HALT_AT}; alerts on the reopening trade (0) and the ${AFTER - 1} after it\n`);
  for (const jump of JUMPS) {
    const label = jump === 0 ? 'flat' : `${jump > 0 ? '+' : '−'}${Math.abs(jump * 100)} %`;
    for (const side of SIDES) {
      const after: Fired[] = [];
      let alerted = 0;
      let before = 0;
      const perSeed = SEEDS.map((seed) => {
        const run = haltRun(seed, jump, side.config);
        after.push(...run.after);
        before += run.before;
        if (run.after.length) alerted++;
        return `${seed}: ${run.after.map(fmt).join(', ') || '–'}`;
      });
      console.log(`reopen ${label}, ${side.name}: ${alerted}/${SEEDS.length} seeds alerted after the reopen; by view: ${byView(after)}; alerts before the halt ${before}`);
      console.log(`  ${perSeed.join(' | ')}`);
    }
  }
}

const t0 = performance.now();
opensSection();
haltSection();
console.log(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
