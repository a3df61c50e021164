/**
 * Irregular sampling (bench:nab's section): the dev subset and the injected corpus with 10 % and
 * 30 % of their readings lost at random, and 10 % lost with the rest up to ±10 % of an interval
 * off their clock (src/eval/nab/missed-readings.ts), six loss seeds each,
 * the detector with missed readings filled in (src/domain/anomaly/missed-ticks.ts, the default)
 * against the same detector without (`missedTicks: false`: each tick read as the next reading,
 * as before the thirteenth round). Which readings are lost moves a corpus's score by several
 * points, so each rate is reported per seed and as the mean.
 */
import type { AnomalyConfig } from '../src/domain/anomaly/index.ts';
import { detectRows, type ProfileResult } from '../src/eval/nab/index.ts';
import { evaluate, withMissedReadingsCorpus, type LabelledCorpus } from './nab-corpora.ts';

/** [share of readings lost, clock jitter as a share of the interval] */
const CASES: Array<[number, number]> = [[0.1, 0], [0.3, 0], [0.1, 0.1]];
const SEEDS = [1, 2, 3, 4, 5, 6];

const scores = (r: ProfileResult[]): number[] => r.map((x) => x.corpus.normalised ?? NaN);
const fmt = (xs: readonly number[]): string => xs.map((x) => x.toFixed(1).padStart(5)).join(' /');
const caught = (r: ProfileResult[]): string => {
  const s = r.find((x) => x.profile === 'standard')!.corpus;
  return `${s.windowsDetected}/${s.windows}, ${s.fp} FP`;
};

export function irregularSection(corpora: readonly LabelledCorpus[], overrides: Partial<AnomalyConfig>): void {
  console.log('\n== irregular sampling: readings lost at random (standard / low FP / low FN; windows caught, FP ticks at the standard threshold)');
  console.log(`${'corpus, readings lost, loss seed'.padEnd(58)} ${'missed readings filled (default)'.padEnd(40)} not filled (missedTicks false)`);
  for (const corpus of corpora) {
    for (const [rate, jitter] of CASES) {
      const sums = [[0, 0, 0], [0, 0, 0]];
      for (const seed of SEEDS) {
        const c = withMissedReadingsCorpus(corpus, rate, seed, jitter);
        const on = evaluate(c, (rows) => detectRows(rows, overrides)).results;
        const off = evaluate(c, (rows) => detectRows(rows, { ...overrides, missedTicks: false })).results;
        [on, off].forEach((r, k) => scores(r).forEach((x, j) => (sums[k][j] += x / SEEDS.length)));
        console.log(`${`${c.label}, seed ${seed}`.padEnd(58)} ${`${fmt(scores(on))} (${caught(on)})`.padEnd(40)} ${fmt(scores(off))} (${caught(off)})`);
      }
      const jittered = jitter > 0 ? `, ±${Math.round(jitter * 100)} % jitter` : '';
      console.log(`${`${corpus.label}, ${Math.round(rate * 100)} % lost${jittered}, mean of ${SEEDS.length} seeds`.padEnd(58)} ${fmt(sums[0]).padEnd(40)} ${fmt(sums[1])}`);
    }
  }
}
