/**
 * Feeds closed some hours, for the robustness check of `bench:nab` (load/nab-closures.ts): a
 * labelled file's rows re-timed as if the feed were read only in a schedule's open hours — a
 * market's 18-hour session (closed 00:00–05:59 UTC) or business days (closed Saturday and Sunday).
 * Every row is kept in order (the series runs in trading time, as prices do: nothing moves while
 * the market is shut); each row comes its original interval after the row before it, and a time
 * in closed hours moves on to the start of the next open hour. Window edges move with their rows,
 * so the labels stay valid. `daily` first re-times the rows one day apart at 00:00 UTC (a daily
 * series read on business days: a weekend is two readings not due). `withoutClosedRows` is the
 * other kind of closure: the process runs on while nobody reads it (a plant's night shift unlogged),
 * so the rows in closed hours are dropped and window edges move to the nearest row kept inside.
 */
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { nabTimestampMs } from './detect.ts';
import { rowTimestamp } from './inject.ts';
import type { NabRow } from './io.ts';
import { normaliseTimestamp, type WindowLimits } from './sweeper.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Whether a feed is open at an event time (UTC). */
export type Schedule = (tMs: number) => boolean;

/** An 18-hour session: closed 00:00–05:59 UTC every day. */
export const NIGHTS_CLOSED: Schedule = (t) => Math.floor(t / HOUR_MS) % 24 >= 6;
/** Monday to Friday (UTC): closed Saturday and Sunday. */
export const WEEKENDS_CLOSED: Schedule = (t) => {
  const day = new Date(t).getUTCDay();
  return day !== 0 && day !== 6;
};

/** The first open time at or after `t`: `t` itself when open, else the start of the next open hour. */
function nextOpen(t: number, open: Schedule): number {
  if (open(t)) return t;
  let h = Math.floor(t / HOUR_MS) * HOUR_MS + HOUR_MS;
  for (let k = 0; k < 24 * 14 && !open(h); k++) h += HOUR_MS;
  return h;
}

/** The rows re-timed into `open`'s hours, in order, each its original interval after the one before (see the file comment); windows moved with them. */
export function inOpenHours(rows: readonly NabRow[], windows: readonly WindowLimits[], open: Schedule, daily = false): { rows: NabRow[]; windows: WindowLimits[] } {
  const src = rows.map((r) => nabTimestampMs(r.timestamp));
  const old = daily ? src.map((_, i) => Math.floor(src[0] / DAY_MS) * DAY_MS + i * DAY_MS) : src;
  const out: number[] = [];
  for (let i = 0; i < old.length; i++) out.push(nextOpen(i === 0 ? old[0] : out[i - 1] + Math.max(0, old[i] - old[i - 1]), open));
  const moved = new Map(rows.map((r, i) => [normaliseTimestamp(r.timestamp), rowTimestamp(out[i])]));
  const edge = (ts: string): string => {
    const m = moved.get(normaliseTimestamp(ts));
    if (m === undefined) throw new TickcastError(ErrorCodes.DATA_MALFORMED, `window edge ${ts} is not a row timestamp; check the labels`);
    return m;
  };
  return {
    rows: rows.map((r, i) => ({ ...r, timestamp: rowTimestamp(out[i]) })),
    windows: windows.map(([a, b]) => [edge(a), edge(b)] as const),
  };
}

/** The rows in `open`'s hours only; each window from its first to its last row kept (a window left with none is dropped). */
export function withoutClosedRows(rows: readonly NabRow[], windows: readonly WindowLimits[], open: Schedule): { rows: NabRow[]; windows: WindowLimits[] } {
  const kept = rows.filter((r) => open(nabTimestampMs(r.timestamp)));
  const ms = kept.map((r) => nabTimestampMs(r.timestamp));
  const out: WindowLimits[] = [];
  for (const [a, b] of windows) {
    const lo = ms.findIndex((t) => t >= nabTimestampMs(a));
    const hi = ms.findLastIndex((t) => t <= nabTimestampMs(b));
    if (lo >= 0 && hi >= lo) out.push([kept[lo].timestamp, kept[hi].timestamp]);
  }
  return { rows: kept, windows: out };
}
