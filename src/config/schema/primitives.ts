// Value types shared by the configuration sections (src/config/schema/*.ts).
import { z } from 'zod';

export const positiveInt = z.number().int().positive();
export const nonNegInt = z.number().int().nonnegative();
export const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_", "-" (1–249 chars)');

/** True when the runtime's Intl knows the IANA time zone name (the domain's check is src/domain/anomaly/local-hours.ts). */
function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone !== '';
  } catch {
    return false;
  }
}

export const timeZone = z.string().refine(knownTimeZone, 'an IANA time zone name such as "UTC", "Asia/Kolkata" or "America/New_York"');
