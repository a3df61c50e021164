/**
 * The serving version of a model directory: `<model.dir>/current.json` = `{"version":"v4","by":
 * "<replica>","at":"…"}`, written (temporary file, fsync, rename) whenever a replica's serving
 * version changes by promotion or rollback. A restart serves it (not merely the newest checkpoint,
 * which may be one an automatic rollback moved away from), and replicas sharing the directory
 * follow it (./coordinator.ts). Absent in directories written before it existed: then the newest
 * good checkpoint serves, as before.
 */
import { readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { syncDir, writeFileSynced } from '../durable-fs.ts';

export const CURRENT_FILE = 'current.json';

/** The version recorded in `dir`, or null when there is none. Throws on an unreadable record. */
export async function readCurrent(dir: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path.join(dir, CURRENT_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const v = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof v !== 'string' || !/^v\d+$/.test(v)) throw new Error(`${CURRENT_FILE} names no version`);
  return v;
}

/** Record `version` as the directory's serving version. */
export async function writeCurrent(dir: string, version: string, by: string): Promise<void> {
  const file = path.join(dir, CURRENT_FILE);
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  await writeFileSynced(tmp, `${JSON.stringify({ version, by, at: new Date().toISOString() })}\n`);
  await rename(tmp, file);
  await syncDir(dir);
}

/**
 * Versions numbered above `current` whose directory was written after `current` was recorded:
 * models copied in (e.g. by `tickcast train`) to be served at the next start, unlike the versions
 * a rollback moved away from, which were written before the record.
 */
export async function copiedInSince(dir: string, current: string, onDisk: string[]): Promise<string[]> {
  const recorded = (await stat(path.join(dir, CURRENT_FILE))).mtimeMs;
  const n = (v: string) => Number(v.slice(1));
  const newer = onDisk.filter((v) => n(v) > n(current));
  const written = await Promise.all(newer.map((v) => stat(path.join(dir, v)).then((s) => s.mtimeMs, () => 0)));
  return newer.filter((_, i) => written[i] > recorded);
}
