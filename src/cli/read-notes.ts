/**
 * What the commands say on stderr about how a data file was read, when it was not read as written
 * top to bottom: lines above the header were not read (--skip-rows, or title lines found above
 * it: how many, and the first, so a header found in the wrong place shows; every command, since
 * 7 Dec 2026, until then without a word), and its rows were newest first and are read in reverse
 * (an ECB SDW download; train and backtest, since 7 Dec 2026, until then TC_DATA_TIME_UNSORTED
 * "sort the file by time"; detect too, from a regular file: ./detect-order.ts), and a `;` file's
 * commas were read as decimal commas with no number telling it (../data/csv-decimal.ts `note`;
 * since 7 Dec 2026, until then not a word).
 */
import type { SkippedLines } from '../data/csv-title-lines.ts';
import type { FooterLines } from '../data/csv.ts';
import type { SeriesTable } from '../data/table.ts';
import type { CliIo } from './io.ts';

/** The notes for `table`, one line each, `command: ` first. */
export function readNotes(command: string, table: SeriesTable): string[] {
  const notes: string[] = [];
  if (table.skipped !== undefined) notes.push(skippedNote(command, table.path, table.skipped));
  if (table.footer !== undefined) notes.push(footerNote(command, table.path, table.footer));
  if (table.reversed === true) notes.push(reversedNote(command, table.path));
  if (table.constantNote !== undefined) notes.push(`${command}: ${table.constantNote}`);
  if (table.decimalNote !== undefined) notes.push(readNoteLines(command, table.decimalNote).trimEnd());
  return notes;
}

/** `train: f.csv: the rows are newest first …; read in reverse, oldest first` (train, backtest, and detect since 7 Dec 2026). */
export function reversedNote(command: string, path: string): string {
  return `${command}: ${path}: the rows are newest first (time runs backwards down the file); read in reverse, oldest first`;
}

/** The decimal mark taken and the Eurostat flags not read (../data/csv-decimal.ts note): a line each, after the command's name. */
export function readNoteLines(command: string, note: string): string {
  return note.split('\n').map((n) => `${command}: ${n}\n`).join('');
}

/** Write `readNotes` to stderr. */
export function writeReadNotes(io: CliIo, command: string, table: SeriesTable): void {
  for (const note of readNotes(command, table)) io.stderr.write(`${note}\n`);
}

/** `train: f.csv: 2 lines below the last row not read (footnotes: …); the first, line 203: "Source: …"` (train, backtest, detect; since 7 Dec 2026, until then exit 65). */
export function footerNote(command: string, path: string, f: FooterLines): string {
  const lines = f.count === 1 ? '1 line' : `${f.count} lines`;
  const text = f.first.text.length > 80 ? `${f.first.text.slice(0, 79)}…` : f.first.text;
  return `${command}: ${path}: ${lines} below the last row not read (footnotes: text with no number or time); the first, line ${f.first.lineNo}: ${text}`;
}

/** `detect: f.csv: 4 lines above the header (line 5) not read (title lines, …); the first, line 1: "Data Source in SDW: null"` (the line as written, cut at 80 characters). */
export function skippedNote(command: string, path: string, s: SkippedLines): string {
  if (s.by === 'metadata-rows') return metadataNote(command, path, s);
  if (s.by === 'ons') return `${command}: ${path}: ${s.detail ?? 'an ONS time series'}; ${s.count} metadata lines above the rows not read, the first, line ${s.first.lineNo}: ${cut(s.first.text)}`;
  const how = s.by === 'skip-rows' ? '--skip-rows' : 'title lines, found above the first row of data';
  const lines = s.count === 1 ? '1 line' : `${s.count} lines`;
  const text = s.first.text.length > 80 ? `${s.first.text.slice(0, 79)}…` : s.first.text;
  return `${command}: ${path}: ${lines} above the header (line ${s.count + 1}) not read (${how}); the first, line ${s.first.lineNo}: ${text}`;
}

const cut = (text: string): string => (text.length > 80 ? `${text.slice(0, 79)}…` : text);

/** `train: f.csv: 6 rows below the header not read (…); the first, line 2: …` — a Bundesbank download's unit, title and last update (since 7 Dec 2026). */
function metadataNote(command: string, path: string, s: SkippedLines): string {
  const rows = s.count === 1 ? '1 row' : `${s.count} rows`;
  const text = s.first.text.length > 80 ? `${s.first.text.slice(0, 79)}…` : s.first.text;
  return `${command}: ${path}: ${rows} below the header not read (metadata above the first time: the header's first cell is empty, as a Bundesbank download writes it, and that column is read as "timestamp"); the first, line ${s.first.lineNo}: ${text}`;
}
