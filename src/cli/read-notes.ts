/**
 * What `train` and `backtest` say on stderr about how a data file was read, when it was not read
 * as written top to bottom: its rows were newest first and are read in reverse (an ECB SDW
 * download; since 7 Dec 2026, until then TC_DATA_TIME_UNSORTED "sort the file by time").
 */
import type { SeriesTable } from '../data/table.ts';
import type { CliIo } from './io.ts';

/** The notes for `table`, one line each, `command: ` first. */
export function readNotes(command: string, table: SeriesTable): string[] {
  const notes: string[] = [];
  if (table.reversed === true) notes.push(`${command}: ${table.path}: the rows are newest first (time runs backwards down the file); read in reverse, oldest first`);
  return notes;
}

/** Write `readNotes` to stderr. */
export function writeReadNotes(io: CliIo, command: string, table: SeriesTable): void {
  for (const note of readNotes(command, table)) io.stderr.write(`${note}\n`);
}
