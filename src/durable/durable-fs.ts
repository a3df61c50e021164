/**
 * Durable writes: data on disk (fsync) before anyone renames it into place, and the directory synced
 * after. The one copy for model artifacts and checkpoints (model/), series-state snapshots
 * (pipeline/snapshot/file-store.ts) and the feedback log's compaction (adapters/file/feedback-log.ts).
 * Node's fs only: every layer that writes files may import it (docs/architecture.md § Layers).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { open } from 'node:fs/promises';

/** Write `data` to `file` (created or truncated) and fsync it before resolving. */
export async function writeFileSynced(file: string, data: Uint8Array | string): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync a directory (after a rename into it); filesystems that refuse it are tolerated. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    await fh.close();
  }
}

/**
 * Replace `file` atomically: `data` goes to a sibling temp file (`<file>.tmp-<pid>-<random>`,
 * fsynced), renamed over `file`; the temp file is removed when either step fails. The directory is
 * not synced (callers that need the rename durable call syncDir).
 */
export async function replaceFileSynced(file: string, data: Uint8Array | string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFileSynced(tmp, data);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}
