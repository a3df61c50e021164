/**
 * Where the soak's resident memory is (load/soak.ts): V8's heap against what lies outside it.
 *
 * process.memoryUsage() gives the V8 heap in use and committed, `external` (memory V8 objects hold
 * outside the heap, ArrayBuffer backing stores included) and `arrayBuffers`; v8's
 * total_physical_size is the heap's resident part. /proc/self/status splits RSS into anonymous
 * and file-backed pages (code of node, onnxruntime, tfjs's .so files), and /proc/self/smaps lets
 * the anonymous part be split by mapping: `[heap]` is glibc malloc's main (brk) arena; anonymous
 * read-write mappings starting on a 64 MiB boundary are glibc's per-thread malloc arenas (each a
 * 64 MiB reservation, HEAP_MAX_SIZE, grown in place; libuv's threadpool threads and onnxruntime's
 * own allocate there). `nativeMB` = anonymous RSS − V8's resident heap: everything C/C++ holds
 * (malloc arenas, onnxruntime's CPU arena, librdkafka, buffers).
 */
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { loadavg } from 'node:os';

export interface MemorySample {
  heapMB: number;
  heapTotMB: number;
  v8PhysMB: number;
  extMB: number;
  abMB: number;
  rssMB: number;
  anonMB: number;
  fileMB: number;
  brkMB: number;
  arenasMB: number;
  arenas: number;
  nativeMB: number;
  load1: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
const ARENA_ALIGN = 64 * 2 ** 20;

/** kB value of `key:` in /proc/self/status (0 where not Linux). */
function statusKb(text: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/** Resident kB of glibc's brk heap and of the anonymous mappings that look like per-thread malloc arenas. */
function mallocMappings(): { brkKb: number; arenaKb: number; arenas: number } {
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return { brkKb: 0, arenaKb: 0, arenas: 0 };
  }
  let kind: 'brk' | 'arena' | null = null;
  const out = { brkKb: 0, arenaKb: 0, arenas: 0 };
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-[0-9a-f]+ (\S+) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (head) {
      const [, start, perms, path] = head;
      const aligned = Number(BigInt(`0x${start}`) % BigInt(ARENA_ALIGN)) === 0;
      kind = path === '[heap]' ? 'brk' : path === '' && perms === 'rw-p' && aligned ? 'arena' : null;
      if (kind === 'arena') out.arenas++;
      continue;
    }
    if (kind && line.startsWith('Rss:')) out[kind === 'brk' ? 'brkKb' : 'arenaKb'] += Number(line.split(/\s+/)[1]);
  }
  return out;
}

/** One reading (call after forcing GC). */
export function memorySample(): MemorySample {
  const m = process.memoryUsage();
  const phys = getHeapStatistics().total_physical_size;
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    /* not Linux: the /proc columns read 0 */
  }
  const anonKb = statusKb(status, 'RssAnon');
  const maps = mallocMappings();
  return {
    heapMB: mb(m.heapUsed),
    heapTotMB: mb(m.heapTotal),
    v8PhysMB: mb(phys),
    extMB: mb(m.external),
    abMB: mb(m.arrayBuffers),
    rssMB: mb(m.rss),
    anonMB: mb(anonKb * 1024),
    fileMB: mb(statusKb(status, 'RssFile') * 1024),
    brkMB: mb(maps.brkKb * 1024),
    arenasMB: mb(maps.arenaKb * 1024),
    arenas: maps.arenas,
    nativeMB: mb(anonKb * 1024 - phys),
    load1: Math.round(loadavg()[0] * 10) / 10,
  };
}
