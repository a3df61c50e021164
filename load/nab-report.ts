/** Printing for `npm run bench:nab`: corpus tables, per-category tables, LOCO tables. */
import type { LocoResult, ProfileResult } from '../src/eval/nab/index.ts';

const f1 = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(1));

/** NAB dev subset README: NAB's committed results rescored, threshold optimised on the subset. */
export const DEV_REFERENCES: Array<[string, number, number, number]> = [
  ['ARTime', 67.1, 58.1, 72.7],
  ['Numenta HTM', 61.3, 54.3, 66.2],
  ['contextOSE', 50.5, 44.5, 55.0],
  ['relativeEntropy', 50.0, 38.8, 56.0],
  ['knncad', 43.7, 24.6, 53.1],
  ['twitterADVec', 33.4, 19.5, 39.6],
  ['random (committed run)', 27.8, 17.9, 39.9],
  ['null', 0, 0, 0],
];

export function report(label: string, results: ProfileResult[], perFile: boolean): void {
  console.log(`\n== ${label}`);
  console.log(`${'profile'.padEnd(20)}${'threshold'.padStart(10)}${'score'.padStart(8)}   windows hit / FP ticks`);
  for (const r of results) {
    console.log(`${r.profile.padEnd(20)}${r.threshold.toFixed(4).padStart(10)}${f1(r.corpus.normalised).padStart(8)}   ${r.corpus.windowsDetected}/${r.corpus.windows} / ${r.corpus.fp}`);
  }
  console.log(`per category at each profile's corpus threshold (normalised; raw score for a category without windows)`);
  console.log(`${'category'.padEnd(24)}${results.map((r) => r.profile.padStart(22)).join('')}`);
  for (const c of Object.keys(results[0].categories)) {
    const cells = results.map((r) => {
      const g = r.categories[c];
      return (g.normalised === null ? `raw ${g.raw.toFixed(2)}, ${g.fp} FP` : `${g.normalised.toFixed(1)} (${g.windowsDetected}/${g.windows})`).padStart(22);
    });
    console.log(`${c.padEnd(24)}${cells.join('')}`);
  }
  if (perFile) {
    console.log('per file, standard profile: raw score, windows hit, FP ticks');
    const std = results.find((r) => r.profile === 'standard')!;
    for (const [n, g] of Object.entries(std.files)) console.log(`  ${n.padEnd(60)}${g.raw.toFixed(3).padStart(8)}  ${g.windowsDetected}/${g.windows}  ${g.fp}`);
  }
}

/** Side-by-side: rows of [label, results] plus optional published references. */
export function comparison(title: string, ours: Array<[string, ProfileResult[]]>, refs: Array<[string, number, number, number]> = []): void {
  console.log(`\n== ${title} (standard / reward_low_FP / reward_low_FN)`);
  for (const [label, res] of ours) console.log(`${label.padEnd(40)}${res.map((r) => f1(r.corpus.normalised).padStart(7)).join('')}`);
  for (const [n, a, b, c] of refs) console.log(`${n.padEnd(40)}${[a, b, c].map((x) => x.toFixed(1).padStart(7)).join('')}   (published)`);
}

export function reportLoco(label: string, loco: LocoResult[]): void {
  console.log(`\n== leave-one-category-out on ${label}: parameter set and threshold chosen on the other categories`);
  const std = loco.find((l) => l.profile === 'standard')!;
  for (const h of std.heldOut) {
    const cells = loco.map((l) => {
      const g = l.heldOut.find((x) => x.category === h.category)!.score;
      return g.normalised === null ? `raw ${g.raw.toFixed(2)}` : g.normalised.toFixed(1);
    });
    console.log(`  held out ${h.category.padEnd(24)} chosen: ${h.chosen.padEnd(26)} ${cells.map((c) => c.padStart(10)).join('')}`);
  }
  console.log(`  pooled held-out score (standard / low FP / low FN): ${loco.map((l) => l.pooled.toFixed(1)).join(' / ')}`);
}
