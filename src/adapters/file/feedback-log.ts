/**
 * Alert feedback on disk: a JSON-lines log (`{"op":"set","entry":{…}}` / `{"op":"clear",…}`),
 * one line per change, each appended with fsync before the change is acknowledged. On load the
 * log is replayed (the latest line per alert id wins; lines that do not parse are skipped and
 * counted) and, when it holds more lines than entries in effect (plus slack), rewritten compacted:
 * written to a temporary file, fsync'd, renamed over the log, directory fsync'd — a crash at any
 * point leaves either the old or the new log whole. A service that runs for weeks does not wait for a
 * restart: `compact(entries)` rewrites the log the same way while it runs (FeedbackService calls it
 * once the log holds far more lines than the entries its policy keeps).
 *
 * Versions sharing one log (a rolling upgrade, or a rollback, with model.dir on a shared volume): a
 * line that is a JSON operation this release does not understand (an `op` or a verdict a newer
 * release added) is not applied, but it is kept through every rewrite, after the entries — unless a
 * later line this release writes or reads concerns the same alert — so a compaction by an older pod
 * does not delete a newer pod's feedback. Its alert's earlier entry is no longer applied here (the
 * newest word on that alert is one this release cannot act on). Torn lines are dropped.
 *
 * Withdrawals: a rewrite keeps the most recent CLEARS_KEPT clear lines verbatim (who withdrew what,
 * when, over which channel: the audit), before the entries, so replaying them withdraws nothing
 * now in effect; older ones go. Like kept foreign lines they are not counted in `lines`, so the
 * log stays within the entries' bound plus CLEARS_KEPT.
 */
import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { syncDir, writeFileSynced } from '../../durable/durable-fs.ts';
import { isFeedbackEntry, type FeedbackEntry } from '../../domain/feedback/feedback.ts';
import type { FeedbackLogOp, FeedbackStore } from '../../pipeline/ports.ts';

/** Withdrawals (clear lines) a rewrite keeps, the most recent first to stay: the audit of who withdrew what. */
export const CLEARS_KEPT = 100;

export interface FeedbackLogOptions {
  path: string;
  /** Called with the number of lines skipped on load: unreadable, and (of those) kept as another release's. */
  onSkipped?: (lines: number, kept: number) => void;
}

export class FeedbackLog implements FeedbackStore {
  readonly path: string;
  readonly #onSkipped?: (lines: number, kept: number) => void;
  /** Lines of operations this release does not understand, kept verbatim: by alert id (or a unique key). */
  readonly #foreign = new Map<string, string>();
  /** The most recent clear lines (at most CLEARS_KEPT), oldest first, verbatim: kept through rewrites. */
  readonly #clears: string[] = [];
  #fh: FileHandle | null = null;
  /** Appends run one at a time, in call order. */
  #chain: Promise<void> = Promise.resolve();
  /** Lines in the log: read on load, then one per append; reset by a rewrite. */
  #lines = 0;

  constructor(opts: FeedbackLogOptions) {
    this.path = opts.path;
    this.#onSkipped = opts.onSkipped;
  }

  async load(): Promise<FeedbackEntry[]> {
    await mkdir(dirname(this.path), { recursive: true });
    let text = '';
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const live = new Map<string, FeedbackEntry>();
    let lines = 0;
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      lines++;
      const op = parseOp(line);
      if (op === null || 'foreign' in op) {
        skipped++;
        if (op === null) continue;
        live.delete(op.foreign);
        this.#foreign.delete(op.foreign); // keep recording order
        this.#foreign.set(op.foreign || `#${lines}`, line);
        continue;
      }
      const id = op.op === 'clear' ? op.alertId : op.entry.alertId;
      if (op.op === 'clear') this.#keepClear(line);
      this.#foreign.delete(id);
      live.delete(id); // keep recording order: an update moves to the end
      if (op.op === 'set') live.set(id, op.entry);
    }
    if (skipped > 0) this.#onSkipped?.(skipped, this.#foreign.size);
    const entries = [...live.values()];
    this.#lines = lines;
    if (lines - this.#clears.length > 2 * (entries.length + this.#foreign.size) + 64) await this.#rewrite(entries);
    return entries;
  }

  append(op: FeedbackLogOp): Promise<void> {
    const next = this.#chain.then(async () => {
      const fh = await this.#handle();
      const line = JSON.stringify(op);
      await fh.appendFile(`${line}\n`, 'utf8');
      await fh.sync();
      this.#lines++;
      if (op.op === 'clear') this.#keepClear(line);
      this.#foreign.delete(op.op === 'clear' ? op.alertId : op.entry.alertId);
    });
    this.#chain = next.catch(() => {});
    return next;
  }

  /** Lines the log holds now (entries in effect plus superseded and cleared ones; kept foreign and clear lines not counted). */
  get lines(): number {
    return this.#lines - this.#foreign.size - this.#clears.length;
  }

  /** Rewrite the log as `entries` (oldest first), after the appends already queued; atomic as on load. */
  compact(entries: readonly FeedbackEntry[]): Promise<void> {
    const next = this.#chain.then(async () => {
      const fh = this.#fh;
      this.#fh = null;
      await fh?.close();
      await this.#rewrite(entries);
    });
    this.#chain = next.catch(() => {});
    return next;
  }

  async close(): Promise<void> {
    await this.#chain;
    const fh = this.#fh;
    this.#fh = null;
    await fh?.close();
  }

  async #handle(): Promise<FileHandle> {
    if (this.#fh === null) {
      await mkdir(dirname(this.path), { recursive: true });
      this.#fh = await open(this.path, 'a');
    }
    return this.#fh;
  }

  async #rewrite(entries: readonly FeedbackEntry[]): Promise<void> {
    const tmp = `${this.path}.tmp`;
    // Kept clear lines go first: replayed before the entries, they withdraw nothing now in effect.
    const clears = this.#clears.map((line) => `${line}\n`).join('');
    const kept = [...this.#foreign.values()].map((line) => `${line}\n`).join('');
    await writeFileSynced(tmp, clears + entries.map((entry) => `${JSON.stringify({ op: 'set', entry })}\n`).join('') + kept);
    await rename(tmp, this.path);
    await syncDir(dirname(this.path));
    this.#lines = this.#clears.length + entries.length + this.#foreign.size;
  }

  #keepClear(line: string): void {
    this.#clears.push(line);
    if (this.#clears.length > CLEARS_KEPT) this.#clears.shift();
  }
}

/** A line's operation; `{foreign: alertId or ''}` for a JSON operation this release does not understand; null for a torn line or other text. */
function parseOp(line: string): FeedbackLogOp | { foreign: string } | null {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null; // a torn last line after a crash, or foreign text: skipped and counted
  }
  if (v === null || typeof v !== 'object' || typeof v.op !== 'string') return null;
  if (v.op === 'set' && isFeedbackEntry(v.entry)) return { op: 'set', entry: v.entry };
  if (v.op === 'clear' && typeof v.alertId === 'string') return { op: 'clear', alertId: v.alertId, at: Number(v.at), ...(typeof v.actor === 'string' ? { actor: v.actor } : {}) };
  const entry = v.entry as { alertId?: unknown } | null | undefined;
  const id = typeof v.alertId === 'string' ? v.alertId : typeof entry?.alertId === 'string' ? entry.alertId : '';
  return { foreign: id };
}
