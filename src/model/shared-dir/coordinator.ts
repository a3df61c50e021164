/**
 * Replicas sharing one model directory (docs/finetuning.md § Several replicas):
 * - the fine-tune lease (./lease.ts): renewed every `ttlMs / 3`; only its holder runs fine-tune
 *   rounds and promotes (FineTuner's `leading`, Promoter's `mayPromote`); losing it drops the round
 *   in flight. `tickcast_finetune_lease_held` is 1 on the holder.
 * - following: every `followMs` the directory's pinned version (pin-file.ts), else its current
 *   version (./current-pointer.ts), is compared with the serving one and loaded when it differs,
 *   so every replica serves what the last promotion, rollback or pin chose, whichever replica made it.
 */
import { ErrorCodes, FailureStreak, TickcastError, describeError } from '../../errors/index.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { Metrics } from '../../telemetry/metrics.ts';
import type { ManualChange } from '../finetune/round-types.ts';
import { readPin } from '../pin-file.ts';
import type { Promoter } from '../promoter.ts';
import type { VersionRegistry } from '../version-registry.ts';
import { readCurrentRecord, type DirectoryTarget, type FollowedChange } from './current-pointer.ts';
import type { DirLease } from './lease.ts';

/** What the coordinator tells the fine-tuner (FineTuner implements it). */
export interface LeaseListener {
  /** `manual`: an operator's change made on another replica (current.json's `change`), followed here. */
  championChanged(why: string, manual?: ManualChange): void;
  /** This replica lost the lease: a round in flight is dropped, the champion stays. */
  leaseLost(): void;
  pinChanged(pinned: boolean): void;
}

export interface CoordinatorDeps {
  dir: string;
  /** Null when this replica does not fine-tune (it only follows). */
  lease: DirLease | null;
  ttlMs: number;
  /** 0: do not follow. */
  followMs: number;
  promoter: Promoter;
  /** Where a followed change's versions sit in their lineage (a restored copy counts as the version it restores): its direction. */
  registry: Pick<VersionRegistry, 'position'>;
  tuner: LeaseListener | null;
  logger: Logger;
  metrics: Metrics;
}

export class SharedDirCoordinator {
  readonly #d: CoordinatorDeps;
  #leading: boolean | null = null;
  #timers: NodeJS.Timeout[] = [];
  /** The run in flight of each timer: renewal and following each have their own chain, so a follow waiting for a promotion in flight (the promoter's serialised section) never delays a renewal. */
  #busy: Promise<unknown>[] = [];
  #lastFollowError = '';
  /** The failing lease renewals: logged once per errno, and once when they work again. */
  readonly #leaseFailures = new FailureStreak();
  /** The lease epoch the last successful `mayPromote` saw: the fencing token of the promotion in flight. */
  #token = 0;

  constructor(deps: CoordinatorDeps) {
    this.#d = deps;
  }

  /** This replica holds the fine-tune lease (as of the last renewal). */
  get leading(): boolean {
    return this.#leading === true;
  }

  /** For GET /v1/model: this replica's id, whether it holds the lease, and the holder last seen. */
  describe(): { owner: string; held: boolean; holder: string | null; expiresAt: string | null } | null {
    const lease = this.#d.lease;
    if (!lease) return null;
    const seen = lease.seen;
    const holder = seen?.owner || null; // '' : released, or an unreadable record
    return { owner: lease.owner, held: this.leading, holder, expiresAt: seen && holder ? new Date(seen.expiresAt).toISOString() : null };
  }

  /** The fencing token (lease epoch) of the promotion in flight, recorded in current.json. */
  get epoch(): number {
    return this.#token;
  }

  /** Fresh check before a promotion writes to the directory: held, with a third of the lease left. Records the epoch seen. */
  async mayPromote(): Promise<boolean> {
    const lease = this.#d.lease;
    if (!lease) return true;
    const ok = await lease.holds(this.#d.ttlMs / 3);
    this.#token = ok ? (lease.seen?.epoch ?? 0) : 0;
    return ok;
  }

  /**
   * Right before a promotion writes (its version's rename, the swap): the lease file must still
   * name this replica with the epoch `mayPromote` saw. Else this replica stalled while another took
   * the lease over: TC_FINETUNE_LEASE_FENCED (409), a warning and tickcast_finetune_fenced_writes_total.
   */
  async fence(): Promise<void> {
    const lease = this.#d.lease;
    if (!lease || (this.#token > 0 && (await lease.holdsEpoch(this.#token)))) return;
    const seen = lease.seen;
    const details = { epoch: this.#token, holder: seen?.owner ?? null, holderEpoch: seen?.epoch ?? null };
    this.#d.metrics.finetuneFenced.inc();
    this.#d.logger.warn(details, 'promotion not written: the fine-tune lease was taken over (another epoch) after this replica checked it; it stalled past its lease');
    throw new TickcastError(ErrorCodes.FINETUNE_LEASE_FENCED, `the fine-tune lease (epoch ${this.#token}) was taken over by ${seen?.owner || 'nobody yet'} (epoch ${seen?.epoch ?? 'none'}) while this promotion was in flight; it is not written`, { statusCode: 409, details });
  }

  /** First lease attempt (awaited, so a lone replica leads from its first round), then the timers. */
  async start(): Promise<void> {
    const every = (ms: number, fn: () => Promise<void>) => {
      let queued = false; // a slow filesystem: one run waiting at most, not one per tick
      const run = () => {
        queued = false;
        return fn();
      };
      const i = this.#busy.push(Promise.resolve()) - 1;
      const t = setInterval(() => {
        if (queued) return;
        queued = true;
        this.#busy[i] = this.#busy[i].then(run);
      }, ms);
      t.unref();
      this.#timers.push(t);
    };
    if (this.#d.lease) {
      await this.renewOnce();
      every(Math.max(1, Math.floor(this.#d.ttlMs / 3)), () => this.renewOnce());
    }
    if (this.#d.followMs > 0) every(this.#d.followMs, () => this.followOnce());
  }

  /**
   * Stop the timers, wait for a renewal or follow in flight, and give the lease up. Said as what it
   * is: until 6 Dec 2026 every stop logged "fine-tune lease not held: … while another replica holds
   * it" — also with fine-tuning off (no lease at all) and when this replica had just released it.
   */
  async stop(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    await Promise.all(this.#busy);
    const lease = this.#d.lease;
    if (!lease) return;
    await lease.release().catch(() => undefined);
    const held = this.#leading === true;
    this.#leading = false;
    this.#d.metrics.finetuneLeaseHeld.set(0);
    if (!held) return;
    this.#d.logger.info({ owner: lease.owner }, 'fine-tune lease released: this replica is stopping');
    this.#d.tuner?.leaseLost(); // a round in flight is dropped
  }

  /** One renewal or acquisition attempt; an error counts as not holding. */
  async renewOnce(): Promise<void> {
    const lease = this.#d.lease;
    if (!lease) return;
    let held = false;
    try {
      held = await lease.acquireOrRenew();
      const after = this.#leaseFailures.succeeded();
      if (after !== null) this.#d.logger.info({ after }, 'fine-tune lease can be written again');
    } catch (err) {
      // Once per failure (and errno): a full or read-only volume fails every renewal (ttlMs / 3) until it is fixed.
      const { errno, log } = this.#leaseFailures.failed(err);
      if (log) this.#d.logger.warn({ code: ErrorCodes.MODEL_DIR_UNWRITABLE, errno, err: describeError(err) }, 'fine-tune lease could not be read or written: not fine-tuning until it can (logged again only when the error changes)');
    }
    this.#set(held);
  }

  #set(held: boolean): void {
    const was = this.#leading;
    this.#leading = held;
    this.#d.metrics.finetuneLeaseHeld.set(held ? 1 : 0);
    if (held === was) return;
    const seen = this.#d.lease?.seen;
    if (held) this.#d.logger.info({ owner: this.#d.lease?.owner }, 'fine-tune lease taken: this replica fine-tunes and promotes');
    else {
      this.#d.logger.info({ holder: seen?.owner, expiresAt: seen?.expiresAt }, 'fine-tune lease not held: fine-tuning rounds are skipped here while another replica holds it');
      this.#d.tuner?.leaseLost(); // a round in flight is dropped
    }
  }

  /** Load the version the directory names, when it is not the serving one. */
  async followOnce(): Promise<void> {
    const { promoter, tuner, dir } = this.#d;
    try {
      const wasPinned = promoter.pinned;
      const changed = await promoter.follow(() => directoryTarget(dir));
      if (changed) tuner?.championChanged(...(await followedChange(changed, this.#d.registry)));
      if (promoter.pinned !== wasPinned) tuner?.pinChanged(promoter.pinned);
      this.#d.metrics.modelPinned.set(promoter.pinned ? 1 : 0);
      this.#lastFollowError = '';
    } catch (err) {
      const msg = describeError(err);
      if (msg !== this.#lastFollowError) this.#d.logger.warn({ code: (err as { code?: unknown }).code, err: msg }, 'could not follow the version recorded in the model directory; serving the current one');
      this.#lastFollowError = msg;
    }
  }
}

/**
 * What the fine-tuner is told of a followed change: an operator's (current.json records a manual
 * change to the version now served) with its direction and replica — a watch it ends is recorded
 * as that operator's rollback or change, not as `aborted` (before 6 Dec 2026) — else why.
 * The direction goes by lineage position (VersionRegistry.position), as on the replica that made
 * the change: until 7 Dec 2026 it compared version numbers, so a manual rollback to a restored copy
 * (v3 = v1's weights, from v2) read as "newer" here and a watch it ended was recorded 'replaced'.
 */
async function followedChange(c: FollowedChange, registry: Pick<VersionRegistry, 'position'>): Promise<[string, ManualChange?]> {
  const t = c.target, by = t.by ?? 'another replica';
  if (t.change !== 'manual') return [`followed the model directory: ${t.version}${t.change ? ` (${t.change === 'promotion' ? 'promoted' : 'rolled back automatically'} by ${by})` : ''}`];
  const direction = (await registry.position(t.version)) < (await registry.position(c.from)) ? 'older' : 'newer';
  return [`followed the model directory: manual ${direction === 'older' ? 'rollback' : 'change'} to ${t.version} by ${by}`, { to: t.version, direction, by }];
}

/** The pinned version, else the current one, else null; with who recorded it as current, and how, when current.json names it. */
export async function directoryTarget(dir: string): Promise<DirectoryTarget> {
  const pin = await readPin(dir);
  const cur = await readCurrentRecord(dir).catch((err: unknown) => {
    if (pin === null) throw err;
    return null; // the pin decides; an unreadable current.json only loses who made the change
  });
  const version = pin ?? cur?.version;
  if (version === undefined) return null;
  const how = cur?.version === version ? { ...(cur.by === undefined ? {} : { by: cur.by }), ...(cur.change === undefined ? {} : { change: cur.change }) } : {};
  return { version, pinned: pin !== null, ...how };
}
