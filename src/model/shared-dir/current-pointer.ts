/**
 * The serving version of a model directory: `<model.dir>/current.json` = `{"version":"v4","by":
 * "<replica>","at":"…"}`, written (temporary file, fsync, rename) whenever a replica's serving
 * version changes by promotion or rollback. A restart serves it (not merely the newest checkpoint,
 * which may be one an automatic rollback moved away from), and replicas sharing the directory
 * follow it (./coordinator.ts). Absent in directories written before it existed: then the newest
 * good checkpoint serves, as before.
 *
 * `epoch`: the highest fine-tune lease epoch (./lease.ts) that wrote it. A promotion's write passes
 * the epoch its lease check saw and is refused (TC_FINETUNE_LEASE_FENCED) when the record already
 * carries a higher one; other writes (manual rollback, pin changes) keep the recorded epoch.
 *
 * `change`: what made the change — `promotion`, `rollback` (automatic), `manual` (POST
 * /v1/model/rollback) — so a replica following it knows an operator's change from a round's
 * (the lease holder records a watch it ends as the operator's rollback, on replica `by`).
 * Absent in records written before 6 Dec 2026 and after a bootstrap save.
 */
import { link, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ErrorCodes, TickcastError } from '../../errors/index.ts';
import { replaceFileSynced, syncDir, writeFileSynced } from '../../durable/durable-fs.ts';
import { readManifest } from '../artifact.ts';
import { damagedRecord, parseRecord } from '../record-file.ts';
import { unfinishedPromotions } from './promotion-candidates.ts';

export const CURRENT_FILE = 'current.json';

/** What changed the serving version (see the file comment). */
export type CurrentChange = 'promotion' | 'rollback' | 'manual';

export interface CurrentRecord {
  version: string;
  epoch: number;
  /** The replica that wrote it. */
  by?: string;
  change?: CurrentChange;
  /** Unfinished promotions known when it was written (version → parent; `unfinished`, see recordText). */
  unfinished?: Record<string, string>;
}

/** Where the directory says to serve: a pinned version, else the recorded current one (null: nothing recorded); `by` and `change`: who recorded that version as current, and how (when current.json names it). */
export type DirectoryTarget = { version: string; pinned: boolean; by?: string; change?: CurrentChange } | null;

/** A change the promoter's `follow` made: the version served before, and the directory's target served now. */
export type FollowedChange = { from: string; target: NonNullable<DirectoryTarget> };

const CURRENT_REMEDY = 'delete it (the newest good checkpoint serves, a fine-tune candidate never recorded included, and is recorded again) or, safer, write {"version":"v<n>"} naming the version to serve';

/**
 * The text of current.json: the one place its fields are written (readCurrentRecord reads them).
 * `newest`: the highest version number in the directory when it was written — a version numbered
 * above it was written after the record (writtenAfterRecord). `unfinished` (version → parent): the
 * unfinished promotions still on disk that the previous record listed or the writer knows
 * (`known`), less the version recorded now (served: finished) — numbered at or below `newest`, they
 * are no longer told by their number, and until 7 Dec 2026 a restart after such a write neither
 * reported them nor kept a rollback without a version off them.
 */
async function recordText(dir: string, version: string, by: string, epoch: number, change?: CurrentChange, carried: Record<string, string> = {}): Promise<string> {
  const names = await readdir(dir);
  const newest = Math.max(0, ...names.map((n) => (/^v\d+$/.test(n) ? Number(n.slice(1)) : 0)));
  const unfinished = Object.fromEntries(Object.entries(carried).filter(([v]) => v !== version && names.includes(v)));
  return `${JSON.stringify({ version, by, at: new Date().toISOString(), epoch, ...(change ? { change } : {}), newest, ...(Object.keys(unfinished).length > 0 ? { unfinished } : {}) })}\n`;
}

/** The `unfinished` of a parsed record: the well-formed entries (version label → parent label); absent in records written before 7 Dec 2026. */
function unfinishedOf(o: Record<string, unknown>): Record<string, string> | undefined {
  const u = o.unfinished;
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return undefined;
  return Object.fromEntries(Object.entries(u).filter((e): e is [string, string] => /^v\d+$/.test(e[0]) && typeof e[1] === 'string' && /^v\d+$/.test(e[1])));
}

/** The record of `dir`, or null when there is none. Throws on an unreadable record (TC_MODEL_ARTIFACT_CORRUPT when damaged). */
export async function readCurrentRecord(dir: string): Promise<CurrentRecord | null> {
  let text: string;
  try {
    text = await readFile(path.join(dir, CURRENT_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const o = parseRecord(dir, CURRENT_FILE, text, CURRENT_REMEDY);
  const v = o.version;
  if (typeof v !== 'string' || !/^v\d+$/.test(v)) throw damagedRecord(dir, CURRENT_FILE, 'names no version ("version": "v<n>")', CURRENT_REMEDY);
  const change = o.change === 'promotion' || o.change === 'rollback' || o.change === 'manual' ? o.change : undefined;
  const unfinished = unfinishedOf(o);
  return { version: v, epoch: typeof o.epoch === 'number' && Number.isSafeInteger(o.epoch) ? o.epoch : 0, ...(typeof o.by === 'string' ? { by: o.by } : {}), ...(change ? { change } : {}), ...(unfinished ? { unfinished } : {}) };
}

/** The version recorded in `dir`, or null when there is none. Throws on an unreadable record. */
export async function readCurrent(dir: string): Promise<string | null> {
  return (await readCurrentRecord(dir))?.version ?? null;
}

/** The fine-tune lease epoch recorded with the current version (0: none; the floor of the next lease's epoch). */
export async function readCurrentEpoch(dir: string): Promise<number> {
  return (await readCurrentRecord(dir).catch(() => null))?.epoch ?? 0;
}

/**
 * Record `version` as the directory's serving version. `epoch` (a promotion under the fine-tune
 * lease): refused with TC_FINETUNE_LEASE_FENCED when the record carries a higher one. `known`: the
 * unfinished promotions the writer knows (version → parent), kept with those already recorded.
 */
export async function writeCurrent(dir: string, version: string, by: string, epoch?: number, change?: CurrentChange, known?: ReadonlyMap<string, string>): Promise<void> {
  const file = path.join(dir, CURRENT_FILE);
  const prev = await readCurrentRecord(dir).catch(() => null);
  const recorded = prev?.epoch ?? 0;
  if (epoch !== undefined && recorded > epoch) {
    throw new TickcastError(ErrorCodes.FINETUNE_LEASE_FENCED, `${version} not recorded as current: ${CURRENT_FILE} was written under fine-tune lease epoch ${recorded}, this replica's is ${epoch}`, { statusCode: 409, details: { epoch, recorded } });
  }
  await replaceFileSynced(file, await recordText(dir, version, by, Math.max(recorded, epoch ?? 0), change, { ...prev?.unfinished, ...(prev ? await unseenPromotions(dir, prev.version) : {}), ...Object.fromEntries(known ?? []) }));
  await syncDir(dir);
}

/**
 * The promotions over `recorded` saved after its record (numbered above its `newest`) and not yet
 * recorded: another replica's, in progress or stopped, which this writer may never have seen (saved
 * since its start or its last follow). The `newest` written now puts them at or below the record,
 * so they are kept in `unfinished`, or they would pass for finished versions. Until 7 Dec 2026 a
 * record written by a replica that had not seen one dropped it: a restart no longer reported it.
 */
async function unseenPromotions(dir: string, recorded: string): Promise<Record<string, string>> {
  const onDisk = (await readdir(dir)).filter((n) => /^v\d+$/.test(n));
  const after = await copiedInSince(dir, recorded, onDisk).catch(() => [] as string[]);
  return Object.fromEntries(await unfinishedPromotions(dir, after, (p) => p === recorded));
}

/** link() errors of filesystems without hard links. */
const NO_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Record `version` as current only where nothing is recorded yet (a start that found no record):
 * the temp file is linked into place, which fails when current.json exists, so a record another
 * replica wrote since this one read none (its promotion, a rollback) is kept. False: one was there.
 */
export async function writeCurrentIfAbsent(dir: string, version: string, by: string): Promise<boolean> {
  const file = path.join(dir, CURRENT_FILE);
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFileSynced(tmp, await recordText(dir, version, by, 0));
    const placed = await link(tmp, file).then(
      () => true,
      async (err: NodeJS.ErrnoException) => {
        if (err.code === 'EEXIST') return false;
        if (!NO_LINKS.has(err.code ?? '')) throw err;
        // A filesystem without hard links (SMB shares): read again just before the rename, a narrower window.
        if ((await readCurrentRecord(dir).catch(() => 'damaged')) !== null) return false;
        await rename(tmp, file);
        return true;
      },
    );
    if (!placed) return false;
  } finally {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
  await syncDir(dir);
  return true;
}

/**
 * Of `onDisk`, the versions written after current.json was last written (whatever it holds: it may
 * be damaged). Every finished promotion writes the record after its save, so none of them is among
 * these. A record names the newest version in the directory when it was written (`newest`): those
 * numbered above it. Records without it (written before 7 Dec 2026) and damaged ones: versions
 * whose manifest was created (`createdAt`) after the record's time (`at`, else the file's mtime).
 * Until 7 Dec 2026 directory mtimes decided, and a temp file removed inside an old version (a
 * graph save's, by a start's cleanup) made it look written after the record.
 */
export async function writtenAfterRecord(dir: string, onDisk: string[]): Promise<string[]> {
  const file = path.join(dir, CURRENT_FILE);
  const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  const o = parseLoose(text); // damaged: null, its time is the file's
  const newest = o?.newest;
  if (typeof newest === 'number' && Number.isSafeInteger(newest)) return onDisk.filter((v) => Number(v.slice(1)) > newest);
  const at = typeof o?.at === 'string' ? Date.parse(o.at) : Number.NaN;
  const recorded = Number.isFinite(at) ? at : st.mtimeMs;
  // An unreadable manifest (a damaged version) is not taken for one written after: it does not load anyway.
  const created = await Promise.all(onDisk.map((v) => readManifest(path.join(dir, v)).then((m) => Date.parse(m.createdAt), () => Number.NaN)));
  return onDisk.filter((_, i) => created[i] > recorded);
}

function parseLoose(text: string): { newest?: unknown; at?: unknown } | null {
  try {
    return JSON.parse(text) as { newest?: unknown; at?: unknown } | null;
  } catch {
    return null;
  }
}

/**
 * Versions numbered above `current` written after `current` was recorded (writtenAfterRecord):
 * models copied in (e.g. by `tickcast train`) to be served at the next start, unlike the versions
 * a rollback moved away from, which were written before the record.
 */
export async function copiedInSince(dir: string, current: string, onDisk: string[]): Promise<string[]> {
  const n = (v: string) => Number(v.slice(1));
  return writtenAfterRecord(dir, onDisk.filter((v) => n(v) > n(current)));
}
