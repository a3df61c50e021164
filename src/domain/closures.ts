/**
 * Closures in a series' own timestamps (training data): how many of its late ticks the window
 * store would fill as readings missed (`windows.fillMissed`) come after hours the series is
 * closed (open-hours.ts) — a market's nights and weekends, read as they came. A model trained on
 * such rows learned the feed's own time; the service serves it windows built the same way
 * (`windows.openHours: auto`, app-parts.ts).
 */
import { GapClock } from './gap-clock.ts';

export interface Closures {
  /** Ticks 2 … maxFill + 1 intervals late on the series' clock (filled when open hours are not learned). */
  late: number;
  /** Of those, the ones after hours the series is closed (not filled when they are). */
  closed: number;
}

/** A series' closures (Closures), by the window store's rule with `maxFill` readings filled at most. */
export function closuresIn(timesMs: ArrayLike<number>, maxFill: number): Closures {
  const all = new GapClock();
  const open = new GapClock();
  let late = 0;
  let closed = 0;
  for (let i = 0; i < timesMs.length; i++) {
    const a = all.tick(timesMs[i], maxFill + 1, 0, true, false).missed;
    const b = open.tick(timesMs[i], maxFill + 1, 0, true, true).missed;
    if (a > 0) late++;
    if (a > 0 && b === 0) closed++;
  }
  return { late, closed };
}

/**
 * Whether a model trained on rows with these closures learned the series' own time: at least 3
 * closures, and at least a quarter of its late ticks (a feed read around the clock that lost the
 * same hour two days running has one now and then; a market has one a night).
 */
export function trainedAcrossClosures(c: Closures | undefined): boolean {
  return c !== undefined && c.closed >= 3 && c.closed >= 0.25 * c.late;
}
