/**
 * Column flags that also take `none` — `--time-col` (train, backtest: the file has no time column)
 * and `--series-col` (detect: the file is one series) — read one way: `none` keeps the meaning it
 * was documented with, and a name in double quotes is that name exactly, so a column that is
 * itself named `none` can be read too (`--series-col '"none"'` since 7 Dec 2026, `--time-col
 * '"none"'` since later that day). `none` on a file that also has a column named `none` keeps its
 * meaning and says on stderr how to read the column instead.
 */
import type { CliIo } from './io.ts';

/** A flag's value: absent, `none`, or a column's name. */
export type ColumnFlag = undefined | 'none' | { name: string };

/** Read a column flag: `none`, or a name (in double quotes: the name inside them, exactly). */
export function readColumnFlag(given: string | undefined): ColumnFlag {
  if (given === undefined || given === 'none') return given;
  return { name: unquoted(given) };
}

/** A column name as a flag gives it: `"none"` (quotes included) is `none`; other text is itself. */
export function unquoted(given: string): string {
  return /^"(.+)"$/.exec(given)?.[1] ?? given;
}

/** `--time-col` as a ColumnSelection's timeCol: undefined (find it), null (`none`: no time column), or the name. */
export function timeColOf(flag: ColumnFlag): string | null | undefined {
  return flag === undefined ? undefined : flag === 'none' ? null : flag.name;
}

/**
 * What to say when `<flag> none` meets a file with a column named `none`: which was meant cannot be
 * told, so say what was done and how to get the other. `meaning`: what `none` does; `as`: what
 * the column would be read as.
 */
export function noneColumnNote(header: readonly string[], given: ColumnFlag, flag: string, meaning: string, as: string): string | undefined {
  if (given !== 'none' || !header.includes('none')) return undefined;
  return `${flag} none ${meaning}, and this file also has a column named "none": to read that column ${as}, give ${flag} '"none"' (the name in double quotes)`;
}

/** train/backtest: the note on stderr for `--time-col none` and a file with a column named `none`. */
export function noteNoneTime(io: CliIo, command: string, header: readonly string[], given: ColumnFlag): void {
  const note = noneColumnNote(header, given, '--time-col', 'reads the rows in file order, without a time column', 'as the times');
  if (note !== undefined) io.stderr.write(`${command}: ${note}\n`);
}
