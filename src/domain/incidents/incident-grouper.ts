/**
 * Grouped incidents: firing alerts of different series that share a grouping key (a tick label
 * such as `host`, or a series-id prefix) and follow each other within `spanMs` of event time
 * become one incident. Pure bookkeeping, driven by the pipeline in stream order:
 *
 *   follow(alert)   → the alert joins its key's open incident if one of its alerts still fires or its
 *                      last alert or resolve is at most spanMs before it, else a new one starts (the
 *                      old one closes); a resolve of a member lets the incident close. Once an
 *                      incident has `minSeries` distinct series it is published ("open"), and again
 *                      on every change (a new member series, a higher severity).
 *   tick(series, …) → a tick moves its group's own clock (event time) forward: each group closes
 *                      on its own feed's time, so a feed lagging the others (a slow site, a replayed
 *                      partition, devices on a skewed clock) groups its alerts as it would alone.
 *   advance(wallMs) → incidents with no alert firing whose group's clock is more than spanMs past
 *                      their last alert or resolve close, and so do those whose group has had no tick for `idleMs` of wall time
 *                      (its feed stopped); published ones are published once more, state "closed".
 *
 * Records are keyed by incident id (stable: key + first alert ts), so a compacted topic keeps the
 * latest version of each. Bounded: `maxOpen` groups tracked at once (the one alerting least recently closes first), at most
 * `maxMembers` member alerts and series listed per incident (`count` keeps counting), `keepClosed` kept for listing.
 *
 * Replays: an alert counted before (Kafka redelivers the uncommitted tail after a restart or a
 * rebalance; alert ids are deterministic) is not counted again, also past the member list, nor
 * does it reopen its group once its incident closed: the grouper keeps each series' latest alert
 * ts and the ids at that ts (a series' alerts come in tick order, so an older or equal-and-known
 * one is a replay; a series that steps back onto its true clock after a fast tick lowers its mark,
 * keeping the fast alert's ids), for the `maxSeen` series that alerted most recently (incident-seen.ts).
 *
 * Open and recently closed incidents and those marks survive a restart in the series-state snapshot
 * (`exportState`/`importState`, incident-state.ts). A restored member still firing whose series
 * does not tick here within `idleMs` (it is on another instance now) is released, as by `forget`.
 */
import { FiringIndex, firingKey, seriesOf } from './incident-firing.ts';
import { addAlert, groupKeyOf, listRecords, startRecord } from './incident-record.ts';
import { SeenAlerts } from './incident-seen.ts';
import { UnconfirmedSeries } from './incident-unconfirmed.ts';
import { copyRecord as copy, fromState, strandedOf, toState, type IncidentState } from './incident-state.ts';
import type { IncidentAlert, IncidentRecord, IncidentSettings, Open } from './incident-types.ts';

export type { GroupBy, IncidentAlert, IncidentMember, IncidentRecord, IncidentSettings } from './incident-types.ts';

export class IncidentGrouper {
  readonly settings: Readonly<IncidentSettings>;
  readonly #open = new Map<string, Open>();
  readonly #closed: IncidentRecord[] = [];
  readonly #groupBy: string;
  readonly #seen: SeenAlerts;
  /** Series → open incidents it has firing members in: `forget` and a label-less resolve visit those only. */
  readonly #firingOf = new FiringIndex();
  readonly #idleMs: number;
  /** Published open incidents of a snapshot taken under another grouping: closed at the first advance. */
  #stranded: IncidentRecord[] = [];
  /** Wall time of the last advance (a longer silence of the whole instance is not counted as idle). */
  #lastAdvance: number | undefined;
  /** Series of restored firing members not ticked here since the restore; released once idle (see `importState`). */
  readonly #unconfirmed: UnconfirmedSeries;

  constructor(settings: IncidentSettings) {
    if (!(settings.spanMs > 0) || settings.minSeries < 1) throw new RangeError('spanMs must be > 0 and minSeries ≥ 1');
    this.settings = Object.freeze({ ...settings });
    this.#groupBy = settings.groupBy.by === 'label' ? `label:${settings.groupBy.label}` : 'prefix';
    this.#seen = new SeenAlerts(settings.maxSeen ?? 10_000);
    this.#idleMs = Math.max(settings.spanMs, settings.idleMs ?? 30 * 60_000);
    this.#unconfirmed = new UnconfirmedSeries(this.#idleMs);
  }

  /** The grouping key of a series, or null when it has none (not grouped). */
  keyOf(series: string, labels?: Readonly<Record<string, string>>): string | null {
    return groupKeyOf(this.settings.groupBy, series, labels);
  }

  follow(alert: IncidentAlert, labels?: Readonly<Record<string, string>>): IncidentRecord[] {
    if (alert.state === 'resolved') return void this.#resolved(alert, labels), [];
    if (alert.id === undefined) return [];
    const key = this.keyOf(alert.series, labels);
    if (key === null) return [];
    let o = this.#open.get(key);
    const at = alert.heldUntilTs ?? alert.ts; // when it went out: a late-sent alert joins what fires then
    if (o?.rec.alerts.some((m) => m.id === alert.id) || this.#seen.before({ id: alert.id, series: alert.series, ts: at })) return []; // a replayed alert
    const out: IncidentRecord[] = [];
    if (o !== undefined && this.#quiet(o, at)) {
      this.#close(key, o, out);
      o = undefined;
    }
    if (o === undefined) {
      o = { rec: startRecord(key, this.#groupBy, alert), published: false, clock: at, firing: [] };
      this.#open.set(key, o);
      if (this.#open.size > this.settings.maxOpen) {
        const oldest = this.#open.keys().next().value as string;
        this.#close(oldest, this.#open.get(oldest)!, out);
      }
    } else {
      // Most recently alerting last: beyond maxOpen the group quiet the longest closes, not an incident still alerting.
      this.#open.delete(key);
      this.#open.set(key, o);
    }
    if (at > o.clock) o.clock = at;
    if (!o.firing.includes(firingKey(alert))) {
      o.firing.push(firingKey(alert));
      this.#firingOf.add(alert.series, key);
    }
    const changed = addAlert(o.rec, alert, this.settings);
    if (changed && o.rec.series.length >= this.settings.minSeries) {
      o.published = true;
      out.push(copy(o.rec));
    }
    return out;
  }

  /**
   * A tick (its event time, `eventMs`; the pipeline caps one stamped ahead of its send time) of a
   * series: moves its group's clock when the group has an open incident, and marks the group live.
   * `stepBackTs` (the tick's ts): the series stepped back onto its true clock at this tick (after
   * one stamped ahead): its alerts from then on are not taken for replays (incident-seen.ts).
   */
  tick(series: string, labels: Readonly<Record<string, string>> | undefined, eventMs: number, stepBackTs?: number): void {
    if (stepBackTs !== undefined) this.#seen.stepBack(series, stepBackTs);
    this.#unconfirmed.ticked(series);
    if (this.#open.size === 0) return;
    const key = this.keyOf(series, labels);
    const o = key === null ? undefined : this.#open.get(key);
    if (o === undefined) return;
    if (eventMs > o.clock) o.clock = eventMs;
    o.wall = undefined; // live: the next advance stamps its wall time
  }

  /**
   * The series left this instance (evicted, or its partition went to another instance: no resolve
   * will come here): its alerts no longer hold an incident open; quiet counts from its key's clock now.
   */
  forget(series: string): void {
    for (const key of [...this.#firingOf.keysOf(series)]) {
      const o = this.#open.get(key)!;
      o.firing = o.firing.filter((f) => seriesOf(f) !== series);
      o.calmFrom = Math.max(o.calmFrom ?? -Infinity, o.clock);
      this.#firingOf.remove(series, key);
    }
  }

  /** Entries of the grouper's maps (diagnostics: app.stateSizes). */
  sizes(): Record<'open' | 'closed' | 'seen' | 'firingSeries' | 'unconfirmed', number> {
    return { open: this.#open.size, closed: this.#closed.length, seen: this.#seen.size, firingSeries: this.#firingOf.size, unconfirmed: this.#unconfirmed.size };
  }

  /**
   * Close the incidents quiet for more than spanMs on their group's own clock, and those of groups
   * without a tick for `idleMs` of wall time. A silence of the whole instance longer than that (no
   * ticks at all: consumer paused, broker down) is not counted: no group is idle while nothing is.
   */
  advance(wallMs: number): IncidentRecord[] {
    const out: IncidentRecord[] = [];
    const last = this.#lastAdvance;
    const silence = last === undefined ? 0 : wallMs - last;
    this.#lastAdvance = wallMs;
    for (const rec of this.#stranded.splice(0)) this.#retire({ rec, published: true, clock: rec.lastTs, firing: [] }, out);
    this.#releaseUnconfirmed(wallMs, silence);
    for (const [key, o] of this.#open) {
      if (o.wall === undefined) o.wall = wallMs; // ticked since the last advance, just opened, or restored from a snapshot
      else if (silence > this.#idleMs && o.wall <= last!) o.wall += silence;
      if (this.#quiet(o, o.clock) || wallMs - o.wall > this.#idleMs) this.#close(key, o, out);
    }
    return out;
  }

  /** The open and recently closed incidents and replay marks, for the series-state snapshot (plain JSON; copies). */
  exportState(): IncidentState {
    return toState(this.#groupBy, this.#open, this.#closed, this.#seen.export());
  }

  /**
   * Install incidents saved by `exportState` (before any alert is followed); returns how many open.
   * A state of another layout or grouping key is ignored (0): its incidents would never match. Those
   * of another grouping that were published are closed (records published) at the first advance.
   */
  importState(state: unknown): number {
    const saved = fromState(state, this.#groupBy);
    this.#stranded = strandedOf(state, this.#groupBy);
    if (saved === null) return 0;
    for (const [key, o] of saved.open) this.#open.set(key, o);
    this.#closed.push(...saved.closed.slice(-this.settings.keepClosed));
    this.#seen.import(saved.seen);
    for (const [key, o] of saved.open) for (const f of o.firing) this.#unconfirmed.add(this.#firingOf.addEntry(f, key));
    return saved.open.size;
  }

  /**
   * Restored firing members whose series has not ticked here within `idleMs` of the restore are
   * released (as `forget`): their series is not on this instance (its partition went elsewhere), so
   * neither their resolve nor their forgetting will come here, and the incident would otherwise stay
   * open for as long as other series of its key tick here. (A series evicted while the snapshot is
   * installed resolves into its incident then: the incidents are installed first.)
   */
  #releaseUnconfirmed(wallMs: number, silence: number): void {
    for (const series of this.#unconfirmed.due(wallMs, silence)) this.forget(series);
  }

  /** Published incidents, newest first: open ones, then recently closed ones. */
  list(opts: { state?: 'open' | 'closed'; group?: string; limit: number }): IncidentRecord[] {
    return listRecords(this.#open.values(), this.#closed, opts);
  }

  /** Quiet at `ts` of its key's clock: none of its alerts still firing, the last alert or resolve more than spanMs before. */
  #quiet(o: Open, ts: number): boolean {
    return o.firing.length === 0 && ts - Math.max(o.rec.lastTs, o.calmFrom ?? -Infinity) > this.settings.spanMs;
  }

  /**
   * A member alert resolved: its incident no longer waits for it (quiet counts from the last
   * resolve). Found by key, else — a resolve sent without the tick's labels (a series evicted while
   * firing) — among the open incidents.
   */
  #resolved(alert: IncidentAlert, labels: Readonly<Record<string, string>> | undefined): void {
    const fk = firingKey(alert);
    let key = this.keyOf(alert.series, labels);
    if (key === null || !this.#open.get(key)?.firing.includes(fk)) key = this.#firingOf.find(alert.series, fk, this.#open);
    const o = key === null ? undefined : this.#open.get(key);
    if (o === undefined) return;
    o.firing.splice(o.firing.indexOf(fk), 1);
    o.calmFrom = Math.max(o.calmFrom ?? -Infinity, alert.ts);
    this.#firingOf.update(alert.series, key!, o.firing);
  }

  #close(key: string, o: Open, out: IncidentRecord[]): void {
    this.#open.delete(key);
    this.#firingOf.removeAll(key, o.firing);
    this.#retire(o, out);
  }

  /** A closed incident: listed and published when it was published (open records went out). */
  #retire(o: Open, out: IncidentRecord[]): void {
    if (!o.published) return;
    o.rec.state = 'closed';
    this.#closed.push(o.rec);
    if (this.#closed.length > this.settings.keepClosed) this.#closed.shift();
    out.push(copy(o.rec));
  }
}
