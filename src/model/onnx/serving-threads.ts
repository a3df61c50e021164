/**
 * How many ONNX serving threads `model.onnxWorkers: auto` (the default) starts: one when the
 * process has at least two CPUs, none otherwise. Measured on 2 vCPUs through the whole service
 * (`bench:pipeline`, docs/inference.md): one serving thread takes the model runs off the main
 * thread, which decodes, windows, scores and produces meanwhile — 1.23–1.28× the forecasts/s of
 * in-process serving — where two threads on the same two CPUs gave 1.09×. One stays right on
 * bigger nodes for the default model: its serving thread is busy 39 % of a drain while the main
 * thread is busy 80 % (the main thread limits; docs/inference.md "Serving threads").
 *
 * The CPUs are the container's: the cgroup's CPU quota when one is set (cgroup v2 `cpu.max`, v1
 * `cpu.cfs_quota_us` / `cpu.cfs_period_us`; Node's availableParallelism sees the host), else the
 * CPUs the process may run on.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** The CPU quota of the process's cgroup in CPUs (fractional), or null when there is none. */
export function cgroupCpuQuota(read: (path: string) => string | null = readOrNull): number | null {
  const v2 = read('/sys/fs/cgroup/cpu.max'); // "max 100000" or "150000 100000"
  if (v2 !== null) {
    const [quota, period] = v2.split(/\s+/);
    return quota === 'max' || !(Number(period) > 0) ? null : Number(quota) / Number(period);
  }
  const quota = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'));
  const period = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return quota > 0 && period > 0 ? quota / period : null;
}

/** CPUs this process can use: the host's (affinity-aware), capped by the cgroup quota. */
export function usableCpus(quota: number | null = cgroupCpuQuota(), cpus: number = availableParallelism()): number {
  return quota === null ? cpus : Math.max(1, Math.min(cpus, Math.floor(quota)));
}

/** `model.onnxWorkers` as configured, `auto` resolved (see the file comment). */
export function servingThreads(setting: number | 'auto', cpus: number = usableCpus()): number {
  return setting === 'auto' ? (cpus >= 2 ? 1 : 0) : setting;
}
