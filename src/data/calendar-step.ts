/**
 * A file's step in words for the commands' stderr lines. Monthly and quarterly periods (`2024Jan`,
 * `2024-Q1`, month-end dates) are not a fixed number of days apart: until 7 Dec 2026 their step was
 * shown as the most common spacing, `31d` for monthly data and `92d` for quarterly, which reads as
 * a 31-day grid. Now times that fall on the same day of every month (or every month's last day),
 * at the same time of day, whole months apart, read as `1 month (monthly)`, `3 months
 * (quarterly)`, `6 months (semi-annual)`, `12 months (annual)`; the JSON results keep `stepMs`.
 */
import { formatStep } from './time.ts';

const DAY = 86_400_000;
/** As many spacings as ./time.ts typicalStepMs reads. */
const LOOK = 10_001;

const NAMES: Readonly<Record<number, string>> = { 1: 'monthly', 3: 'quarterly', 6: 'semi-annual', 12: 'annual' };

const lastOfMonth = (d: Date): boolean => new Date(d.getTime() + DAY).getUTCDate() === 1;

/** The most common number of calendar months between consecutive times, when every time is on one day of the month (or the last) at one time of day; undefined otherwise. */
export function calendarMonths(timesMs: ArrayLike<number>): number | undefined {
  const n = Math.min(timesMs.length, LOOK);
  if (n < 2) return undefined;
  const first = new Date(timesMs[0]);
  const day = first.getUTCDate();
  const monthEnd = lastOfMonth(first) && day >= 28;
  const clock = timesMs[0] % DAY;
  const counts = new Map<number, number>();
  let month = first.getUTCFullYear() * 12 + first.getUTCMonth();
  for (let i = 1; i < n; i++) {
    const d = new Date(timesMs[i]);
    if (!Number.isFinite(timesMs[i]) || timesMs[i] % DAY !== clock) return undefined;
    if (monthEnd ? !lastOfMonth(d) : d.getUTCDate() !== day) return undefined;
    const m = d.getUTCFullYear() * 12 + d.getUTCMonth();
    if (m > month) counts.set(m - month, (counts.get(m - month) ?? 0) + 1);
    month = m;
  }
  let best: number | undefined;
  for (const [k, c] of counts) if (best === undefined || c > counts.get(best)!) best = k;
  return best;
}

/** `1 month (monthly)`, `3 months (quarterly)` for calendar-month spacing; else ./time.ts formatStep (`1h`, `1d`). */
export function describeStep(table: { stepMs: number; timesMs: ArrayLike<number> }): string {
  const k = Number.isFinite(table.stepMs) && table.stepMs >= 28 * DAY ? calendarMonths(table.timesMs) : undefined;
  if (k === undefined) return formatStep(table.stepMs);
  const name = NAMES[k];
  return `${k} month${k === 1 ? '' : 's'}${name === undefined ? '' : ` (${name})`}`;
}
