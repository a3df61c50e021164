/**
 * A/B of the anomaly detector's cost on bench:pipeline's ticks (1000 series × 100 ticks, every
 * series new) in FRESH processes: what a series' first touch of its state costs (the zeroing and
 * page faults of its buffers) shows only on a heap that has not held such state before, which
 * detector-ab.ts (one process, many reps) cannot see. Each rep runs one child process per side,
 * alternating which goes first; each child scores the ticks once and reports its CPU time
 * (process.cpuUsage), minor page faults and ArrayBuffer bytes. Outputs are compared by
 * detector-ab.ts (run it too).
 *
 *   BASE=/tmp/base npx tsx load/detector-fresh-ab.ts        (REPS, default 9; SERIES, TICKS)
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERIES = Number(process.env.SERIES ?? 1000);
const TICKS = Number(process.env.TICKS ?? 100);

interface Rep { ms: number; faults: number; abMB: number }

async function child(dir: string): Promise<void> {
  const mod = (await import(resolve(dir, 'src/domain/anomaly/detector.ts'))) as typeof import('../src/domain/anomaly/detector.ts');
  const T0 = Date.UTC(2025, 0, 1);
  const sine = (t: number, s: number) => 50 + 10 * Math.sin(t / 10 + s);
  const ticks: Array<{ s: string; ts: number; v: number; e: { lower: number; p50: number; upper: number } | null }> = [];
  for (let i = 0; i < SERIES * TICKS; i++) {
    const s = i % SERIES;
    const t = Math.floor(i / SERIES);
    const p = sine(t - 1, s);
    ticks.push({ s: `sensor-${s}`, ts: T0 + t * 1000, v: sine(t, s) + (i % 7) / 7, e: t > 0 ? { lower: p - 2, p50: p, upper: p + 2 } : null });
  }
  const r0 = process.resourceUsage();
  const c0 = process.cpuUsage();
  const d = new mod.AnomalyDetector();
  for (const k of ticks) d.observe(k.s, k.ts, k.v, k.e, '');
  const c = process.cpuUsage(c0);
  const r1 = process.resourceUsage();
  const rep: Rep = { ms: (c.user + c.system) / 1000, faults: r1.minorPageFault - r0.minorPageFault, abMB: process.memoryUsage().arrayBuffers / 1e6 };
  console.log(JSON.stringify(rep));
}

function spawn(dir: string): Rep {
  const out = execFileSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], { env: { ...process.env, FRESH_CHILD: dir }, encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as Rep;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (process.env.FRESH_CHILD) await child(process.env.FRESH_CHILD);
else {
  const BASE = process.env.BASE;
  if (!BASE) throw new Error('BASE: the other checkout (e.g. a git worktree of the commit before)');
  const NEW = resolve(fileURLToPath(import.meta.url), '../..');
  const REPS = Number(process.env.REPS ?? 9);
  const old: Rep[] = [];
  const now: Rep[] = [];
  for (let r = 0; r < REPS; r++) {
    if (r % 2) { now.push(spawn(NEW)); old.push(spawn(BASE)); } else { old.push(spawn(BASE)); now.push(spawn(NEW)); }
  }
  const us = (ms: number) => ((1000 * ms) / (SERIES * TICKS)).toFixed(2);
  const ratios = old.map((o, i) => now[i].ms / o.ms).sort((a, b) => a - b);
  console.log(`${SERIES} series × ${TICKS} ticks, fresh process each, ${REPS} reps`);
  console.log(`old: ${us(median(old.map((x) => x.ms)))} µs/tick (range ${us(Math.min(...old.map((x) => x.ms)))}–${us(Math.max(...old.map((x) => x.ms)))}), ${median(old.map((x) => x.faults))} faults, ${old[0].abMB.toFixed(1)} MB ArrayBuffers`);
  console.log(`new: ${us(median(now.map((x) => x.ms)))} µs/tick (range ${us(Math.min(...now.map((x) => x.ms)))}–${us(Math.max(...now.map((x) => x.ms)))}), ${median(now.map((x) => x.faults))} faults, ${now[0].abMB.toFixed(1)} MB ArrayBuffers`);
  console.log(`new/old per rep: median ${median(ratios).toFixed(3)}, range ${ratios[0].toFixed(2)}–${ratios[ratios.length - 1].toFixed(2)}`);
}
