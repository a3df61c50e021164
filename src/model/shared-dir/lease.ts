/**
 * The fine-tune lease: one file in the model directory (`finetune.lease`) naming the replica that
 * may fine-tune, save versions and promote, and until when. Replicas sharing one model directory
 * (a ReadWriteMany volume) take turns through it; see docs/finetuning.md § Several replicas.
 *
 * - Create: the record is written to a private temp file, then `link`ed to the lease name, which
 *   fails with EEXIST when the lease exists (exclusive like O_EXCL, and the file never appears
 *   half written).
 * - Renew (holder, more than a third of the lifetime left): temp file + `rename` over the lease
 *   (atomic replace); later than that, as a takeover (below), which cannot replace another's.
 * - Take over (expired) and release: under a takeover lock (`finetune.lease.takeover`, created
 *   exclusively like the lease; one left by a crashed holder is cleared after `ttlMs`), re-read the
 *   lease and, only when it is still the very record judged, replace it by `rename`. The lease file
 *   never disappears once created, so no replica can create one beside a takeover. (Until 6 Dec
 *   2026 a takeover moved the lease aside and put back one that had changed meanwhile; while it was
 *   aside, a third replica could create the lease, and two replicas held it: 1 round in 300 of six
 *   contenders with jittered file operations.)
 * An unreadable record (crash of a writer on a filesystem without atomic rename) expires `ttlMs`
 * after the file's mtime.
 *
 * Fencing: every record carries an `epoch`, one more than the record it replaces (a renewal keeps
 * it, also a late one that finds its own record); a lease created where none exists takes one more
 * than the highest epoch this process has seen and than `epochFloor()` (the epoch recorded in
 * current.json). A holder checks right before it writes to the directory that the file still names
 * it with the epoch it checked before it started (`holdsEpoch`): a holder that stalled past its
 * lease while another replica took it over finds another owner or epoch there and does not write.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { replaceFileSynced, writeFileSynced } from '../../durable/durable-fs.ts';

export const LEASE_FILE = 'finetune.lease';
/** Beside the lease: held while a replica replaces a record that is not its live one (takeover, release). */
const LOCK_SUFFIX = '.takeover';

export interface LeaseRecord {
  owner: string;
  /** Unix ms after which any replica may take the lease over. */
  expiresAt: number;
  /** Fencing token: grows with every change of holder (0 in records written before it existed). */
  epoch: number;
}

export interface DirLeaseOptions {
  dir: string;
  ttlMs: number;
  /** Default: hostname (the pod name in Kubernetes), pid and a random suffix. */
  owner?: string;
  now?: () => number;
  /** The lowest epoch already used, beyond the lease file (current.json's); a new lease takes a higher one. */
  epochFloor?: () => Promise<number>;
}

/** A unique owner id for this process. */
export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export class DirLease {
  readonly owner: string;
  readonly #file: string;
  readonly #ttl: number;
  readonly #now: () => number;
  readonly #floor: () => Promise<number>;
  #seen: LeaseRecord | null = null;
  #maxEpoch = 0;

  constructor(o: DirLeaseOptions) {
    this.owner = o.owner ?? defaultOwner();
    this.#file = path.join(o.dir, LEASE_FILE);
    this.#ttl = o.ttlMs;
    this.#now = o.now ?? Date.now;
    this.#floor = o.epochFloor ?? (() => Promise.resolve(0));
  }

  /** The record read last (holder and expiry), or null when there was none. */
  get seen(): LeaseRecord | null {
    return this.#seen;
  }

  /** One attempt: renew the lease when this replica holds it, take it when free or expired. Resolves whether it is held now. */
  async acquireOrRenew(): Promise<boolean> {
    const cur = await this.#read();
    const now = this.#now();
    if (cur === null) return this.#create();
    if (cur.rec.expiresAt > now) {
      if (cur.rec.owner !== this.owner) return false;
      if (cur.rec.expiresAt - now > this.#ttl / 3) {
        await this.#write(this.#file, cur.rec.epoch);
        return true;
      }
      // Late (this process was paused): a plain rename could replace a takeover made since the
      // read, so renew the way an expired lease is taken: move it aside, check it, create.
    }
    return this.#takeOver(cur);
  }

  /** True when the file names this replica with at least `marginMs` left (read fresh: a check before writing to the shared directory). */
  async holds(marginMs = 0): Promise<boolean> {
    const cur = await this.#read();
    return cur !== null && cur.rec.owner === this.owner && cur.rec.expiresAt - this.#now() > marginMs;
  }

  /** True when the file still names this replica with `epoch` (read fresh, expiry not considered: the fencing check right before a write). */
  async holdsEpoch(epoch: number): Promise<boolean> {
    const cur = await this.#read();
    return cur !== null && cur.rec.owner === this.owner && cur.rec.epoch === epoch;
  }

  /**
   * Give the lease up (when held), so another replica takes it at once instead of after `ttlMs`:
   * under the takeover lock, replaced by an expired record that keeps the epoch, so the next
   * holder's is higher (fencing never goes back). Nothing is done when the lock is busy (another
   * replica is taking the lease over already) or the record changed since it was read.
   */
  async release(): Promise<void> {
    const cur = await this.#read();
    if (cur?.rec.owner !== this.owner) return;
    await this.#underLock(async () => {
      if ((await this.#read())?.raw !== cur.raw) return;
      await this.#replace({ owner: '', expiresAt: 0, epoch: cur.rec.epoch });
    }, undefined);
  }

  async #read(): Promise<{ raw: string; rec: LeaseRecord } | null> {
    let raw: string;
    try {
      raw = await fsp.readFile(this.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.#seen = null);
      throw err;
    }
    let rec: LeaseRecord;
    try {
      const o = JSON.parse(raw) as Partial<LeaseRecord>;
      if (typeof o.owner !== 'string' || typeof o.expiresAt !== 'number') throw new Error('not a lease record');
      rec = { owner: o.owner, expiresAt: o.expiresAt, epoch: typeof o.epoch === 'number' && Number.isSafeInteger(o.epoch) ? o.epoch : 0 };
    } catch {
      const st = await fsp.stat(this.#file).catch(() => null);
      rec = { owner: '', expiresAt: (st?.mtimeMs ?? 0) + this.#ttl, epoch: 0 };
    }
    this.#seen = rec;
    this.#maxEpoch = Math.max(this.#maxEpoch, rec.epoch);
    return { raw, rec };
  }

  #tempName(kind: string): string {
    return `${this.#file}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** Write a fresh record for this replica to `target` through a temp file and rename. */
  async #write(target: string, epoch: number): Promise<void> {
    const rec: LeaseRecord = { owner: this.owner, expiresAt: this.#now() + this.#ttl, epoch };
    await this.#replace(rec, target);
    this.#seen = rec;
  }

  /** Put `rec` at `target` (the lease file by default) atomically: temp file, fsync, rename over it. */
  async #replace(rec: LeaseRecord, target = this.#file): Promise<void> {
    await replaceFileSynced(target, `${JSON.stringify(rec)}\n`);
  }

  /** Create the lease file; `epoch`: the one to write (default: above every epoch seen and the floor). */
  async #create(epoch?: number): Promise<boolean> {
    const tmp = this.#tempName('new');
    await this.#write(tmp, epoch ?? Math.max(this.#maxEpoch, await this.#floor()) + 1);
    try {
      await fsp.link(tmp, this.#file);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // Who has it. On NFS a retransmitted link that had succeeded reports EEXIST: the record names us then.
      return (await this.#read())?.rec.owner === this.owner;
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /**
   * Replace an expired record (`expired`, as judged) under the takeover lock: re-read there, and
   * only when it is still the very record judged is it replaced by rename (the lease file never
   * disappears, so no replica can create one beside it). Busy lock or a changed record: false.
   */
  async #takeOver(expired: { raw: string; rec: LeaseRecord }): Promise<boolean> {
    return this.#underLock(async () => {
      const cur = await this.#read();
      if (cur === null) return this.#create();
      if (cur.raw !== expired.raw) return false; // renewed, released or taken since it was judged
      // Our own record (a late renewal): nobody held it since, the epoch stays; else one more.
      const epoch = expired.rec.owner === this.owner ? expired.rec.epoch : Math.max(this.#maxEpoch, await this.#floor()) + 1;
      await this.#write(this.#file, epoch);
      return true;
    }, false);
  }

  /** Run `fn` holding the takeover lock (`finetune.lease.takeover`), or answer `busy` when another replica holds it. */
  async #underLock<T>(fn: () => Promise<T>, busy: T): Promise<T> {
    const mine = `${JSON.stringify({ owner: this.owner, at: this.#now(), nonce: randomBytes(4).toString('hex') })}\n`;
    if (!(await this.#lock(mine))) return busy;
    try {
      return await fn();
    } finally {
      // Only our own lock (one judged stale and cleared while we were paused is another's now).
      if ((await fsp.readFile(this.#lockFile, 'utf8').catch(() => '')) === mine) await fsp.rm(this.#lockFile, { force: true });
    }
  }

  get #lockFile(): string {
    return `${this.#file}${LOCK_SUFFIX}`;
  }

  /** Take the lock (exclusive create by link); one held past `ttlMs` (its holder crashed) is cleared first. */
  async #lock(content: string): Promise<boolean> {
    const tmp = this.#tempName('lock');
    await writeFileSynced(tmp, content);
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        try {
          await fsp.link(tmp, this.#lockFile);
          return true;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        if (!(await this.#clearStaleLock())) return false;
      }
      return false;
    } finally {
      await fsp.rm(tmp, { force: true });
    }
  }

  /** Remove a lock older than `ttlMs` (moved aside and checked, put back when it was not the one judged). True: try again. */
  async #clearStaleLock(): Promise<boolean> {
    const raw = await fsp.readFile(this.#lockFile, 'utf8').catch(() => null);
    if (raw === null) return true;
    let at = NaN;
    try {
      at = Number((JSON.parse(raw) as { at?: unknown }).at);
    } catch {
      // half written by a writer that crashed: judged by the file's age
    }
    if (!Number.isFinite(at)) at = (await fsp.stat(this.#lockFile).catch(() => null))?.mtimeMs ?? 0;
    if (at + this.#ttl >= this.#now()) return false;
    const aside = this.#tempName('stalelock');
    try {
      await fsp.rename(this.#lockFile, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw err;
    }
    const moved = await fsp.readFile(aside, 'utf8').catch(() => '');
    if (moved !== raw) await fsp.link(aside, this.#lockFile).catch(() => undefined);
    await fsp.rm(aside, { force: true });
    return moved === raw;
  }
}
