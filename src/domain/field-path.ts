/**
 * The path syntax of input.fields (since 7 Dec 2026): where in a JSON record a part of the tick is,
 * as dotted keys — `state.reported.temp` is `rec.state.reported.temp`, as AWS IoT SQL, Telegraf's
 * GJSON paths and jq write it. A key that itself holds a dot writes it `\.` (`a\.b` is the one key
 * "a.b"), a backslash `\\`; any other `\x` is refused, so a later escape cannot change what a path
 * already in use means. Paths step through objects only: an array on the way (`readings.0`) is not
 * indexed (one record is one reading; docs/schemas.md). Parsed once at config load
 * (tick-fields.ts); the codec walks the parsed keys per record, allocating nothing.
 */

/** The keys of `text` from the record's top level down, or why it is not a path (for TC_CONFIG_INVALID). '' is the empty path (the record itself). */
export function parseFieldPath(text: string): string[] | { problem: string } {
  if (text === '') return [];
  const keys: string[] = [];
  let key = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next !== '.' && next !== '\\') {
        return { problem: `${JSON.stringify(text)} has "\\" ${next === undefined ? 'at its end' : `before ${JSON.stringify(next)}`}: in a path, "\\." is a dot within a key and "\\\\" a backslash; nothing else is escaped` };
      }
      key += next;
      i++;
    } else if (c === '.') {
      keys.push(key);
      key = '';
    } else key += c;
  }
  keys.push(key);
  if (keys.includes('')) return { problem: `${JSON.stringify(text)} has an empty key (a "." at its start or end, or ".."): write keys separated by single dots, e.g. "state.reported"; a key holding a dot as "a\\.b"` };
  return keys;
}

/** A key as a path names it: `a.b` → `a\.b` (the hints' "set input.fields.ts to …" must name the one key, not a nested path). */
export function keyAsPath(key: string): string {
  return key.replace(/[\\.]/g, (c) => `\\${c}`);
}

/**
 * How a message names where a part goes in a record: a one-key path as the key itself (`a\.b` is
 * the key "a.b", as a record writes it), a nested path as configured. Until 7 Dec 2026 the "set …
 * in the value" and "send {…}" hints showed `a\.b`, a key no record holds.
 */
export function placeOf(text: string, keys: readonly string[]): string {
  return JSON.stringify(keys.length === 1 ? keys[0] : text);
}

/** placeOf for a well-formed path given as text alone (parsed here: for a refusal's reason, not per record). */
export function placeOfText(text: string): string {
  const keys = parseFieldPath(text);
  return placeOf(text, Array.isArray(keys) ? keys : []);
}

/** The record's value at `path`, or undefined where a key is absent, or a step on the way is not an object (whereBroken says which). Never Object.prototype's members. */
export function readPath(rec: Record<string, unknown>, path: readonly string[]): unknown {
  let at: unknown = rec;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || Array.isArray(at) || !Object.hasOwn(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/**
 * Why readPath found nothing at a nested `path`, for a refusal's reason (rendered only then):
 * `; "state" has no "reported"`, `; "state.reported" is "on", not an object`; '' for a one-key path
 * (the reason already says the field is missing).
 */
export function whereBroken(rec: Record<string, unknown>, path: readonly string[], show: (v: unknown) => string): string {
  if (path.length < 2) return '';
  let at: unknown = rec;
  for (let i = 0; i < path.length; i++) {
    const where = path.slice(0, i).map(keyAsPath).join('.');
    if (at === null || typeof at !== 'object' || Array.isArray(at)) {
      const what = Array.isArray(at) ? `an array (${show(at)}): paths step through objects only` : `${show(at)}, not an object`;
      return `; ${JSON.stringify(where)} is ${what}`;
    }
    if (!Object.hasOwn(at, path[i])) return i === 0 ? `; the record has no ${JSON.stringify(path[0])}` : `; ${JSON.stringify(where)} has no ${JSON.stringify(path[i])}`;
    at = (at as Record<string, unknown>)[path[i]];
  }
  return '';
}
