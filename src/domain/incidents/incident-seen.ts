/**
 * Which alerts the grouper has counted already, bounded (incident-grouper.ts, "Replays"). Per
 * series: its latest grouped alert's ts and the ids of its alerts at that ts (several features can
 * fire on one tick). A series' alerts follow its ticks, which come in time order (older ones are
 * dropped as late), so an alert of a known series is new only when it is later than the mark, or
 * at the mark's ts with another id. The marks of the `cap` series that alerted most recently are
 * kept (a redelivered tail holds the most recent alerts); an alert of a series forgotten since is
 * checked against its incident's member list only.
 */
export interface SeenMark {
  ts: number;
  ids: string[];
}

export class SeenAlerts {
  readonly #cap: number;
  /** Series → mark, least recently alerting first. */
  readonly #marks = new Map<string, SeenMark>();

  constructor(cap: number) {
    this.#cap = Math.max(1, cap);
  }

  /** True when the alert was counted before (a replay); else it is noted as counted. */
  before(a: { id: string; series: string; ts: number }): boolean {
    const mark = this.#marks.get(a.series);
    if (mark !== undefined && (a.ts < mark.ts || (a.ts === mark.ts && mark.ids.includes(a.id)))) return true;
    this.#marks.delete(a.series); // set again below: most recently alerting last
    this.#marks.set(a.series, mark !== undefined && a.ts === mark.ts ? { ts: a.ts, ids: [...mark.ids, a.id] } : { ts: a.ts, ids: [a.id] });
    if (this.#marks.size > this.#cap) this.#marks.delete(this.#marks.keys().next().value!);
    return false;
  }

  /** The marks as `[series, ts, ...ids]`, least recently alerting first (snapshot state). */
  export(): Array<[string, number, ...string[]]> {
    return [...this.#marks].map(([series, m]): [string, number, ...string[]] => [series, m.ts, ...m.ids]);
  }

  /** Install exported marks (malformed ones are skipped). */
  import(marks: unknown): void {
    if (!Array.isArray(marks)) return;
    for (const m of marks) {
      if (!Array.isArray(m) || typeof m[0] !== 'string' || typeof m[1] !== 'number') continue;
      this.#marks.delete(m[0]);
      this.#marks.set(m[0], { ts: m[1], ids: m.slice(2).map(String) });
      if (this.#marks.size > this.#cap) this.#marks.delete(this.#marks.keys().next().value!);
    }
  }
}
