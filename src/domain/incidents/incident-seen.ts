/**
 * Which alerts the grouper has counted already, bounded (incident-grouper.ts, "Replays"). Per
 * series: its latest grouped alert's ts and the ids of its alerts at that ts (several features can
 * fire on one tick). A series' alerts follow its ticks, which come in time order (older ones are
 * dropped as late), so an alert of a known series is new only when it is later than the mark, or
 * at the mark's ts with another id. The marks of the `cap` series that alerted most recently are
 * kept (a redelivered tail holds the most recent alerts); an alert of a series forgotten since is
 * checked against its incident's member list only.
 *
 * A series that steps back onto its true clock after a tick stamped ahead (a device clock running
 * fast; docs/schemas.md, `input.clockSkewMs`) alerts earlier than its fast alert: `stepBack`
 * lowers its mark to the tick it stepped back to, so those alerts count, and keeps the ids of the
 * mark it replaced (`prior`) while they are later than the mark, so a redelivered fast alert is
 * still known. (Before 6 Dec 2026 every alert of a stepped-back series until its clock caught up
 * with the fast one was taken for a replay and never grouped.)
 */
export interface SeenMark {
  ts: number;
  ids: string[];
  /** Before a step back: the replaced mark, while later than this one. */
  prior?: { ts: number; ids: string[] };
}

/** Ids kept above a stepped-back mark (fast alerts of a series since its last step back). */
const MAX_PRIOR = 32;

export class SeenAlerts {
  readonly #cap: number;
  /** Series → mark, least recently alerting first. */
  readonly #marks = new Map<string, SeenMark>();

  constructor(cap: number) {
    this.#cap = Math.max(1, cap);
  }

  /** Series with a mark. */
  get size(): number {
    return this.#marks.size;
  }

  /** True when the alert was counted before (a replay); else it is noted as counted. */
  before(a: { id: string; series: string; ts: number }): boolean {
    const mark = this.#marks.get(a.series);
    if (mark !== undefined && (a.ts < mark.ts || (a.ts === mark.ts && mark.ids.includes(a.id)) || mark.prior?.ids.includes(a.id))) return true;
    const next: SeenMark = mark !== undefined && a.ts === mark.ts ? { ts: a.ts, ids: [...mark.ids, a.id] } : { ts: a.ts, ids: [a.id] };
    if (mark?.prior !== undefined && mark.prior.ts >= a.ts) next.prior = mark.prior; // until the mark passes it, the ts rule does not cover it
    this.#set(a.series, next);
    return false;
  }

  /**
   * The series stepped back onto its true clock: a tick at `tsMs`, older than the fast tick before
   * it, was taken (WindowStore.push). Its alerts from `tsMs` on are new unless their id is known.
   */
  stepBack(series: string, tsMs: number): void {
    const mark = this.#marks.get(series);
    if (mark === undefined || tsMs >= mark.ts) return;
    // The ids above the new mark: the mark's and those of an earlier step back not passed yet (bounded).
    const prior = { ts: Math.max(mark.ts, mark.prior?.ts ?? -Infinity), ids: [...(mark.prior?.ids ?? []), ...mark.ids].slice(-MAX_PRIOR) };
    this.#marks.set(series, { ts: tsMs, ids: [], prior });
  }

  #set(series: string, mark: SeenMark): void {
    this.#marks.delete(series); // set again: most recently alerting last
    this.#marks.set(series, mark);
    if (this.#marks.size > this.#cap) this.#marks.delete(this.#marks.keys().next().value!);
  }

  /**
   * The marks as `[series, ts, ...ids]`, least recently alerting first (snapshot state); a mark
   * with a prior (a step back) ends with `{prior: [ts, ...ids]}` (older readers: an id matching nothing).
   */
  export(): Array<[string, number, ...Array<string | { prior: [number, ...string[]] }>]> {
    return [...this.#marks].map(([series, m]) => [series, m.ts, ...m.ids, ...(m.prior ? [{ prior: [m.prior.ts, ...m.prior.ids] as [number, ...string[]] }] : [])]);
  }

  /** Install exported marks (malformed ones are skipped). */
  import(marks: unknown): void {
    if (!Array.isArray(marks)) return;
    for (const m of marks) {
      if (!Array.isArray(m) || typeof m[0] !== 'string' || typeof m[1] !== 'number') continue;
      const mark: SeenMark = { ts: m[1], ids: m.slice(2).filter((x) => typeof x === 'string') };
      const p: unknown = (m.at(-1) as { prior?: unknown } | null)?.prior;
      if (Array.isArray(p) && typeof p[0] === 'number') mark.prior = { ts: p[0], ids: p.slice(1).map(String) };
      this.#set(m[0], mark);
    }
  }
}
