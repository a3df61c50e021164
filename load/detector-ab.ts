/**
 * A/B of the anomaly detector's per-tick cost: this checkout's detector against another
 * checkout's (BASE: e.g. `git worktree add /tmp/base <commit>`), in the same process on the same
 * ticks, so a shared or busy machine slows both alike. First every workload's output is compared
 * bit for bit (each score's 64 bits, every alert event, gap and missed-readings report, the
 * series' states at the end); then REPS alternating runs of each, CPU time (process.cpuUsage,
 * steadier than the wall clock when other work shares the cores), median µs per tick and the
 * ratio new / old per rep. Exits 1 when any output differs.
 *
 *   BASE=/tmp/base npx tsx load/detector-ab.ts        (REPS, default 7)
 *
 * Workloads: the bundled nyc_taxi sample through the detector's own forecaster; the same as four
 * series with a model band, lost readings, a NaN, a feature and a clock shift; bench:pipeline's
 * ticks (1000 series × 100 ticks of a sine, a model band: every series in its learning period,
 * state created for each); 50 series × 2000 ticks with spikes (past the learning period: alerts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SAMPLE_FILE } from '../src/adapters/embedded/sample-series.ts';
import * as NEW from '../src/domain/anomaly/detector.ts';
import type { Expectation } from '../src/domain/anomaly/views.ts';

const BASE = process.env.BASE;
if (!BASE) throw new Error('BASE: the other checkout (e.g. a git worktree of the commit before)');
const OLD = (await import(resolve(BASE, 'src/domain/anomaly/detector.ts'))) as typeof NEW;
const REPS = Number(process.env.REPS ?? 7);

interface Tick { s: string; ts: number; v: number; e: Expectation | null; f: string }
const T0 = Date.UTC(2025, 0, 1);
const rows = readFileSync(SAMPLE_FILE, 'utf8').trim().split('\n').slice(1).map((l) => {
  const [t, v] = l.split(',');
  return { ts: Date.parse(`${t.replace(' ', 'T')}Z`), v: Number(v) };
});
const sine = (t: number, s: number) => 50 + 10 * Math.sin(t / 10 + s);

function taxiBand(): Tick[] {
  const out: Tick[] = [];
  for (let i = 1; i < rows.length; i++) {
    for (let k = 0; k < 4; k++) {
      if ((i * 7 + k) % 97 === 0) continue;
      const p = rows[i - 1].v * (1 + k * 0.1);
      const v = rows[i].v * (1 + k * 0.1) + (k === 3 ? Math.sin(i) * 500 : 0);
      out.push({ s: `s${k}`, ts: rows[i].ts + (k === 2 && i > 5000 ? 5 * 3_600_000 : 0), v: i === 3000 + k ? NaN : v, e: k === 1 ? null : { lower: p * 0.9, p50: p, upper: p * 1.1 }, f: k === 3 ? 'x' : '' });
    }
  }
  return out;
}

function benchTicks(): Tick[] {
  const out: Tick[] = [];
  for (let i = 0; i < 100_000; i++) {
    const s = i % 1000;
    const t = Math.floor(i / 1000);
    const p = sine(t - 1, s);
    out.push({ s: `sensor-${s}`, ts: T0 + t * 1000, v: sine(t, s) + (i % 7) / 7, e: t > 0 ? { lower: p - 2, p50: p, upper: p + 2 } : null, f: '' });
  }
  return out;
}

function spikes(): Tick[] {
  const out: Tick[] = [];
  for (let t = 0; t < 2000; t++) {
    for (let s = 0; s < 50; s++) {
      const p = sine(t - 1, s);
      const v = sine(t, s) + ((t * 13 + s) % 7) / 7 + ((t + s * 37) % 701 === 0 ? 40 : 0);
      out.push({ s: `q-${s}`, ts: T0 + t * 60_000, v, e: s % 2 ? { lower: p - 2, p50: p, upper: p + 2 } : null, f: '' });
    }
  }
  return out;
}

/** One pass: CPU ms, and with `hash` the digest of everything the detector said. */
function run(mod: typeof NEW, ticks: Tick[], hash: boolean): { ms: number; digest: string } {
  const d = new mod.AnomalyDetector();
  const h = hash ? createHash('sha256') : null;
  const bits = new Float64Array(1);
  const c0 = process.cpuUsage();
  for (const k of ticks) {
    const o = d.observe(k.s, k.ts, k.v, k.e, k.f);
    if (h === null) continue;
    bits[0] = o.score;
    h.update(new Uint8Array(bits.buffer));
    h.update(JSON.stringify({ ev: o.event, g: o.gap, m: o.missed }));
  }
  const cpu = process.cpuUsage(c0);
  if (h !== null) for (const s of new Set(ticks.map((k) => k.s))) h.update(JSON.stringify(d.peek(s)));
  return { ms: (cpu.user + cpu.system) / 1000, digest: h?.digest('hex') ?? '' };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const workloads: Array<[string, Tick[]]> = [
  ['nyc_taxi, own forecaster', rows.map((r) => ({ s: 'nyc', ts: r.ts, v: r.v, e: null, f: '' }))],
  ['nyc_taxi × 4, band, gaps', taxiBand()],
  ['bench:pipeline ticks', benchTicks()],
  ['50 × 2000 with spikes', spikes()],
];
let same = true;
for (const [name, ticks] of workloads) {
  const a = run(OLD, ticks, true).digest;
  const b = run(NEW, ticks, true).digest;
  same &&= a === b;
  console.log(`${name} (${ticks.length} ticks): ${a === b ? 'identical output' : 'OUTPUT DIFFERS'} (${a.slice(0, 12)} / ${b.slice(0, 12)})`);
}
for (const [name, ticks] of workloads) {
  const old: number[] = [];
  const now: number[] = [];
  for (let r = 0; r < REPS; r++) {
    // Alternate which goes first, so warm-up and drift fall on both.
    if (r % 2) { now.push(run(NEW, ticks, false).ms); old.push(run(OLD, ticks, false).ms); } else { old.push(run(OLD, ticks, false).ms); now.push(run(NEW, ticks, false).ms); }
  }
  const us = (ms: number) => ((1000 * ms) / ticks.length).toFixed(2);
  const ratios = old.map((o, i) => now[i] / o);
  console.log(`${name}: old ${us(median(old))} µs/tick, new ${us(median(now))} µs/tick, new/old median ${median(ratios).toFixed(3)} (per rep ${ratios.map((x) => x.toFixed(2)).join(' ')})`);
}
if (!same) process.exitCode = 1;
