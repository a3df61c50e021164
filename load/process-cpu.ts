/**
 * The whole process's CPU time, for bench:pipeline's per-CPU-second figures: `process.cpuUsage()`
 * (getrusage(RUSAGE_SELF): every thread of the process, those that ended included — the main thread,
 * the ONNX serving threads, librdkafka's threads, libuv's pool, V8's GC and compiler threads) checked
 * against the kernel's own count in /proc/self/stat (utime + stime), and a breakdown by thread from
 * /proc/self/task/<tid>/stat grouped by thread name (Linux only; empty elsewhere).
 *
 * CPU time does not count a thread's waits for a core, the part of a shared machine's load that
 * swings wall-clock figures; load still slows each CPU-second somewhat (shared caches, the
 * hypervisor: 7.1–7.4k → 5.6–6.9k forecasts per CPU-second from load 10–12 to 13–18,
 * docs/benchmarks.md § Per core as CPU time), so compare drains of the same run.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Clock ticks a second of /proc's utime and stime (sysconf(_SC_CLK_TCK); 100 on Linux x86-64 and arm64). */
const CLK_TCK = 100;

/** utime + stime in seconds from a /proc stat line; the name field (2) may hold spaces and parentheses, so fields are counted after its last ')'. */
function statCpuS(line: string): { name: string; cpuS: number } {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  const f = line.slice(close + 2).split(' '); // f[0] is field 3 (state); utime is field 14, stime 15
  return { name: line.slice(open + 1, close), cpuS: (Number(f[11]) + Number(f[12])) / CLK_TCK };
}

function readStat(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // not Linux, or the thread ended between the listing and the read
  }
}

export interface CpuSnapshot {
  /** process.cpuUsage(), user + system, seconds. */
  rusageS: number;
  userS: number;
  systemS: number;
  /** /proc/self/stat utime + stime, seconds (null off Linux). */
  procS: number | null;
  /** Live threads' CPU seconds by thread id, with their names. */
  threads: Map<string, { name: string; cpuS: number }>;
}

export function cpuSnapshot(): CpuSnapshot {
  const u = process.cpuUsage();
  const self = readStat('/proc/self/stat');
  const threads = new Map<string, { name: string; cpuS: number }>();
  let tids: string[] = [];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    /* not Linux */
  }
  for (const tid of tids) {
    const line = readStat(`/proc/self/task/${tid}/stat`);
    if (!line) continue;
    const t = statCpuS(line);
    // The main thread is the one whose id is the process id (Node 20 names every thread "node");
    // numbered siblings (librdkafka's rdk:broker1, rdk:broker2 …) are grouped under one name.
    threads.set(tid, { cpuS: t.cpuS, name: tid === String(process.pid) ? 'main thread' : t.name.replace(/-?\d+$/, '*') });
  }
  return { rusageS: (u.user + u.system) / 1e6, userS: u.user / 1e6, systemS: u.system / 1e6, procS: self ? statCpuS(self).cpuS : null, threads };
}

export interface CpuDelta {
  rusageS: number;
  userS: number;
  systemS: number;
  procS: number | null;
  /** CPU seconds by thread name (threads alive at the end; those that ended during the interval are in `endedS`), largest first. */
  byName: Array<{ name: string; threads: number; cpuS: number }>;
  /** The part of the process's CPU not in a live thread at the end (threads that ended meanwhile), /proc based. */
  endedS: number | null;
}

/** CPU spent between two snapshots; per-thread figures count a thread born meanwhile from zero. */
export function cpuSince(a: CpuSnapshot, b: CpuSnapshot = cpuSnapshot()): CpuDelta {
  const names = new Map<string, { threads: number; cpuS: number }>();
  let live = 0;
  for (const [tid, t] of b.threads) {
    const d = t.cpuS - (a.threads.get(tid)?.cpuS ?? 0);
    live += d;
    const n = names.get(t.name) ?? { threads: 0, cpuS: 0 };
    n.threads++;
    n.cpuS += d;
    names.set(t.name, n);
  }
  const procS = a.procS === null || b.procS === null ? null : b.procS - a.procS;
  return {
    rusageS: b.rusageS - a.rusageS,
    userS: b.userS - a.userS,
    systemS: b.systemS - a.systemS,
    procS,
    byName: [...names].map(([name, n]) => ({ name, ...n })).sort((x, y) => y.cpuS - x.cpuS),
    endedS: procS === null || b.threads.size === 0 ? null : Math.max(0, procS - live),
  };
}
