/**
 * The cost of one TC_SERIES_NOT_FOUND 404's "did you mean" (src/domain/similar-ids.ts) over many
 * tracked ids sharing a long prefix (MQTT-style paths), against the same search with a full
 * length × length edit-distance table per id (src/config/problems.ts editDistance: what
 * similar-ids did before the review of 7 Dec 2026), in one run. Both must name the same ids.
 *
 *   npm run bench:did-you-mean        (IDS, default 10000; LEN, default 246; REPS, default 5)
 */
import { editDistance } from '../src/config/problems.ts';
import { similarIds } from '../src/domain/similar-ids.ts';

const IDS = Number(process.env.IDS ?? 10_000);
const LEN = Number(process.env.LEN ?? 246);
const REPS = Number(process.env.REPS ?? 5);

const prefix = 'plant-a/line-3/'.padEnd(LEN - 6, 'x');
const ids = Array.from({ length: IDS }, (_, i) => `${prefix}${String(i).padStart(6, '0')}`);
const wanted = `${prefix}00001`;

function fullTable(): string[] {
  const w = wanted.toLowerCase();
  return ids
    .map((id) => ({ id, rank: editDistance(w, id.toLowerCase()) }))
    .filter((f) => f.rank <= 2)
    .sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1))
    .slice(0, 3)
    .map((f) => f.id);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => string[], reps: number): { ms: number; answer: string[] } {
  const runs: number[] = [];
  let answer: string[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    answer = fn();
    runs.push(performance.now() - t0);
  }
  return { ms: median(runs), answer };
}

const banded = time(() => similarIds(wanted, ids), REPS);
// The full table is ~100× slower: one run is enough to see it.
const full = time(fullTable, 1);
const same = JSON.stringify(banded.answer) === JSON.stringify(full.answer);
console.log(`did-you-mean over ${IDS} ids of ${LEN} characters sharing a prefix (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
console.log(`  full table (baseline): ${full.ms.toFixed(0)} ms per 404`);
console.log(`  banded (similarIds):   ${banded.ms.toFixed(0)} ms per 404 (median of ${REPS})`);
console.log(`  ratio: ${(full.ms / banded.ms).toFixed(1)}× faster; same answer: ${same}`);
if (!same) process.exitCode = 1;
