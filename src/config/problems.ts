/**
 * Turning schema issues into the lines of TC_CONFIG_INVALID: each names the key, the environment
 * variable that sets it (the variable itself, never an array index appended to it), and for an
 * unknown key the known one it most likely meant.
 */
import type { ZodIssue } from 'zod';
import { invalidTypeMessage } from './type-problems.ts';

/** Levenshtein distance (small strings: keys and variable names). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The known name closest to `word` when it is within 2 edits; case, `_` and `-` are ignored first
 * (`max_batch_size` → `maxBatchSize`).
 */
export function closest(word: string, known: Iterable<string>): string | undefined {
  const norm = (s: string) => s.toLowerCase().replace(/[_-]/g, '');
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = norm(k) === norm(word) ? 0 : editDistance(word, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** 1 → "1st", 2 → "2nd", 11 → "11th". */
export const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;

/** What the loader knows about the keys (from configKeys()). */
export interface KeyIndex {
  /** Dotted path → environment variable name, for every settable key. */
  env: ReadonlyMap<string, string>;
  /** The keys an object at this dotted path ('' = the root) may hold. */
  children(path: string): string[];
}

/** The settable key an issue path falls under, and what follows it (array index, map key). */
export function keyOf(path: ReadonlyArray<string | number>, keys: KeyIndex): { key: string; rest: Array<string | number> } {
  for (let n = path.length; n > 0; n--) {
    const key = path.slice(0, n).join('.');
    if (keys.env.has(key)) return { key, rest: path.slice(n) as Array<string | number> };
  }
  return { key: path.join('.'), rest: [] };
}

/** The dotted paths an issue makes invalid (the loader drops them to run the cross-field checks). */
export function invalidPaths(issue: ZodIssue, keys: KeyIndex): string[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => [...issue.path, k].join('.'));
  return [keyOf(issue.path, keys).key];
}

/**
 * One line per problem: `windows.lenght: unknown key; did you mean "length" (windows.length)?`.
 * `valueAt` reads the value the issue is about, so a wrong type quotes what came.
 */
export function describeIssue(issue: ZodIssue, keys: KeyIndex, valueAt: (path: ReadonlyArray<string | number>) => unknown = () => undefined): string[] {
  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.join('.');
    return issue.keys.map((k) => {
      const path = parent ? `${parent}.${k}` : k;
      const near = closest(k, keys.children(parent));
      const hint = near ? `; did you mean "${near}" (${parent ? `${parent}.${near}` : near})?` : ' (see docs/configuration.md)';
      return `${path}: unknown key${hint}`;
    });
  }
  const { key, rest } = keyOf(issue.path, keys);
  if (!key) return [`(root): ${issue.message}`];
  const env = keys.env.get(key);
  const where = rest.map((r) => (typeof r === 'number' ? `${ordinal(r + 1)} element` : `key "${r}"`)).join(', ');
  const label = rest.some((r) => typeof r === 'string') ? [key, ...rest].join('.') : key;
  const notes = [env, rest.some((r) => typeof r === 'number') ? where : ''].filter(Boolean).join(', ');
  const message = issue.code === 'invalid_type' ? invalidTypeMessage(issue, key, valueAt(issue.path)) : issue.code === 'invalid_enum_value' ? enumMessage(issue.options, issue.received) : issue.message;
  return [`${label}${notes ? ` (${notes})` : ''}: ${message}`];
}

/**
 * `must be one of "fatal", "error", …; got "verbose"` (with `did you mean "debug"?` for a near one).
 * Until 6 Dec 2026 zod's "Invalid enum value. Expected 'fatal' | … received 'verbose'".
 */
function enumMessage(options: ReadonlyArray<string | number>, received: unknown): string {
  const near = typeof received === 'string' ? closest(received, options.map(String)) : undefined;
  return `must be one of ${options.map((o) => JSON.stringify(o)).join(', ')}; got ${JSON.stringify(received)}${near ? `; did you mean ${JSON.stringify(near)}?` : ''}`;
}
