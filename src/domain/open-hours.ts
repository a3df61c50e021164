/**
 * The hours a feed read on a clock is open, learned from its ticks, so that a market's nights and
 * weekends, or a plant's shutdown hours, are not taken for readings lost (gap-clock.ts). A late
 * tick's missed clock times are readings lost while each is in an hour the feed has read before;
 * a clock time is closed when no reading ever came in its UTC hour of the day though the feed has
 * been read for a day (a nightly closure), or in its UTC hour of the week though it has been read
 * for three weeks (weekends; a day a week). Nothing is closed in a feed's first day (and no hour of
 * the week in its first three weeks); a gap clock learns a clock over ~45 readings anyway.
 *
 * One bit per hour of the week (Monday 00:00 UTC = 0 … Sunday 23:00 = 167), set by every reading,
 * with `slackMs` either side (the clock's jitter: a reading due at 10:00 that comes at 09:57 opens
 * hour 10 too). Hours are UTC: a schedule in local time is learned all the same, and a daylight-
 * saving shift opens the hour it moves into. Holidays are not learned (a weekday closed once a
 * year reads as missed readings). Learned by the window store for every series: it fills nothing in
 * closed hours when `windows.openHours` is on for the service (auto: the model served was trained
 * on rows with closures, ./closures.ts), and otherwise names the forecast steps that fall in them
 * (WindowStore.closedSteps); and by the anomaly detector's gap clocks (`anomaly.openHours`,
 * default on: docs/anomaly.md, step 0).
 */
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const WEEK_HOURS = 168;
/**
 * A feed is read for this long before an hour of the week it never read in is closed: three
 * weeks, so that a reading lost at random in the same hour of two weeks running (a filled reading
 * opens no hour; 1 % of hours at 10 % lost) is not taken for a closure.
 */
const WEEKLY_AFTER_MS = 21 * DAY_MS;
/** 1970-01-01 was a Thursday: hours from a Monday 00:00 to the epoch. */
const EPOCH_HOUR_OF_WEEK = 72;
/** Slack is capped at half an hour: a reading opens at most the hour it came in and one beside it. */
export const MAX_SLACK_MS = HOUR_MS / 2;

/** UTC hour of the week of an event time (Monday 00:00 = 0). */
export function hourOfWeek(tMs: number): number {
  const h = (Math.floor(tMs / HOUR_MS) + EPOCH_HOUR_OF_WEEK) % WEEK_HOURS;
  return h < 0 ? h + WEEK_HOURS : h;
}

export class OpenHours {
  /** Bit w (word w >> 5) set once a reading came in hour of the week w (plain numbers: snapshots copy them as they are). */
  bits = [0, 0, 0, 0, 0, 0];
  /** Event time of the first reading (NaN before it; a state restored without it starts counting again). */
  firstMs = Number.NaN;
  /** EW mean of how far an interval on the clock is from n × the one before it (ms; 0 for an exact clock). */
  jitterMs = 0;
  /** The last interval on the clock, per reading (ms; 0 before one). */
  stepMs = 0;

  /** How far either side of a clock time a reading may come (ms): the clock's jitter, with a margin. */
  get slackMs(): number {
    return 1.5 * this.jitterMs;
  }

  /**
   * A reading at `tMs`, `dtMs` after the one before it: its hour, and the one within the slack of
   * it, are open; an interval that is `whole` readings on the clock (0: off it) teaches the jitter.
   */
  note(tMs: number, dtMs: number, whole: number): void {
    if (whole > 0 && dtMs > 0) {
      const step = dtMs / whole;
      if (this.stepMs > 0) {
        const dev = whole * Math.abs(step - this.stepMs);
        this.jitterMs = this.jitterMs === 0 ? dev : this.jitterMs + 0.05 * (dev - this.jitterMs);
      }
      this.stepMs = step;
    }
    // A feed back after more than three weeks without a reading (or whose first reading was stamped
    // by a reset clock, 2000-01-01) has not been read all that time: its age starts again (the
    // hours it read in are kept). Before, a first reading stamped 2000-01-01 made a feed read for
    // 15 hours count as read for 27 years, and every hour it had not read in yet was closed.
    if (Number.isNaN(this.firstMs) || dtMs > WEEKLY_AFTER_MS) this.firstMs = tMs;
    const s = Math.min(this.slackMs, MAX_SLACK_MS);
    this.set(hourOfWeek(tMs - s));
    if (s > 0) this.set(hourOfWeek(tMs + s));
  }

  /** Whether any of the n − 1 clock times between readings at `prevMs` and `tMs` falls in closed hours. */
  closedBetween(prevMs: number, tMs: number, n: number): boolean {
    for (let k = 1; k < n; k++) if (this.closed(prevMs + (k * (tMs - prevMs)) / n, this.slackMs)) return true;
    return false;
  }

  /** Whether a clock time `tMs` falls in hours the feed is closed (see the file comment). */
  closed(tMs: number, slackMs: number): boolean {
    const age = tMs - this.firstMs;
    if (!(age >= DAY_MS)) return false;
    const s = Math.min(slackMs, MAX_SLACK_MS);
    const a = hourOfWeek(tMs - s);
    const b = hourOfWeek(tMs + s);
    if (!this.openDay(a % 24) && !this.openDay(b % 24)) return true; // never read in this hour of the day
    return age >= WEEKLY_AFTER_MS && !this.isSet(a) && !this.isSet(b); // nor in this hour of the week
  }

  /** The hours of the week (Monday 00:00 UTC = 0) closed in the week after `fromMs`, ascending. */
  closedHoursOfWeek(fromMs: number): number[] {
    const out: number[] = [];
    const base = Math.floor(fromMs / HOUR_MS) * HOUR_MS + HOUR_MS / 2;
    for (let d = 1; d <= WEEK_HOURS; d++) if (this.closed(base + d * HOUR_MS, 0)) out.push(hourOfWeek(base + d * HOUR_MS));
    return out.sort((a, b) => a - b);
  }

  private openDay(hourOfDay: number): boolean {
    for (let d = 0; d < 7; d++) if (this.isSet(d * 24 + hourOfDay)) return true;
    return false;
  }

  private set(w: number): void {
    this.bits[w >> 5] |= 1 << (w & 31);
  }

  private isSet(w: number): boolean {
    return (this.bits[w >> 5] & (1 << (w & 31))) !== 0;
  }
}
