/**
 * The series of firing members restored from a snapshot (incident-grouper.ts `importState`) that
 * have not ticked here since: once `idleMs` of wall time has passed from the first advance after the
 * restore, those still unconfirmed are due for release (the grouper forgets them). Silences of the
 * whole instance longer than `idleMs` are not counted, as for the grouper's idle close.
 */
export class UnconfirmedSeries {
  readonly #series = new Set<string>();
  readonly #idleMs: number;
  /** Wall time of the first advance after the restore (instance-wide silences not counted). */
  #restoredAt: number | undefined;

  constructor(idleMs: number) {
    this.#idleMs = idleMs;
  }

  get size(): number {
    return this.#series.size;
  }

  add(series: string): void {
    this.#series.add(series);
  }

  /** The series ticked here: it is confirmed. */
  ticked(series: string): void {
    if (this.#series.size > 0) this.#series.delete(series);
  }

  /** The series to release at `wallMs` (`silence`: wall time since the previous advance), removed from the set; none before `idleMs`. */
  due(wallMs: number, silence: number): string[] {
    if (this.#series.size === 0) return [];
    if (this.#restoredAt === undefined) this.#restoredAt = wallMs;
    else if (silence > this.#idleMs) this.#restoredAt += silence;
    if (wallMs - this.#restoredAt <= this.#idleMs) return [];
    const due = [...this.#series];
    this.#series.clear();
    return due;
  }
}
