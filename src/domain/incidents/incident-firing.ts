/**
 * Which open incidents each series has firing members in (incident-grouper.ts): `forget` of an
 * evicted series and a resolve that came without the tick's labels look at those incidents only,
 * not at every open one. Before 6 Dec 2026 both scanned all open incidents (and each one's firing
 * list), so the eviction of a series cost O(open incidents) at up to `incidents.maxOpen`, for
 * every series the registry dropped. Kept in step by the grouper wherever a firing list changes.
 */
export class FiringIndex {
  /** Series → keys of the open incidents with a firing member of it, in order of joining. */
  readonly #bySeries = new Map<string, Set<string>>();

  /** Series with a firing member in some open incident. */
  get size(): number {
    return this.#bySeries.size;
  }

  /** Keys of the open incidents the series has firing members in (empty when none). */
  keysOf(series: string): ReadonlySet<string> {
    return this.#bySeries.get(series) ?? EMPTY;
  }

  add(series: string, key: string): void {
    let keys = this.#bySeries.get(series);
    if (keys === undefined) this.#bySeries.set(series, (keys = new Set()));
    keys.add(key);
  }

  /** Index a firing entry (`series` or `series\u0000feature`) of the incident at `key`; returns its series. */
  addEntry(firingKey: string, key: string): string {
    const series = seriesOf(firingKey);
    this.add(series, key);
    return series;
  }

  remove(series: string, key: string): void {
    const keys = this.#bySeries.get(series);
    if (keys === undefined) return;
    keys.delete(key);
    if (keys.size === 0) this.#bySeries.delete(series);
  }

  /** The firing list of the incident at `key` changed or it closed: index what is left of `series` in it. */
  update(series: string, key: string, firing: readonly string[]): void {
    if (firing.some((f) => seriesOf(f) === series)) this.add(series, key);
    else this.remove(series, key);
  }

  /** The key of the open incident (the least recently alerting, when several) where `fk` of `series` fires; null when none. */
  find(series: string, fk: string, open: ReadonlyMap<string, { firing: readonly string[] }>): string | null {
    const keys = [...this.keysOf(series)].filter((k) => open.get(k)?.firing.includes(fk));
    if (keys.length <= 1) return keys[0] ?? null;
    for (const k of open.keys()) if (keys.includes(k)) return k;
    return null;
  }

  /** Drop every entry of the incident at `key` (it closed), given its firing list. */
  removeAll(key: string, firing: readonly string[]): void {
    for (const f of firing) this.remove(seriesOf(f), key);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** The series of a firing entry (`series` or `series\u0000feature`). */
export function seriesOf(firingKey: string): string {
  const i = firingKey.indexOf('\u0000');
  return i < 0 ? firingKey : firingKey.slice(0, i);
}

/** An alert's series and feature: what its resolve names. */
export function firingKey(a: { series: string; feature?: string }): string {
  return a.feature === undefined ? a.series : `${a.series}\u0000${a.feature}`;
}
