/**
 * Feeds closed some hours (bench:nab's section): the dev subset and the injected corpus re-timed
 * as if read only in a schedule's open hours (src/eval/nab/closures.ts: an 18-hour session closed
 * 00:00–05:59 UTC, business days, and each row a day read on business days), every row kept, the
 * series in trading time; and with the rows in closed hours dropped instead (the process ran on
 * unread). The detector as it is by default (closures read as lost readings or
 * outages: the views fill them in, and each is counted on tickcast_series_missed_readings_total or
 * tickcast_series_gaps_total) against `openHours: true` (the hours a feed reads in are learned:
 * closures are neither). Reported: NAB scores (standard / low FP / low FN; windows caught, FP
 * ticks) and the readings reported missed and gaps reported per 1,000 ticks.
 */
import type { AnomalyConfig } from '../src/domain/anomaly/index.ts';
import { inOpenHours, NIGHTS_CLOSED, WEEKENDS_CLOSED, withoutClosedRows, type Schedule } from '../src/eval/nab/closures.ts';
import { observeRows, type NabRow, type ProfileResult } from '../src/eval/nab/index.ts';
import { evaluate, type LabelledCorpus } from './nab-corpora.ts';

/** [label, schedule, re-time: 'hours' (trading time), 'daily' (a row a day first), 'drop' (the rows in closed hours dropped)] */
const SCHEDULES: Array<[string, Schedule, 'hours' | 'daily' | 'drop']> = [
  ['as recorded (around the clock)', () => true, 'hours'],
  ['closed 00:00-05:59 UTC', NIGHTS_CLOSED, 'hours'],
  ['closed weekends', WEEKENDS_CLOSED, 'hours'],
  ['a row a day, business days', WEEKENDS_CLOSED, 'daily'],
  ['rows in 00:00-05:59 UTC dropped', NIGHTS_CLOSED, 'drop'],
  ['weekend rows dropped', WEEKENDS_CLOSED, 'drop'],
];

/** The corpus re-timed to a schedule's open hours (daily: a row a day first). */
export function closedCorpus(corpus: LabelledCorpus, label: string, open: Schedule, how: 'hours' | 'daily' | 'drop'): LabelledCorpus {
  const rows = new Map<string, NabRow[]>();
  const windows: Record<string, LabelledCorpus['windows'][string]> = {};
  for (const n of corpus.names) {
    const r = how === 'drop' ? withoutClosedRows(corpus.rows.get(n)!, corpus.windows[n] ?? [], open) : inOpenHours(corpus.rows.get(n)!, corpus.windows[n] ?? [], open, how === 'daily');
    rows.set(n, r.rows);
    windows[n] = r.windows;
  }
  return { ...corpus, label: `${corpus.label}, ${label}`, rows, windows, ticks: corpus.names.reduce((t, n) => t + rows.get(n)!.length, 0) };
}

interface Tally {
  missed: number;
  gaps: number;
  ticks: number;
}

/** The detector's scores, counting the missed readings and gaps it reports (the service's two counters). */
function counting(config: Partial<AnomalyConfig>, tally: Tally): (rows: readonly NabRow[]) => number[] {
  return (rows) => {
    tally.ticks += rows.length;
    return observeRows(rows, config, 'nab', (o) => {
      if (o.gap !== undefined) tally.gaps++;
      if (o.missed !== undefined) tally.missed += o.missed;
      return o.score;
    });
  };
}

const fmt = (r: ProfileResult[]): string => {
  const s = r.find((x) => x.profile === 'standard')!.corpus;
  return `${r.map((x) => (x.corpus.normalised ?? NaN).toFixed(1).padStart(5)).join(' /')} (${s.windowsDetected}/${s.windows}, ${s.fp} FP)`;
};
const per1k = (t: Tally): string => `${((1000 * t.missed) / t.ticks).toFixed(1)} missed, ${((1000 * t.gaps) / t.ticks).toFixed(1)} gaps`;

export function closuresSection(corpora: readonly LabelledCorpus[], overrides: Partial<AnomalyConfig>): void {
  console.log('\n== feeds closed some hours (standard / low FP / low FN; windows caught, FP ticks; missed readings and gaps reported per 1,000 ticks)');
  console.log(`${'corpus, schedule'.padEnd(62)} ${'default (openHours false)'.padEnd(58)} openHours true`);
  for (const corpus of corpora) {
    for (const [label, open, how] of SCHEDULES) {
      const c = closedCorpus(corpus, label, open, how);
      const cells = [{ ...overrides, openHours: false }, { ...overrides, openHours: true }].map((cfg) => {
        const t: Tally = { missed: 0, gaps: 0, ticks: 0 };
        const r = evaluate(c, counting(cfg, t)).results;
        return `${fmt(r)}; ${per1k(t)}`;
      });
      console.log(`${c.label.padEnd(62)} ${cells[0].padEnd(58)} ${cells[1]}`);
    }
  }
}
