/**
 * A short rendering of a JSON value for an error message, that never throws: JSON.stringify
 * overflows the stack on an array or object nested some thousands deep (a 16 KiB feedback record
 * holds 8,000 levels, a 64 KiB tick 32,000), and writes a number beyond ±1.8e308 (1e400, parsed as
 * Infinity) as `null`, which names the wrong mistake. `undefined` is shown as `fallback`.
 */
export function showValue(v: unknown, max = 60, fallback?: string): string {
  if (typeof v === 'number' && !Number.isFinite(v)) return `${v} (a number beyond ±1.8e308)`;
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch {
    s = `${Array.isArray(v) ? 'an array' : 'an object'} nested too deeply to show`;
  }
  s ??= fallback ?? String(v);
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
