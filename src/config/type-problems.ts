/**
 * What a wrong-typed setting says: the value that came and, for a setting with a unit in its name
 * (`…Ms`, `…Bytes`), the plain number to write instead of a value with a unit (`30m`, `1MiB`) —
 * the slip a new user makes most. Used for the YAML file and the overrides (zod's
 * invalid_type issues) and for environment variables (load.ts `coerce`), so both say the same.
 */
import type { ZodIssue } from 'zod';

const TIME_UNITS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };
const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1000, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/**
 * What `30m` given to a `…Ms` key (or `2MiB` to a `…Bytes` key, in any case: `durationMs`,
 * `TICKCAST_BATCHING_MAX_WAIT_MS`) means as the plain number the key takes, else undefined.
 */
export function unitValue(key: string, raw: string): { unit: 'milliseconds' | 'bytes'; value: number } | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/i.exec(raw.trim());
  const unit = /(Ms|_MS)$/.test(key) ? 'milliseconds' : /(Bytes|_BYTES)$/.test(key) ? 'bytes' : undefined;
  if (!m || unit === undefined) return undefined;
  const factor = (unit === 'milliseconds' ? TIME_UNITS : BYTE_UNITS)[m[2].toLowerCase()];
  return factor === undefined ? undefined : { unit, value: Math.round(Number(m[1]) * factor) };
}

/** `; write milliseconds as a plain number: "30m" is 1800000` for a `…Ms` key given `30m`, else ''. */
export function unitHint(key: string, raw: string): string {
  const u = unitValue(key, raw);
  return u === undefined ? '' : `; write ${u.unit} as a plain number: "${raw.trim()}" is ${u.value}`;
}

/** The value as a message quotes it: `the string "30m"`, `the number 12.5`, `a list`, `a mapping`. */
function described(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `the ${typeof value} ${String(value)}`;
  if (value === null) return 'null (an empty value)';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : typeof value;
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  string: 'a string',
  array: 'a list (YAML `[a, b]` or one `- a` line each; only the environment variable is comma-separated)',
  object: 'a mapping (`key: value` lines)',
};

/** `expected a number; got the string "30m"; write milliseconds …` for a zod invalid_type issue. */
export function invalidTypeMessage(issue: Extract<ZodIssue, { code: 'invalid_type' }>, key: string, value: unknown): string {
  if (value === undefined) return issue.message;
  const quoted = typeof value === 'string' && (issue.expected === 'number' || issue.expected === 'integer') && value.trim() !== '' && Number.isFinite(Number(value));
  const hint = typeof value !== 'string' ? '' : quoted ? `; write ${value.trim()} without quotes` : unitHint(key, value);
  return `expected ${EXPECTED[issue.expected] ?? issue.expected}; got ${described(value)}${hint}`;
}
