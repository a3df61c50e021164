/**
 * How a column is found by its name (the time column: ./table.ts TIME_NAMES; the default target:
 * ./default-target.ts PRICE_NAMES; detect's `timestamp`, `value` and `series`): one key for every
 * list, so `Adj_Close`, `TIME_PERIOD`, `Date:` and `DATE` read alike wherever a name is looked up.
 * Until 7 Dec 2026 the time names were matched in lower case only (`TIME_PERIOD`, the ECB's
 * SDMX-CSV time column, was not found: column 0, its series key, was read as the time) while
 * price names also took `_`, `.` and spaces alike.
 */

/** A column name as the name lists spell theirs: lower case, each run of other than letters and digits one space, trimmed (`Adj_Close` → `adj close`, `TIME_PERIOD` → `time period`). */
export function columnNameKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Whether `name` is one of `names` (spelt as columnNameKey spells them). */
export function isNamedAs(name: string, names: readonly string[]): boolean {
  return names.includes(columnNameKey(name));
}
