/**
 * Footnote lines below a CSV file's rows, as statistics offices end their downloads (`"Source:
 * Statistisches Bundesamt"`, `"p = provisional"`): a line with fewer or more cells than the header
 * and no number or time in it. Held as they come; when only such lines follow to the end of the
 * file they are not read (`footer`, said on stderr: ../cli/read-notes.ts footerNote); a row of data
 * below one, or more than MAX_FOOTER, is the first one's error as before (./csv.ts
 * CsvLineParser). Since 7 Dec 2026; until then exit 65 TC_DATA_MALFORMED at the first.
 */
import type { FileLine } from './csv-title-lines.ts';

/** Footnote lines held at most; more are the first one's error. */
const MAX_FOOTER = 50;

/** Lines below the last row not read, footnotes: how many, and the first. */
export interface FooterLines {
  count: number;
  first: FileLine;
}

/** The footnote lines held so far; `refuse` gives a held line's error (its ragged-row error). */
export interface FooterHold {
  /** Hold a footnote line; throws the first one's error past MAX_FOOTER. */
  hold(line: FileLine): null;
  holding(): boolean;
  /** The first held line's error, for a row of data below it. */
  error(): Error;
  /** The lines held, once the file has ended; undefined when none. */
  footer(): FooterLines | undefined;
}

export function footerHold(refuse: (line: FileLine) => Error): FooterHold {
  const held: FileLine[] = [];
  const error = (): Error => refuse(held[0]);
  return {
    hold(line) {
      held.push(line);
      if (held.length > MAX_FOOTER) throw error();
      return null;
    },
    holding: () => held.length > 0,
    error,
    footer: () => (held.length === 0 ? undefined : { count: held.length, first: held[0] }),
  };
}
