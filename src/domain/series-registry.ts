/**
 * The one owner of "which series exist". Per-series state lives in several places (the window
 * store's ring buffers and statistics, the series outlook with the last forecast, score and alert
 * state, the anomaly detector, the fine-tuner's training pairs and forecasts, the score gauge's
 * top-k); none of them decides on its own when a series goes. The registry admits series
 * (evicting the least recently seen one at the cap), evicts idle ones, removes on request, and
 * announces every departure to its followers, which drop their state for that series. Followers
 * may keep a safety cap of their own, but a series the registry drops is dropped everywhere, for
 * every reason (docs/architecture.md, "Per-series state").
 *
 * Pure bookkeeping: no timers, the clock is passed in.
 */

/**
 * Why a series left: at the cap (least recently seen), idle too long, removed (its input partition
 * went to another instance, which carries it on), or reset by an operator (POST /v1/series/{id}/reset:
 * forgotten for good here, its units too; open alerts resolved with reason "reset").
 */
export type EvictionReason = 'capacity' | 'idle' | 'removed' | 'reset';

/** Something that keeps per-series state and drops it when the registry says so. */
export interface SeriesFollower {
  forget(series: string, reason: EvictionReason): void;
}

export type SeriesListener = (series: string, reason: EvictionReason) => void;

export interface SeriesRegistryOptions {
  /** Series held at most; admitting one more evicts the least recently seen. */
  maxSeries: number;
  /** A series not seen for longer than this is evicted by `evictIdle`. */
  idleEvictMs: number;
}

export class SeriesRegistry {
  readonly #o: SeriesRegistryOptions;
  /** Series → last seen (ms). Map order doubles as recency order: the first key is the LRU. */
  readonly #lastSeen = new Map<string, number>();
  readonly #listeners = new Set<SeriesListener>();
  readonly #admitted = new Set<(series: string) => void>();
  #evictions = 0;

  constructor(opts: SeriesRegistryOptions) {
    if (!(opts.maxSeries >= 1)) throw new RangeError(`maxSeries must be ≥ 1; got ${opts.maxSeries}`);
    this.#o = { ...opts };
  }

  get maxSeries(): number {
    return this.#o.maxSeries;
  }

  get idleEvictMs(): number {
    return this.#o.idleEvictMs;
  }

  get size(): number {
    return this.#lastSeen.size;
  }

  /** Series evicted so far for capacity or idleness (explicit removals are not counted). */
  get evictions(): number {
    return this.#evictions;
  }

  has(series: string): boolean {
    return this.#lastSeen.has(series);
  }

  lastSeenMs(series: string): number | undefined {
    return this.#lastSeen.get(series);
  }

  /** Series ids, least recently seen first. */
  ids(): IterableIterator<string> {
    return this.#lastSeen.keys();
  }

  /**
   * Follow evictions: `forget(series, reason)` is called for every series that leaves, after the
   * registry has dropped it. Returns an unsubscribe function.
   */
  follow(follower: SeriesFollower | SeriesListener): () => void {
    const l: SeriesListener = typeof follower === 'function' ? follower : (s, r) => follower.forget(s, r);
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** Follow admissions: `l(series)` is called for every series that joins, after it has. Returns an unsubscribe function. */
  followAdmissions(l: (series: string) => void): () => void {
    this.#admitted.add(l);
    return () => this.#admitted.delete(l);
  }

  /**
   * The series was seen at `nowMs`: admit it (evicting the least recently seen series when at the
   * cap) or move it to the most recent position. Returns the id evicted to make room, if any.
   */
  touch(series: string, nowMs: number): string | undefined {
    let evicted: string | undefined;
    const known = this.#lastSeen.delete(series);
    if (!known && this.#lastSeen.size >= this.#o.maxSeries) {
      evicted = this.#lastSeen.keys().next().value as string;
      this.#lastSeen.delete(evicted);
      this.#evictions++;
    }
    this.#lastSeen.set(series, nowMs);
    if (evicted !== undefined) this.#announce(evicted, 'capacity');
    if (!known) for (const l of this.#admitted) l(series);
    return evicted;
  }

  /** Evict every series not seen for longer than `idleEvictMs`; returns their ids. */
  evictIdle(nowMs: number): string[] {
    const out: string[] = [];
    for (const [id, seen] of this.#lastSeen) {
      if (nowMs - seen <= this.#o.idleEvictMs) break; // recency order: the rest are newer
      out.push(id);
    }
    for (const id of out) this.#lastSeen.delete(id);
    this.#evictions += out.length;
    for (const id of out) this.#announce(id, 'idle');
    return out;
  }

  /** Drop a series on request (announced with `reason`: 'removed' unless said). */
  remove(series: string, reason: 'removed' | 'reset' = 'removed'): boolean {
    if (!this.#lastSeen.delete(series)) return false;
    this.#announce(series, reason);
    return true;
  }

  #announce(series: string, reason: EvictionReason): void {
    for (const l of this.#listeners) l(series, reason);
  }
}
