/**
 * Hours of local clock time for the long-cycle filter (long-cycle.ts). Business rhythms — a
 * weekday level, opening hours, a nightly batch — follow a time zone's clock, not UTC's: in India
 * (UTC+5:30) local midnight is 18:30 UTC, between two UTC hours, and wherever daylight saving
 * applies the same local midnight moves by an hour in UTC twice a year. Cutting event time into
 * hours of the series' own zone keeps its edges on hour boundaries and its weekly phase fixed
 * across the clock changes: the spring's missing local hour is a skipped hour, the autumn's
 * repeated one joins the hour it repeats.
 *
 * The zone's offset comes from Intl (the runtime's IANA database) once per quarter hour of event
 * time per zone (every offset in use and every transition falls on a quarter hour), cached per
 * zone, so a fleet of series ticking in time order asks Intl once per 15 minutes. "UTC" never asks.
 */
const HOUR_MS = 3_600_000;
const QUARTER_MS = 900_000;

interface ZoneClock {
  fmt: Intl.DateTimeFormat;
  quarter: number;
  offsetMs: number;
}

const clocks = new Map<string, ZoneClock>();

/** Whether the runtime knows `zone` as an IANA time zone name ("UTC", "Asia/Kolkata", "America/New_York"). */
export function isTimeZone(zone: unknown): boolean {
  if (typeof zone !== 'string' || zone === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What is wrong with the long-cycle filter's zone settings (config.ts), one message each; empty when nothing. */
export function zoneProblems(zone: unknown, zones: unknown): string[] {
  const out: string[] = [];
  if (!isTimeZone(zone)) out.push(`longCycleTimeZone must be an IANA time zone name such as "UTC" or "Asia/Kolkata"; got ${JSON.stringify(zone)}`);
  if (zones === null || typeof zones !== 'object' || Array.isArray(zones)) out.push(`longCycleTimeZones must be a map of series-key prefix to time zone; got ${JSON.stringify(zones)}`);
  else for (const [prefix, z] of Object.entries(zones)) if (!isTimeZone(z)) out.push(`longCycleTimeZones["${prefix}"] must be an IANA time zone name; got ${JSON.stringify(z)}`);
  return out;
}

/** The zone of series `series`: the value of the longest key of `zones` it starts with, else `fallback`. */
export function zoneOf(series: string, zones: Readonly<Record<string, string>>, fallback: string): string {
  let best = -1;
  let zone = fallback;
  for (const [prefix, z] of Object.entries(zones)) {
    if (prefix.length > best && series.startsWith(prefix)) {
      best = prefix.length;
      zone = z;
    }
  }
  return zone;
}

function clockOf(zone: string): ZoneClock {
  let c = clocks.get(zone);
  if (c === undefined) {
    const fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    c = { fmt, quarter: Number.NaN, offsetMs: 0 };
    clocks.set(zone, c);
  }
  return c;
}

/** The zone's offset from UTC at the start of quarter hour `q` (local clock minus UTC, in ms). */
function offsetAt(fmt: Intl.DateTimeFormat, q: number): number {
  const t = q * QUARTER_MS;
  const p = { year: 0, month: 1, day: 1, hour: 0, minute: 0 };
  for (const part of fmt.formatToParts(t)) if (part.type in p) p[part.type as keyof typeof p] = Number(part.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute) - t;
}

/** Event time `tsMs` on `zone`'s clock, in hours from the epoch (its floor is the local hour, the rest the place in it). */
export function localHours(tsMs: number, zone: string): number {
  if (zone === 'UTC') return tsMs / HOUR_MS;
  const c = clockOf(zone);
  const q = Math.floor(tsMs / QUARTER_MS);
  if (q !== c.quarter) {
    c.offsetMs = offsetAt(c.fmt, q);
    c.quarter = q;
  }
  return (tsMs + c.offsetMs) / HOUR_MS;
}
