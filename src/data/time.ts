/**
 * Timestamps in CSV files → epoch milliseconds. Accepted forms:
 * - `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` and the same with `T`: naive local time, read as UTC
 *   (ETT files are naive; reading them as UTC keeps every day 24 h long, no DST gaps);
 * - ISO-8601 with `Z` or an offset (`2024-01-01T00:00:00+02:00`);
 * - epoch numbers: seconds when below 1e11, milliseconds otherwise.
 */
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?$/;

/** Parse one timestamp cell; NaN when it is not a timestamp in a supported form. */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  if (s === '') return Number.NaN;
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e11 ? n * 1000 : n;
  }
  const m = NAIVE.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec, frac] = m;
    const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
    const t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0), ms);
    // Date.UTC rolls 2024-02-31 into March; reject such dates instead of silently shifting them.
    const back = new Date(t);
    if (back.getUTCMonth() !== Number(mo) - 1 || back.getUTCDate() !== Number(d)) return Number.NaN;
    return t;
  }
  if (/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    const t = Date.parse(s);
    return Number.isFinite(t) ? t : Number.NaN;
  }
  return Number.NaN;
}

/** The most common positive spacing between consecutive timestamps (ms); NaN with < 2 rows. */
export function typicalStepMs(timesMs: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  const n = Math.min(timesMs.length, 10_001);
  for (let i = 1; i < n; i++) {
    const d = timesMs[i] - timesMs[i - 1];
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = Number.NaN;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Seasonal period in steps, guessed from the sampling interval: one day for sub-daily data
 * (hourly → 24, 5-minute → 288, 15-minute → 96), one week for daily data (7), 12 for monthly.
 * Returns 1 (plain naive) when the interval is unknown or does not divide a day.
 */
export function detectSeason(stepMs: number): number {
  if (!Number.isFinite(stepMs) || stepMs <= 0) return 1;
  if (stepMs < DAY) {
    const perDay = DAY / stepMs;
    return Number.isInteger(perDay) ? perDay : 1;
  }
  if (stepMs === DAY) return 7;
  if (stepMs >= 28 * DAY && stepMs <= 31 * DAY) return 12;
  return 1;
}

/** "1h", "5m", "1d", "30s" — for messages and JSON results. */
export function formatStep(stepMs: number): string {
  if (!Number.isFinite(stepMs)) return 'unknown';
  if (stepMs % DAY === 0) return `${stepMs / DAY}d`;
  if (stepMs % HOUR === 0) return `${stepMs / HOUR}h`;
  if (stepMs % MINUTE === 0) return `${stepMs / MINUTE}m`;
  if (stepMs % 1000 === 0) return `${stepMs / 1000}s`;
  return `${stepMs}ms`;
}
