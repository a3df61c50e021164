// Value types shared by the configuration sections (src/config/schema/*.ts).
import { z } from 'zod';
import { isTimeZone } from '../../domain/anomaly/local-hours.ts';

export const positiveInt = z.number().int().positive();
export const nonNegInt = z.number().int().nonnegative();
export const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a Kafka topic name: letters, digits, ".", "_", "-" (1–249 chars)');

export const timeZone = z.string().refine(isTimeZone, 'an IANA time zone name such as "UTC", "Asia/Kolkata" or "America/New_York"');
