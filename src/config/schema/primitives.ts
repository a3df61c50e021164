// Value types shared by the configuration sections (src/config/schema/*.ts).
import { z } from 'zod';
import { isTimeZone } from '../../domain/anomaly/local-hours.ts';

export const positiveInt = z.number().int().positive();
export const nonNegInt = z.number().int().nonnegative();
export const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_", "-" (1–249 chars)');

export const timeZone = z.string().refine(isTimeZone, 'an IANA time zone name such as "UTC", "Asia/Kolkata" or "America/New_York"');

/**
 * Longest delay a Node timer takes (2^31 − 1 ms ≈ 24.8 days): setTimeout turns a longer one into
 * 1 ms, so an interval past it would run back to back and a timeout would fire at once.
 */
export const MAX_TIMER_MS = 2_147_483_647;
/** Largest 32-bit signed integer: Kafka's protocol fields (partition counts) are int32. */
export const MAX_INT32 = 2_147_483_647;

/** A whole number of milliseconds that a timer waits (so at most MAX_TIMER_MS). */
export const timerMs = (min: 0 | 1) =>
  (min === 0 ? nonNegInt : positiveInt).max(MAX_TIMER_MS, `must be at most ${MAX_TIMER_MS} ms (≈ 24.8 days, the longest a Node timer waits)`);

/** A regular expression's source text (checked here, so a bad one is reported with the rest). */
export const regexSource = z.string().refine((s) => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
}, 'is not a valid regular expression');
