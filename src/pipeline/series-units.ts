/**
 * Series → the unit each feature was first sent in (SenML `u`/`bu`, Tick.units; decided 7 Dec 2026,
 * docs/schemas.md § SenML packs, "Units"). A later reading in another unit would enter the window as
 * if it were the first's (21 °C then 70 °F read as a 49-degree jump: a false anomaly, and a window
 * and statistics mixed from two scales), so its whole record is refused (TC_RECORD_UNIT_MISMATCH, to
 * the dead-letter topic) before any of its ticks is taken. A reading with no unit is "unspecified"
 * and taken either way; it teaches nothing. Follows the series registry (an evicted series takes
 * its first unit afresh) and is kept in the series-state snapshot (SeriesEntry `u`).
 *
 * Cost: JSON ticks carry no units and are passed over; a SenML tick with units reads one map entry
 * and allocates nothing once its series' row exists (one array per series, at its first unit).
 */
import type { SeriesRegistry } from '../domain/series-registry.ts';
import type { Tick } from '../domain/types.ts';
import type { RecordResult } from '../domain/record-codec.ts';
import type { TickcastError } from '../errors/index.ts';
import { UNIT_MAX, unitMismatch, unitTooLong } from '../domain/senml-units.ts';

export class SeriesUnits {
  readonly #first = new Map<string, string[]>();
  readonly #features: readonly string[];
  readonly #registry: SeriesRegistry;

  constructor(registry: SeriesRegistry, features: readonly string[]) {
    this.#registry = registry;
    this.#features = features;
    registry.follow((series) => this.#first.delete(series));
  }

  get size(): number {
    return this.#first.size;
  }

  /**
   * Why one record's `ticks` cannot be taken — the first reading in another unit than its series'
   * first (known, or earlier in the record) — or null, having learnt the first unit of every
   * series and feature the record gives one for. Nothing is learnt from a refused record.
   */
  check(ticks: readonly Tick[]): TickcastError | null {
    for (let j = 0; j < ticks.length; j++) {
      const t = ticks[j];
      if (!t.units) continue;
      const row = this.#first.get(t.series);
      for (let i = 0; i < t.units.length; i++) {
        const u = t.units[i];
        if (u === '') continue;
        if (u.length > UNIT_MAX) return unitTooLong(t.series, this.#features[i] ?? String(i), u, t.tsMs);
        const first = row?.[i] || earlier(ticks, j, t.series, i);
        if (first && first !== u) return unitMismatch(t.series, this.#features[i] ?? String(i), first, u, t.tsMs);
      }
    }
    this.#bound(); // before learning: this record's series are not admitted yet
    for (const t of ticks) if (t.units) this.#learn(t.series, t.units);
    return null;
  }

  /** The series' first units, '' where none yet (a copy, for the snapshot); undefined when it has none. */
  exportSeries(series: string): string[] | undefined {
    const row = this.#first.get(series);
    return row ? [...row] : undefined;
  }

  /** Put a snapshot's first units back (ignored when their count is not the features', or one is longer than UNIT_MAX). */
  importSeries(series: string, saved: unknown): void {
    if (Array.isArray(saved) && saved.length === this.#features.length && saved.every((u) => typeof u === 'string' && u.length <= UNIT_MAX)) this.#first.set(series, [...(saved as string[])]);
  }

  #learn(series: string, units: readonly string[]): void {
    let row = this.#first.get(series);
    for (let i = 0; i < units.length; i++) {
      if (units[i] === '' || (row && row[i] !== '')) continue;
      row ??= this.#newRow(series);
      row[i] = units[i];
    }
  }

  #newRow(series: string): string[] {
    const row = new Array<string>(this.#features.length).fill('');
    this.#first.set(series, row);
    return row;
  }

  /**
   * A record's series are learnt before its ticks are windowed, so one whose ticks were all
   * dropped (late, refused) is never admitted and never evicted: past twice the registry's cap,
   * such rows go (amortised: each sweep leaves at most the registry's size).
   */
  #bound(): void {
    if (this.#first.size <= 2 * this.#registry.maxSeries) return;
    for (const s of this.#first.keys()) if (!this.#registry.has(s)) this.#first.delete(s);
  }
}

/** The unit of feature `i` of `series` in a tick before `j` of one record, or ''. */
function earlier(ticks: readonly Tick[], j: number, series: string, i: number): string {
  for (let k = j - 1; k >= 0; k--) {
    const u = ticks[k].series === series ? ticks[k].units?.[i] : undefined;
    if (u) return u;
  }
  return '';
}

/** A decoded record, or why it is refused: `units` holds its ticks to their series' first units (absent: none checked). */
export function withUnits(res: RecordResult, units: Pick<SeriesUnits, 'check'> | null | undefined): RecordResult {
  if (!res.ok || !units) return res;
  const error = units.check(res.ticks);
  return error ? { ok: false, error } : res;
}
