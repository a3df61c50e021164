/**
 * Unfinished promotions in model.dir (docs/finetuning.md § Checkpoints): fine-tuned versions a
 * promotion saved and never recorded as current (the process stopped between the save and the
 * record, or another replica is promoting it now). Found at start (./initial-version.ts); never
 * served unless named.
 */
import path from 'node:path';
import { ErrorCodes } from '../errors/index.ts';
import type { Logger } from '../telemetry/logger.ts';
import { readManifest } from './artifact.ts';
import { copiedInSince, readCurrent, readCurrentRecord, writtenAfterRecord } from './shared-dir/current-pointer.ts';
import { unfinishedPromotions } from './shared-dir/promotion-candidates.ts';

export { unfinishedPromotions } from './shared-dir/promotion-candidates.ts';

/**
 * current.json is there but unreadable (damaged: edited by hand, a disk fault): which version it
 * named is lost, but not when it was last written. Every finished promotion writes it after its
 * save, so a fine-tuned version written after it whose parent is in the directory is an unfinished
 * promotion (`unfinished`, filled in) and not served; the newest other good version is. Until 7 Dec
 * 2026 the newest good version served, the unfinished candidate included.
 */
export async function unreadableRecord(dir: string, onDisk: string[], unfinished: Map<string, string>, logger: Logger, serves: string): Promise<void> {
  const after = await writtenAfterRecord(dir, onDisk).catch(() => [] as string[]);
  for (const [v, parent] of await unfinishedPromotions(dir, after, (p) => onDisk.includes(p))) unfinished.set(v, parent);
  if (unfinished.size > 0) warnUnfinished(logger, unfinished, null, serves);
}

/**
 * The versions written after `recorded` was recorded (copied in, or unfinished promotions over it:
 * those fill `unfinished`, as do the unfinished promotions current.json lists, still on disk — since
 * 7 Dec 2026 it keeps them once a later record puts them at or below its `newest`).
 */
export async function recordedUnfinished(dir: string, recorded: string, onDisk: string[], unfinished: Map<string, string>): Promise<string[]> {
  const listed = (await readCurrentRecord(dir).catch(() => null))?.unfinished ?? {};
  for (const [v, parent] of Object.entries(listed)) if (v !== recorded && onDisk.includes(v)) unfinished.set(v, parent);
  const newer = await copiedInSince(dir, recorded, onDisk);
  for (const [v, parent] of await unfinishedPromotions(dir, newer, (p) => p === recorded)) unfinished.set(v, parent);
  return newer;
}

/**
 * A pinned start serves the pin (the operator's explicit choice) but still finds the unfinished
 * promotions, as an unpinned start does: GET /v1/model unfinishedVersions and the gauge say the
 * same whether pinned or not, and a rollback without a version after unpinning skips them. Until
 * 7 Dec 2026 a pinned start did not look (none reported, and such a rollback could serve one).
 */
export async function pinnedUnfinished(dir: string, onDisk: string[], unfinished: Map<string, string>, pin: string, logger: Logger): Promise<void> {
  const serves = `${pin} serves, pinned`;
  const recorded = await readCurrent(dir).catch(() => undefined);
  if (recorded === undefined) return unreadableRecord(dir, onDisk, unfinished, logger, serves);
  if (recorded !== null) await recordedUnfinished(dir, recorded, onDisk, unfinished).catch(() => undefined);
  if (unfinished.size > 0) warnUnfinished(logger, unfinished, recorded, serves);
}

export function warnUnfinished(logger: Logger, unfinished: Map<string, string>, recorded: string | null, serves: string): void {
  const names = [...unfinished.keys()];
  logger.warn(
    { code: ErrorCodes.MODEL_PROMOTION_UNFINISHED, recorded, unfinished: names },
    `${names.join(', ')}: saved by a fine-tune promotion that did not complete (never recorded as current: the process stopped between the save and the record, or another replica is promoting it now); not served — ${serves}. GET /v1/model lists it in unfinishedVersions. Serve it by hand with POST /v1/model/rollback {"version":"${names[0]}"} if wanted; retention prunes it in time`,
  );
}

/**
 * The unfinished promotions in `dir` now, against the version current.json records (none when it
 * records none or is unreadable), less those saved within `minAgeMs` (by their manifest's
 * `createdAt`): the follow of model.dir (./promoter.ts) reports a candidate saved after the start's
 * listing — another replica's promotion that never completed — without waiting for the next start
 * (until 7 Dec 2026 it was reported only then). A younger one may be a promotion still building its
 * engine, recorded a moment later; `minAgeMs` is the lease's lifetime, past which its promoter has
 * recorded it, been fenced (and deleted it), or died.
 */
export async function findUnfinished(dir: string, onDisk: string[], minAgeMs: number, now = Date.now()): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const recorded = await readCurrent(dir).catch(() => null);
  if (recorded === null) return found;
  await recordedUnfinished(dir, recorded, onDisk, found);
  for (const v of [...found.keys()]) {
    const created = await readManifest(path.join(dir, v)).then((m) => Date.parse(m.createdAt), () => Number.NaN);
    if (!(created <= now - minAgeMs)) found.delete(v);
  }
  return found;
}
