/**
 * The operator's pin, kept beside the checkpoints: `<model.dir>/pinned.json` = `{"version":"v3",
 * "pinnedAt":"…"}` while a manual rollback's `pin` holds, absent otherwise. Without it a restart
 * (a redeploy, a node drain) served the newest checkpoint again, unpinned — undoing the rollback
 * away from a bad model. Written durably (temporary file, fsync, rename) like the checkpoints.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { replaceFileSynced, syncDir } from '../durable/durable-fs.ts';
import { damagedRecord, parseRecord } from './record-file.ts';

const FILE = 'pinned.json';

const PIN_REMEDY = 'delete it to unpin (the newest good checkpoint serves), or pin again with POST /v1/model/rollback ("pin": true)';

/** The pinned version recorded in `dir`, or null (none); a damaged file throws TC_MODEL_ARTIFACT_CORRUPT (logged by the caller). */
export async function readPin(dir: string): Promise<string | null> {
  let text: string;
  try {
    text = await readFile(path.join(dir, FILE), 'utf8');
  } catch {
    return null;
  }
  const v = parseRecord(dir, FILE, text, PIN_REMEDY).version;
  if (typeof v !== 'string' || v.length === 0) throw damagedRecord(dir, FILE, 'names no version', PIN_REMEDY);
  return v;
}

/** Record `version` as pinned, or clear the pin (null). */
export async function writePin(dir: string, version: string | null): Promise<void> {
  const file = path.join(dir, FILE);
  if (version === null) {
    await rm(file, { force: true });
  } else {
    await replaceFileSynced(file, `${JSON.stringify({ version, pinnedAt: new Date().toISOString() })}\n`);
  }
  await syncDir(dir);
}
