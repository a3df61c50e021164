/**
 * A newest-first file for `tickcast detect` (an ECB SDW download): the service scores a series in
 * time order, so until 7 Dec 2026 detect, which streams rows, refused every row after the first as
 * late (and exit 65 when nothing else was left). Now the order is seen from the first rows (the
 * first series seen twice: its first two rows): when time runs backwards there, a regular file is read
 * whole (into a temporary file, not memory: ./row-spill.ts) and, when every series' times run
 * strictly backwards throughout (rows whose time does not read aside: backwardsCheck), scored in reverse (oldest
 * first, as train and backtest read it, with the same note on stderr). A file whose times do not
 * run one way throughout is scored as written (its late rows reported as before). Stdin or a pipe
 * is never read whole (it may not end): it is scored as it comes, with a note saying what to do.
 */
import { stat } from 'node:fs/promises';
import type { DetectRow } from './detect-rows.ts';
import { openRowSpill } from './row-spill.ts';

/** Rows read ahead, looking for the head's series again, before a file is taken as oldest first. */
const LOOKAHEAD = 10_000;

/** How detect reads a file's rows: in file order, or newest first read in reverse (`reversed`); `pipeNewestFirst`: newest first on stdin or a pipe, scored as written. */
export interface OrderedRows {
  rows: AsyncGenerator<DetectRow>;
  reversed: boolean;
  pipeNewestFirst: boolean;
  /** Close the temporary file of a newest-first file when `rows` is not read to its end (a run stopped before scoring); a no-op otherwise. */
  close(): Promise<void>;
}

const keyOf = (r: DetectRow): string => r.series ?? '';

/** Whether `path` is a regular file (not `-`, a pipe or a device), which may be read whole. */
async function isRegularFile(path: string): Promise<boolean> {
  if (path === '-') return false;
  return stat(path).then((s) => s.isFile(), () => false);
}

/**
 * A check fed one row at a time: every series' times so far strictly backwards. A row whose time
 * does not read neither keeps nor breaks the order (the service refuses it wherever it comes):
 * until 7 Dec 2026 one such row made a newest-first file scored as written, every other row late.
 */
export function backwardsCheck(): (r: DetectRow) => boolean {
  const last = new Map<string, number>();
  let still = true;
  return (r) => {
    if (!still || !Number.isFinite(r.ms)) return still;
    const before = last.get(keyOf(r));
    still = before === undefined || r.ms < before;
    last.set(keyOf(r), r.ms);
    return still;
  };
}

/** Every series' times strictly backwards (rows whose time does not read aside). */
export function runsBackwards(rows: readonly DetectRow[]): boolean {
  const check = backwardsCheck();
  return rows.every(check);
}

/**
 * A regular file seen newest first: every row read into an unlinked temporary file (./row-spill.ts;
 * until 7 Dec 2026 held in memory, ~170 bytes a row), then read back last row first when every
 * series runs backwards throughout, else in file order.
 */
async function spilled(ahead: readonly DetectRow[], rows: AsyncGenerator<DetectRow>): Promise<OrderedRows> {
  const spill = await openRowSpill();
  try {
    const check = backwardsCheck();
    let backwards = true;
    const add = async (r: DetectRow): Promise<void> => {
      backwards = check(r);
      if (spill.add(r)) await spill.flush();
    };
    for (const r of ahead) await add(r);
    for await (const r of rows) await add(r);
    return { rows: backwards ? sameTimeInFileOrder(spill.rows(true)) : spill.rows(false), reversed: backwards, pipeNewestFirst: false, close: spill.close };
  } catch (err) {
    await spill.close();
    throw err;
  }
}

/**
 * Rows read last first, those of one time (a long-format file's series at one timestamp) given
 * back in file order: the order of the file oldest first (`a`, `b` at each time). Until a review
 * on 7 Dec 2026 they came reversed (`b`, `a`), so the results differed from the oldest-first file's.
 * Holds one time's rows at once (one a series).
 */
async function* sameTimeInFileOrder(rows: AsyncGenerator<DetectRow>): AsyncGenerator<DetectRow> {
  let group: DetectRow[] = [];
  for await (const r of rows) {
    if (group.length > 0 && !(Number.isFinite(r.ms) && r.ms === group[0].ms)) {
      yield* group.reverse();
      group = [];
    }
    group.push(r);
  }
  yield* group.reverse();
}

/** `rows` (from `openDetectRows`, of the file `path`) in the order detect scores them (see the file comment). */
export async function orderRows(path: string, rows: AsyncGenerator<DetectRow>): Promise<OrderedRows> {
  const ahead: DetectRow[] = [];
  // The first row of each series read so far: the order is that of the first series seen twice
  // (the head's series may have one row only, as a series listed once at the top of a long file).
  const first = new Map<string, DetectRow>();
  let backwards = false;
  let next = await rows.next();
  while (!next.done) {
    ahead.push(next.value);
    // A time that does not read tells nothing about the order.
    const before = Number.isFinite(next.value.ms) ? first.get(keyOf(next.value)) : undefined;
    if (before !== undefined) {
      backwards = next.value.ms < before.ms;
      break;
    }
    if (Number.isFinite(next.value.ms)) first.set(keyOf(next.value), next.value);
    if (ahead.length > LOOKAHEAD) break;
    next = await rows.next();
  }
  if (backwards && (await isRegularFile(path))) return spilled(ahead, rows);
  async function* rest(): AsyncGenerator<DetectRow> {
    yield* ahead;
    yield* rows;
  }
  return { rows: rest(), reversed: false, pipeNewestFirst: backwards, close: () => Promise.resolve() };
}

/** What detect says on stderr about the rows of a newest-first file from stdin or a pipe. */
export function pipeNewestFirstNote(path: string): string {
  return `detect: ${path}: the rows are newest first (time runs backwards down the file); from stdin or a pipe they are scored as they come, so each row after a series' first is refused as late: save it to a file and give --data file.csv (detect reads a newest-first file in reverse, oldest first), or sort it oldest first`;
}
