/**
 * One snapshot file on disk, written atomically: the bytes go to a temporary file in the same
 * directory, which is fsync'ed, renamed over the old snapshot (atomic on POSIX filesystems), and
 * the directory is fsync'ed. A crash mid-write leaves the previous snapshot intact (and a stray
 * `.tmp-*` file, removed by the next write).
 *
 * Read into one buffer of the file's size, chunk by chunk: `fsp.readFile` refuses files over
 * 2 GiB (`ERR_FS_FILE_TOO_LARGE`), while a Buffer holds up to `buffer.constants.MAX_LENGTH`
 * (4 GiB on Node 20); a larger file is refused with TC_SNAPSHOT_TOO_LARGE.
 */
import { constants as bufferConstants } from 'node:buffer';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { syncDir } from '../../durable/durable-fs.ts';
import { ErrorCodes } from '../../errors/catalogue.ts';
import { TickcastError } from '../../errors/tickcast-error.ts';

const FILE = 'series-state.snap';

export interface SnapshotFileOptions {
  /** Bytes asked of one read call (tests: a small value to exercise partial reads). */
  readChunkBytes?: number;
  /** The largest file read (tests: a small value in place of Node's Buffer limit). */
  maxReadBytes?: number;
  /** Bytes given to one writev call (1 GiB; tests: a small value). */
  writeMaxBytes?: number;
}

export class SnapshotFile {
  readonly path: string;
  readonly #dir: string;
  readonly #chunk: number;
  readonly #max: number;
  readonly #writeMax: number;

  constructor(dir: string, opts: SnapshotFileOptions = {}) {
    this.#dir = dir;
    this.path = path.join(dir, FILE);
    this.#chunk = opts.readChunkBytes ?? 64 * 1024 * 1024;
    this.#max = opts.maxReadBytes ?? bufferConstants.MAX_LENGTH;
    this.#writeMax = opts.writeMaxBytes ?? 1 << 30;
  }

  /** Write the chunks as the new snapshot; resolves with the bytes written once durable. */
  async write(chunks: readonly Buffer[]): Promise<number> {
    await fsp.mkdir(this.#dir, { recursive: true });
    await this.#removeStrays();
    const tmp = path.join(this.#dir, `.tmp-${FILE}-${process.pid}-${Date.now()}`);
    const fh = await fsp.open(tmp, 'w');
    let bytes = 0;
    try {
      // writev takes at most IOV_MAX (1024) buffers per call on Linux, and writes at most ~2 GiB
      // (Node reports more as a negative count): calls of at most `writeMaxBytes` (or one chunk).
      for (let i = 0; i < chunks.length; ) {
        const part: Buffer[] = [];
        let want = 0;
        while (i < chunks.length && part.length < 1024 && (part.length === 0 || want + chunks[i]!.length <= this.#writeMax)) {
          want += chunks[i]!.length;
          part.push(chunks[i++]!);
        }
        await writeFully(fh, part, want);
        bytes += want;
      }
      await fh.sync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true });
      throw err;
    }
    await fh.close();
    await fsp.rename(tmp, this.path);
    await syncDir(this.#dir);
    return bytes;
  }

  /**
   * The snapshot's bytes (in a buffer of their own, so 8-byte aligned), or null when there is none.
   * Throws TC_SNAPSHOT_TOO_LARGE past the Buffer limit, TC_SNAPSHOT_CORRUPT when the file ends
   * before the size it had when opened.
   */
  async read(): Promise<Buffer | null> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(this.path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const { size } = await fh.stat();
      if (size > this.#max) {
        throw new TickcastError(ErrorCodes.SNAPSHOT_TOO_LARGE, `snapshot file is ${size} bytes; this Node.js reads at most ${this.#max} bytes into memory`, { details: { file: this.path, bytes: size, maxBytes: this.#max } });
      }
      return await readFully(fh, size, this.#chunk);
    } finally {
      await fh.close();
    }
  }

  async #removeStrays(): Promise<void> {
    for (const f of await fsp.readdir(this.#dir)) {
      if (f.startsWith(`.tmp-${FILE}-`)) await fsp.rm(path.join(this.#dir, f), { force: true });
    }
  }
}

/**
 * `size` bytes from the start of `fh` into a buffer of their own, at most `chunk` bytes a read call;
 * a read may return fewer bytes than asked (the loop goes on), none means the file ended early.
 */
export async function readFully(fh: Pick<fsp.FileHandle, 'read'>, size: number, chunk: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafeSlow(size);
  for (let at = 0; at < size; ) {
    const { bytesRead } = await fh.read(buf, at, Math.min(chunk, size - at), at);
    if (bytesRead === 0) throw new TickcastError(ErrorCodes.SNAPSHOT_CORRUPT, `snapshot file ended after ${at} of ${size} bytes (truncated while read)`);
    at += bytesRead;
  }
  return buf;
}

/** Write `part` (`want` bytes) at the file position; a writev that writes fewer bytes is continued. */
export async function writeFully(fh: Pick<fsp.FileHandle, 'writev'>, part: Buffer[], want: number): Promise<void> {
  const left = [...part];
  for (let done = 0; done < want; ) {
    const { bytesWritten } = await fh.writev(left);
    if (!(bytesWritten > 0)) throw new Error(`short write: ${bytesWritten} of ${want - done} bytes`);
    done += bytesWritten;
    let skip = bytesWritten;
    while (skip > 0 && left.length > 0 && left[0]!.length <= skip) skip -= left.shift()!.length;
    if (skip > 0) left[0] = left[0]!.subarray(skip);
  }
}
