/**
 * One snapshot file on disk, written atomically: the bytes go to a temporary file in the same
 * directory, which is fsync'ed, renamed over the old snapshot (atomic on POSIX filesystems), and
 * the directory is fsync'ed. A crash mid-write leaves the previous snapshot intact (and a stray
 * `.tmp-*` file, removed by the next write).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { syncDir } from '../../durable/durable-fs.ts';

const FILE = 'series-state.snap';

export class SnapshotFile {
  readonly path: string;
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.path = path.join(dir, FILE);
  }

  /** Write the chunks as the new snapshot; resolves with the bytes written once durable. */
  async write(chunks: readonly Buffer[]): Promise<number> {
    await fsp.mkdir(this.#dir, { recursive: true });
    await this.#removeStrays();
    const tmp = path.join(this.#dir, `.tmp-${FILE}-${process.pid}-${Date.now()}`);
    const fh = await fsp.open(tmp, 'w');
    let bytes = 0;
    try {
      // writev takes at most IOV_MAX (1024) buffers per call on Linux.
      for (let i = 0; i < chunks.length; i += 1024) {
        const part = chunks.slice(i, i + 1024);
        const want = part.reduce((n, c) => n + c.length, 0);
        const { bytesWritten } = await fh.writev(part);
        if (bytesWritten !== want) throw new Error(`short write: ${bytesWritten} of ${want} bytes`);
        bytes += bytesWritten;
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

  /** The snapshot's bytes, or null when there is none. */
  async read(): Promise<Buffer | null> {
    try {
      return await fsp.readFile(this.path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async #removeStrays(): Promise<void> {
    for (const f of await fsp.readdir(this.#dir)) {
      if (f.startsWith(`.tmp-${FILE}-`)) await fsp.rm(path.join(this.#dir, f), { force: true });
    }
  }
}
