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
 * - Take over (expired): `rename` the lease aside to a private name (only one replica's rename of
 *   it succeeds), check that what was moved is the expired record that was judged (else put it
 *   back: it was renewed or taken meanwhile), delete it, then create as above.
 * An unreadable record (crash of a writer on a filesystem without atomic rename) expires `ttlMs`
 * after the file's mtime.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { writeFileSynced } from '../durable-fs.ts';

export const LEASE_FILE = 'finetune.lease';

export interface LeaseRecord {
  owner: string;
  /** Unix ms after which any replica may take the lease over. */
  expiresAt: number;
}

export interface DirLeaseOptions {
  dir: string;
  ttlMs: number;
  /** Default: hostname (the pod name in Kubernetes), pid and a random suffix. */
  owner?: string;
  now?: () => number;
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
  #seen: LeaseRecord | null = null;

  constructor(o: DirLeaseOptions) {
    this.owner = o.owner ?? defaultOwner();
    this.#file = path.join(o.dir, LEASE_FILE);
    this.#ttl = o.ttlMs;
    this.#now = o.now ?? Date.now;
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
        await this.#write(this.#file);
        return true;
      }
      // Late (this process was paused): a plain rename could replace a takeover made since the
      // read, so renew the way an expired lease is taken: move it aside, check it, create.
    }
    return this.#takeOver(cur.raw);
  }

  /** True when the file names this replica with at least `marginMs` left (read fresh: a check before writing to the shared directory). */
  async holds(marginMs = 0): Promise<boolean> {
    const cur = await this.#read();
    return cur !== null && cur.rec.owner === this.owner && cur.rec.expiresAt - this.#now() > marginMs;
  }

  /** Give the lease up (when held), so another replica takes it at once instead of after `ttlMs`. */
  async release(): Promise<void> {
    const cur = await this.#read();
    if (cur?.rec.owner === this.owner) await fsp.rm(this.#file, { force: true });
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
      rec = { owner: o.owner, expiresAt: o.expiresAt };
    } catch {
      const st = await fsp.stat(this.#file).catch(() => null);
      rec = { owner: '', expiresAt: (st?.mtimeMs ?? 0) + this.#ttl };
    }
    this.#seen = rec;
    return { raw, rec };
  }

  #tempName(kind: string): string {
    return `${this.#file}.${kind}-${process.pid}-${randomBytes(4).toString('hex')}`;
  }

  /** Write a fresh record for this replica to `target` through a temp file and rename. */
  async #write(target: string): Promise<void> {
    const tmp = this.#tempName('tmp');
    const rec: LeaseRecord = { owner: this.owner, expiresAt: this.#now() + this.#ttl };
    await writeFileSynced(tmp, `${JSON.stringify(rec)}\n`);
    await fsp.rename(tmp, target);
    this.#seen = rec;
  }

  async #create(): Promise<boolean> {
    const tmp = this.#tempName('new');
    await this.#write(tmp);
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

  async #takeOver(expiredRaw: string): Promise<boolean> {
    const aside = this.#tempName('stale');
    try {
      await fsp.rename(this.#file, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return this.#create(); // another replica moved it first
      throw err;
    }
    const moved = await fsp.readFile(aside, 'utf8').catch(() => '');
    if (moved !== expiredRaw) {
      // Renewed or taken between the read and the rename: put it back (unless a newer one exists).
      await fsp.link(aside, this.#file).catch(() => undefined);
      await fsp.rm(aside, { force: true });
      return false;
    }
    await fsp.rm(aside, { force: true });
    return this.#create();
  }
}
