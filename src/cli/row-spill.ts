/**
 * Rows `tickcast detect` must read whole before it scores them (a newest-first file,
 * ./detect-order.ts), kept on disk instead of in memory, then read back last row first (or in
 * order) in blocks. Until 7 Dec 2026 they were held as objects: a 1.5M-row newest-first file
 * (28 MB) took 245 MB more heap, ~170 bytes a row, so a file of tens of millions of rows ran out of
 * heap. Now memory stays constant (one block, SPILL_BLOCK bytes); the disk holds about twice the
 * rows' text, in the OS's temporary folder (TMPDIR), in a file unlinked as soon as it is opened, so
 * nothing is left behind, even by a crash or a kill.
 *
 * One row a line, as JSON (a number that JSON cannot write, NaN, ±Infinity or -0, as {"$n": text}).
 *
 * A temporary folder that cannot take the file (missing, not a folder, read-only, no permission,
 * full, a quota) is TC_CLI_CANNOT_CREATE (exit 73) naming the folder and TMPDIR (`spillError`);
 * until 7 Dec 2026 it was exit 1 with Node's stack trace. Decided: no fallback to memory, which is
 * what ran out of heap on long files; a short file is rarely newest first from a read-only system,
 * and the message says how to go on (TMPDIR, or the file sorted oldest first: no temporary file).
 */
import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileErrorReason } from '../domain/file-error-reason.ts';
import { isTickcastError } from '../errors/index.ts';
import type { DetectRow } from './detect-rows.ts';
import { cannotCreate } from './outputs.ts';

/** Bytes written at once, and read back at once. */
export const SPILL_BLOCK = 1 << 20;
const NL = 0x0a;

const encode = (_key: string, v: unknown): unknown => (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? { $n: Object.is(v, -0) ? '-0' : String(v) } : v);
const decode = (_key: string, v: unknown): unknown => (v !== null && typeof v === 'object' && '$n' in v ? Number((v as { $n: string }).$n) : v);
const rowOf = (line: Buffer): DetectRow => JSON.parse(line.toString('utf8'), decode) as DetectRow;

/** Rows written to an unlinked temporary file: `add` each (true: call `flush`), then `rows` once. */
export interface RowSpill {
  add(row: DetectRow): boolean;
  flush(): Promise<void>;
  /** Every row added, last first when `backwards`; the file is closed when they are read, or the reading stops. */
  rows(backwards: boolean): AsyncGenerator<DetectRow>;
  /** Close the file (once: also after `rows` closed it); for a run that stops before reading the rows. */
  close(): Promise<void>;
}

/** TC_CLI_CANNOT_CREATE for a temporary file of rows that cannot be made, written or read back (`dir`: the folder). */
export function spillError(err: unknown, dir = tmpdir()): Error {
  if (isTickcastError(err)) return err;
  return cannotCreate(
    `the rows of --data are newest first, so they are written to a temporary file in ${JSON.stringify(dir)} to be scored oldest first, and that folder cannot take it (${fileErrorReason(err)}); set TMPDIR to a writable folder with room for about twice the file's size (TMPDIR=/var/tmp tickcast detect …), or sort the file oldest first (then no temporary file is written)`,
  );
}

/** A file in the OS's temporary folder, unlinked once open (it lives as long as its handle). */
async function unlinkedFile(): Promise<FileHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'tickcast-detect-'));
  try {
    return await open(join(dir, 'rows.jsonl'), 'w+');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `block`: bytes written and read at once (smaller in tests, to cross block edges); `file`: opens the file (a failing one in tests). */
export async function openRowSpill(block = SPILL_BLOCK, file: () => Promise<FileHandle> = unlinkedFile): Promise<RowSpill> {
  const fh = await file().catch((err: unknown) => Promise.reject(spillError(err)));
  let pending: string[] = [];
  let pendingChars = 0;
  let size = 0;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= fh.close());
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const bytes = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    pendingChars = 0;
    await fh.write(bytes, 0, bytes.length, size).catch((err: unknown) => Promise.reject(spillError(err)));
    size += bytes.length;
  };
  async function* rows(backwards: boolean): AsyncGenerator<DetectRow> {
    try {
      await flush();
      yield* backwards ? linesBackwards(fh, size, block) : linesForwards(fh, size, block);
    } finally {
      await close();
    }
  }
  return {
    add(row) {
      const line = `${JSON.stringify(row, encode)}\n`;
      pending.push(line);
      pendingChars += line.length;
      return pendingChars >= block;
    },
    flush,
    rows,
    close,
  };
}

async function readAt(fh: FileHandle, start: number, end: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(end - start);
  let got = 0;
  while (got < buf.length) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got, start + got).catch((err: unknown) => Promise.reject(spillError(err)));
    if (bytesRead === 0) throw spillError(new Error(`the temporary file was cut short: it ended at byte ${start + got} of ${end}`));
    got += bytesRead;
  }
  return buf;
}

/** The rows of the file's first `size` bytes (each line ends in a newline), last first. */
async function* linesBackwards(fh: FileHandle, size: number, block: number): AsyncGenerator<DetectRow> {
  // `carry`: the start of a line whose beginning lies in a block not read yet (it ends with its newline).
  let carry = Buffer.alloc(0);
  for (let pos = size; pos > 0; ) {
    const start = Math.max(0, pos - block);
    const chunk = Buffer.concat([await readAt(fh, start, pos), carry]);
    pos = start;
    let end = chunk.length - 1; // the newline ending the last whole line
    for (;;) {
      const nl = end > 0 ? chunk.lastIndexOf(NL, end - 1) : -1;
      if (nl < 0 && start > 0) {
        carry = Buffer.from(chunk.subarray(0, end + 1));
        break;
      }
      yield rowOf(chunk.subarray(nl + 1, end));
      if (nl < 0) break;
      end = nl;
    }
  }
}

/** The rows of the file's first `size` bytes, in order. */
async function* linesForwards(fh: FileHandle, size: number, block: number): AsyncGenerator<DetectRow> {
  let carry = Buffer.alloc(0);
  for (let pos = 0; pos < size; ) {
    const end = Math.min(size, pos + block);
    const chunk = Buffer.concat([carry, await readAt(fh, pos, end)]);
    pos = end;
    let from = 0;
    for (let nl = chunk.indexOf(NL, from); nl >= 0; nl = chunk.indexOf(NL, from)) {
      yield rowOf(chunk.subarray(from, nl));
      from = nl + 1;
    }
    carry = Buffer.from(chunk.subarray(from));
  }
}
