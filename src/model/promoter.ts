/**
 * Decides which version serves, one change at a time: promotion of a fine-tuned challenger,
 * rollback (automatic or manual) and pinning are serialised, so two changes never build engines
 * or swap the predictor concurrently. Each change builds the new engine (./engine-builder.ts),
 * swaps it into the pipeline's PredictorSlot atomically and updates the model metrics.
 */
import { ErrorCodes, TickcastError, describeError } from '../errors/index.ts';
import type { Predictor } from '../pipeline/ports.ts';
import { fittingVersion, olderFittingVersion, unwritable } from './rollback-target.ts';
import type { EngineOffload } from './engine-builder.ts';
import type { CurrentChange, DirectoryTarget, FollowedChange } from './shared-dir/current-pointer.ts';
import { restoredOrigin, versionNumber, type ModelVersion } from './version-registry.ts';
import type { WeightMap } from './weight-names.ts';
import type { ChampionControl, PromoterDeps } from './promoter-deps.ts';

export type { ChampionControl, PromoterDeps } from './promoter-deps.ts';

/** A version's place in its lineage: a copy an automatic rollback saved again at the version it restores (VersionRegistry.position). */
function position(v: ModelVersion): number {
  return versionNumber(restoredOrigin(v.version, v.meta));
}

type Unrecorded = { version: string; fenced: boolean; change: CurrentChange };

export class Promoter implements ChampionControl {
  readonly #d: PromoterDeps;
  #champion: ModelVersion;
  #pinned = false;
  #servingSince = Date.now();
  /** Its load at start, else its last change to a newer version: a rollback leaves it (an older model is no fresher; TickcastModelStale). */
  #lastPromotion = this.#servingSince;
  #chain: Promise<unknown> = Promise.resolve();
  /**
   * A change served here whose record (current.json, pinned.json) the directory refused (full,
   * read-only, permissions): retried at each follow, which meanwhile does not undo the change while
   * the directory still records what it recorded then (`seen`); one another replica recorded since wins.
   */
  #unrecorded: { current?: Unrecorded; pin?: string | null; seen?: string; error: string } | null = null;

  constructor(deps: PromoterDeps) {
    this.#d = deps;
    this.#champion = deps.serving;
    this.#pinned = deps.pinned ?? false;
    this.#publish(deps.slot.predictor);
  }

  /** The serving version (its weights are never mutated). */
  get champion(): ModelVersion { return this.#champion; }

  get pinned(): boolean { return this.#pinned; }

  /** When this instance began serving the champion (ms since the epoch): its load at start, else its promotion, rollback or the followed change. */
  get servingSinceMs(): number { return this.#servingSince; }

  /** Resolves when every change asked for so far has finished (or failed). */
  idle(): Promise<unknown> { return this.#chain; }

  /**
   * Save `weights` as the next version and serve it. Refused (409) while pinned. The version keeps
   * its parent's `data` (where the lineage's training rows came from, their closures included:
   * windows.openHours auto reads it at the next start).
   */
  promote(weights: WeightMap, meta: Record<string, unknown>, offload: EngineOffload): Promise<string> {
    return this.#serialised(async () => {
      const base = this.#champion;
      const pinned = this.#pinned ? base.version : await this.#dirPin();
      if (pinned) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `model ${pinned} is pinned; the challenger is not promoted`, { statusCode: 409 });
      if (this.#d.mayPromote && !(await this.#d.mayPromote())) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `the fine-tune lease is not held by this replica; the challenger is not promoted`, { statusCode: 409 });
      const v = await this.#d.registry.add({ config: base.config, spec: base.spec, weights, meta: { ...(base.meta.data === undefined ? {} : { data: base.meta.data }), ...meta, ...(await this.#d.registry.lineage(base)) } }, [base.version], this.#d.fence).catch((err: unknown) => {
        throw unwritable(err, `the challenger could not be saved in model.dir; not promoted, ${base.version} keeps serving`);
      });
      await this.#serve(v, `promoted over ${base.version}`, offload, 'fenced', 'promotion').catch(async (err: unknown) => {
        // Saved but never served (fenced while its engine was built, or the build failed): a restart
        // must not serve it (newer than current.json, it would pass for a model copied in).
        if (this.#champion !== v) await this.#d.registry.discard(v.version).catch(() => undefined);
        throw err;
      });
      return v.version;
    });
  }

  /**
   * Serve an earlier version again (automatic rollback by the fine-tuner, of its own promotion):
   * fenced like that promotion — refused when the lease moved to another replica since. Refused
   * (409, like a promotion) while pinned, and when `from` (the promotion being rolled back)
   * no longer serves: an operator's pin or rollback decided while the decision was queued wins.
   */
  rollbackTo(version: string, reason: string, offload?: EngineOffload, from?: string): Promise<void> {
    return this.#serialised(async () => {
      const cur = this.#champion.version;
      const pinned = this.#pinned ? cur : await this.#dirPin(), why = pinned ? `model ${pinned} is pinned` : from !== undefined && from !== cur ? `${from} no longer serves (${cur} does)` : null;
      if (why) throw new TickcastError(ErrorCodes.MODEL_NOT_LOADED, `automatic rollback to ${version} not done: ${why}`, { statusCode: 409, details: { version, serving: cur, pinned: this.#pinned } });
      const target = await this.#d.registry.findOnDisk(version).catch((err: unknown) => {
        if ((err as TickcastError).details?.removed !== true) throw err;
        return this.#restore(version, cur);
      });
      await this.#serve(target, target.version === version ? reason : `${reason}; ${version}'s directory was removed from model.dir, its weights saved again as ${target.version}`, offload, 'fenced', 'rollback').catch(async (err: unknown) => {
        if (target.version !== version && this.#champion !== target) await this.#d.registry.discard(target.version).catch(() => undefined);
        throw err;
      });
    });
  }

  /**
   * An automatic rollback's target whose directory was deleted from model.dir by hand while held
   * here: its weights are saved again as the next version (`training.restoredFrom` names it; source
   * `restored`, never taken for an unfinished promotion), so the record names a version every
   * restart and replica loads. Until 7 Dec 2026 it was served from memory and recorded: a restart
   * served the regressed model instead, and the other replicas could not follow.
   */
  async #restore(version: string, cur: string): Promise<ModelVersion> {
    const held = await this.#d.registry.find(version);
    // A copy of a copy (v5 restoring v3 = v1) keeps the first one's origin: until 7 Dec 2026 only `restoredFrom: 'v3'`, so it sat at v3's place in the lineage and was no copy of v1 once v3 was gone.
    const origin = restoredOrigin(version, held.meta);
    const meta = { ...held.meta, source: 'restored', restoredFrom: version, ...(origin === version ? {} : { restoredOrigin: origin }), restoredSource: held.meta.source === 'restored' ? held.meta.restoredSource ?? null : held.meta.source ?? null };
    const v = await this.#d.registry.add({ config: held.config, spec: held.spec, weights: held.weights, meta }, [cur], this.#d.fence).catch((err: unknown) => {
      throw unwritable(err, `${version}'s weights could not be saved again in model.dir; not rolled back, ${cur} keeps serving`);
    });
    this.#d.logger.warn({ version, restored: v.version }, `automatic rollback to ${version}: its directory was removed from model.dir by hand; its weights (held in memory) are saved again as ${v.version}, which serves and is recorded`);
    return v;
  }

  /**
   * Manual rollback: to `version`, or to the newest servable version older than the one serving
   * when it was asked for; then pin or unpin. Resolves the change of the serving version (null: none).
   */
  rollbackManually(o: { version?: string; pin?: boolean }): Promise<{ from: string; to: string } | null> {
    const asked = this.#champion.version; // what the operator saw: a change queued ahead (a promotion building its engine) does not move the target
    return this.#serialised(async () => {
      const cur = this.#champion.version;
      const target = o.version !== undefined ? await fittingVersion(this.#d.registry, this.#champion, o.version) : await olderFittingVersion(this.#d.registry, this.#champion, asked);
      const changed = target.version === cur ? null : { from: cur, to: target.version };
      if (changed) await this.#serve(target, o.version ? `manual rollback to ${target.version}` : `manual rollback from ${asked}${asked === cur ? '' : ` (serving when asked; ${cur} since)`}`, undefined, true, 'manual');
      const v = this.#champion.version;
      this.#pinned = o.pin ?? false;
      await this.#d.savePin?.(o.pin ? v : null).then(
        () => this.#wrote('pin'),
        (err: unknown) => this.#recordFailed({ pin: o.pin ? v : null }, err),
      );
      this.#d.logger.info({ version: v, pinned: this.#pinned }, this.#pinned ? `model ${v} pinned: fine-tuning will not replace it until unpinned` : `model ${v} serving (not pinned)`);
      await this.#d.registry.refresh();
      return changed;
    });
  }

  /**
   * Serve what the shared model directory names (another replica promoted, rolled back or pinned):
   * `read` runs inside the serialised section, so a change this replica makes meanwhile is not
   * undone by a stale read. Nothing is written. Resolves the change of the serving version (null: none).
   */
  follow(read: () => Promise<DirectoryTarget>): Promise<FollowedChange | null> {
    return this.#serialised(async () => {
      const t = await read();
      if ((this.#unrecorded && (await this.#retryRecord(t))) || t === null) return null;
      const from = this.#champion.version, changed = t.version !== from;
      const how = t.change ? `: ${t.change === 'manual' ? 'manual change' : t.change}${t.by ? ` by ${t.by}` : ''}` : '';
      if (changed) await this.#serve(await fittingVersion(this.#d.registry, this.#champion, t.version), `following the model directory (${t.pinned ? 'pinned' : 'current'} version${how})`, undefined, false);
      this.#pinned = t.pinned;
      await this.#d.scanUnfinished?.().catch(() => undefined); // a failed look changes nothing: the next follow looks again
      return changed ? { from, target: t } : null;
    });
  }

  /** A pin another replica recorded in model.dir that this one has not followed yet (null: none, or this replica's own pin change is still unrecorded). */
  async #dirPin(): Promise<string | null> {
    if (!this.#d.readRecorded || this.#unrecorded?.pin !== undefined) return null;
    const t = await this.#d.readRecorded().catch(() => null);
    return t?.pinned ? t.version : null;
  }

  #serialised<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#chain.then(fn);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /**
   * Make `v` the serving model: build its engine, swap atomically, update metrics. `record`: write
   * current.json ('fenced': a promotion, checked against the lease before the swap and the write) saying what made the `change`.
   */
  async #serve(v: ModelVersion, why: string, offload?: EngineOffload, record: boolean | 'fenced' = true, change: CurrentChange = 'manual'): Promise<void> {
    // The replica that records the change saves the graph it checked with the version: followers load it (../stored-graph.ts).
    const next = await this.#d.build(v, offload, { keepGraph: record !== false });
    try {
      if (record === 'fenced') await this.#d.fence?.();
      this.#d.slot.swap(next);
    } catch (err) {
      // Not swapped in (fenced, or a spec the slot refuses): its engine (ONNX session, serving threads) goes now.
      await next.dispose();
      throw err;
    }
    this.#d.registry.hold(v, v.version);
    const older = change === 'rollback' || position(v) < position(this.#champion); // a restored rollback target is numbered above
    this.#champion = v;
    this.#servingSince = Date.now();
    if (older) this.#d.metrics.modelLastRollback.set(this.#servingSince / 1000);
    else this.#lastPromotion = this.#servingSince;
    this.#publish(next);
    this.#d.logger.info({ version: v.version, engine: next.engine, why }, `serving model ${v.version} (${why})`);
    if (record) {
      const current = { version: v.version, fenced: record === 'fenced', change };
      await this.#d.saveCurrent?.(current.version, current.fenced, current.change).then(
        () => this.#wrote('current'),
        (err: unknown) => this.#recordFailed({ current }, err),
      );
    }
    await this.#d.registry.refresh();
  }

  /** A record the directory refused: logged once while it keeps failing (TC_MODEL_DIR_UNWRITABLE), the gauge set, retried by `follow`. */
  async #recordFailed(what: { current?: Unrecorded; pin?: string | null }, err: unknown): Promise<void> {
    const first = this.#unrecorded === null;
    const seen = first ? await this.#d.readRecorded?.().then((t) => JSON.stringify(t), () => undefined) : this.#unrecorded!.seen;
    this.#unrecorded = { ...this.#unrecorded, ...what, seen, error: describeError(err) };
    this.#d.metrics.modelDirUnrecorded.set(1);
    if (!first) return;
    const errno = (err as NodeJS.ErrnoException).code;
    this.#d.logger.warn(
      { code: ErrorCodes.MODEL_DIR_UNWRITABLE, errno, err: describeError(err), version: this.#champion.version, pinned: this.#pinned },
      `serving ${this.#champion.version}${this.#pinned ? ' (pinned)' : ''}, but model.dir refused to record it (${errno ?? 'error'}): retried every model.followIntervalMs; until it is recorded, a restart or another replica may serve another version`,
    );
  }

  /**
   * Write a refused record again. True while this replica keeps its unrecorded change: the
   * directory still records what it did when the write failed (`t` unchanged). A change another
   * replica recorded since (`t` differs) drops it: followed as usual.
   */
  async #retryRecord(t: DirectoryTarget): Promise<boolean> {
    const u = this.#unrecorded!;
    u.seen ??= JSON.stringify(t);
    if (u.seen !== JSON.stringify(t)) {
      this.#recorded('the model directory records a newer change; following it');
      return false;
    }
    try {
      if (u.current) await this.#d.saveCurrent?.(u.current.version, u.current.fenced, u.current.change);
      u.current = undefined;
      if (u.pin !== undefined) await this.#d.savePin?.(u.pin);
      this.#wrote('pin');
    } catch (err) {
      u.error = describeError(err);
    }
    return true;
  }

  /** A record written: the refused one of the same kind is superseded. */
  #wrote(kind: 'current' | 'pin'): void {
    const u = this.#unrecorded;
    if (!u) return;
    u[kind] = undefined;
    if (u.current === undefined && u.pin === undefined) this.#recorded(`model.dir records ${this.#champion.version} now`);
  }

  #recorded(msg: string): void {
    this.#d.logger.info({ version: this.#champion.version, pinned: this.#pinned, unrecorded: this.#unrecorded?.error }, msg);
    this.#unrecorded = null;
    this.#d.metrics.modelDirUnrecorded.set(0);
  }

  #publish(p: Predictor): void {
    const m = this.#d.metrics;
    m.modelInfo.reset();
    m.modelInfo.set({ version: p.version, engine: p.engine, backend: p.backend }, 1);
    m.modelLastPromotion.set(this.#lastPromotion / 1000);
  }
}
