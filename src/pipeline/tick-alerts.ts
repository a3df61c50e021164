/**
 * Phase 3's anomaly part: score each scored feature of a tick against the forecast made before it,
 * keep the series' alert state and last score in the outlook, and turn alert events into alert
 * records (anomalies stream, recent anomalies, observer, live events) followed by what the
 * followers publish for them (incidents), in that order.
 */
import { band } from '../domain/forecast.ts';
import { buildAlertRecord, encodeAlertRecord, notBeforeFiring, type AnomalyEvent } from '../domain/anomaly/index.ts';
import { alertId } from '../domain/alerts/alert-id.ts';
import type { ForecastStep, ModelSpec, RawRecord, SourceRef, Tick } from '../domain/types.ts';
import type { PipelineFollower } from './followers.ts';
import { pushFollowerRecords } from './out-messages.ts';
import type { AnomalyRecord, AnomalyScorer, OutMessage, OutputSink, PipelineObserver } from './ports.ts';
import type { RecentAnomalies } from './recent-anomalies.ts';
import type { OutlookEntry, SeriesOutlook } from './series-outlook.ts';
import type { EvictionReason } from '../domain/series-registry.ts';
import { alertStateMessage, type InheritedAlert, type InheritedAlerts } from './alert-state.ts';

export interface TickAlertsDeps {
  /** Null: anomaly detection is off; open alerts restored from a snapshot are still resolved (reason reset). */
  scorer: AnomalyScorer | null;
  outlook: SeriesOutlook;
  recentAnomalies: RecentAnomalies;
  /** The model's spec (its quantiles make the band). */
  spec: () => ModelSpec;
  /** Features scored: the model's targets or every input feature. */
  anomalyFeatures?: 'targets' | 'all';
  followers: PipelineFollower[];
  observer?: PipelineObserver;
  trace: (rec: RawRecord) => Record<string, string>;
  /**
   * topics.alertState set: each published alert record also writes its state (alert-state.ts), and
   * alerts inherited from the partition's previous owner are resolved here. Absent: neither.
   */
  alertState?: InheritedAlerts | null;
}

export class TickAlerts {
  readonly #d: TickAlertsDeps;
  /** Scored features: [index into tick values, feature name, index into the targets or −1]. */
  readonly #scored: Array<[number, string, number]>;
  /** The names of the scored features. */
  readonly #names: ReadonlySet<string>;
  /** Resolved records of series evicted while firing, not yet handed to a chunk's outputs (`drain`). */
  #departed: OutMessage[] = [];
  /** The last `flush`, settled either way: flushes run one after another. */
  #flushing: Promise<void> = Promise.resolve();

  constructor(deps: TickAlertsDeps) {
    this.#d = deps;
    const spec = deps.spec();
    const names = deps.scorer === null ? [] : deps.anomalyFeatures === 'all' ? spec.features : spec.targets;
    this.#scored = names.map((f) => [spec.features.indexOf(f), f, spec.targets.indexOf(f)]);
    this.#names = new Set(names);
  }

  /**
   * Score every scored feature of the tick; the series-level score is the highest of those with a
   * value on it (a missing one, NaN, keeps its detector state and its stale score out: a tick with
   * none leaves the series' score as it was).
   * `expected`: per target, the step made before this tick. `quiet` (full warm-up): state only.
   * `stepBack`: the series stepped back onto its true clock at this tick (the detector's cooldowns).
   * `merged`: the readings of a record merged into the series' last tick, scored after that tick
   * (NaN for the features it did not bring): the series' score is the higher of the tick's and theirs.
   */
  score(tick: Tick, rec: RawRecord, quiet: boolean, expected: Array<ForecastStep | null> | null, out: OutMessage[], stepBack = false, merged = false): void {
    const d = this.#d;
    const spec = d.spec();
    const series = tick.series;
    const entry = d.scorer === null ? d.outlook.peek(series) : d.outlook.entry(series);
    if (entry?.open) this.#orphans(series, entry);
    const inherited = quiet ? undefined : d.alertState?.take(series);
    const own = inherited && new Set(Object.keys(entry?.open ?? {}));
    if (d.scorer === null || entry === undefined) {
      if (inherited) this.#inherited(tick, rec, inherited, own!, entry, out);
      return; // anomaly detection off: nothing scored
    }
    if (stepBack) d.scorer.stepBack?.(series, tick.tsMs);
    let top = -1;
    for (const [fi, feature, ti] of this.#scored) {
      const step = ti >= 0 ? (expected?.[ti] ?? null) : null;
      const { score, event, gap, missed } = d.scorer.observe(series, tick.tsMs, tick.values[fi], step ? band(step, spec) : null, feature, quiet);
      if (score > top && Number.isFinite(tick.values[fi])) top = score;
      if (gap !== undefined && !quiet) d.observer?.gap?.(series, feature, gap);
      if (missed !== undefined && !quiet) d.observer?.missedReadings?.(series, feature, missed);
      const open = entry.open?.[feature];
      if (open && Number.isFinite(tick.values[fi])) Object.assign(open, { ts: tick.tsMs, value: tick.values[fi] });
      // No resolve without a published firing: a held-back alert (feedback gate) restored firing
      // from a snapshot resolves after a restart, when the gate no longer knows it held it back.
      if (!event || (event.state === 'resolved' && !entry.firingFeatures.has(feature) && !legacyFiring(entry))) continue;
      if (event.state === 'firing') entry.firingFeatures.add(feature);
      else entry.firingFeatures.delete(feature);
      entry.firing = entry.firingFeatures.size > 0;
      const published = this.#alert(tick, rec, event, entry, quiet ? null : out);
      if (event.state === 'firing') d.outlook.setOpen(series, feature, { record: published, ts: tick.tsMs, value: tick.values[fi] });
      else d.outlook.closeOpen(series, feature);
    }
    if (inherited) this.#inherited(tick, rec, inherited, own!, entry, out); // taken off above: decided on every tick, valued or not
    if (top < 0) return;
    if (merged && entry.lastScore !== null && entry.lastScore > top) return;
    entry.lastScore = top;
    if (!quiet) d.observer?.score?.(series, top);
  }

  /**
   * The series' first live tick since its partition moved here, scored: the alerts the previous
   * owner left open (alert-state.ts). One this instance has open too — before this tick (its
   * snapshot, its replay) or since (this tick fired it) — is its own and resolves as usual; any
   * other gets its `resolved` record now, `reason: "moved"`, `ts`/`value` this tick's. Unless this
   * tick comes before the alert's firing tick in the partition (records the previous owner handled
   * and whose offsets it did not commit come again): then the alert waits for a later tick.
   */
  #inherited(tick: Tick, cause: RawRecord, inherited: InheritedAlert[], own: ReadonlySet<string>, entry: OutlookEntry | undefined, out: OutMessage[]): void {
    const features = this.#d.spec().features;
    const later: InheritedAlert[] = [];
    for (const alert of inherited) {
      const { record, partition } = alert;
      const feature = record.feature ?? '';
      if (own.has(feature) || entry?.open?.[feature]) continue;
      if (before(cause.source, record.source)) {
        later.push(alert);
        continue;
      }
      const fi = features.indexOf(feature);
      const value = fi >= 0 && Number.isFinite(tick.values[fi]) ? tick.values[fi] : record.value;
      this.#publish(resolvedFrom(record, tick.tsMs, value, { reason: 'moved' }), undefined, null, out, partition);
    }
    if (later.length > 0) this.#d.alertState?.putBack(tick.series, later);
  }

  /**
   * Build the event's record and, unless `out` is null (a quiet warm-up tick), publish it. A
   * `stale` resolve (the feature stopped arriving) has no band of its own: it keeps the last
   * firing record's band, score and model, as the evicted and reset resolves do.
   */
  #alert(tick: Tick, cause: RawRecord, event: AnomalyEvent, entry: OutlookEntry, out: OutMessage[] | null): AnomalyRecord {
    const open = event.feature === undefined ? undefined : entry.open?.[event.feature];
    const own = buildAlertRecord(event, entry.forecast?.model ?? 'none', cause.source);
    if (event.reason === 'stale' && open) {
      const { expected, lower, upper, score, model } = open.record;
      Object.assign(own, { expected, lower, upper, score, model });
    }
    const built = notBeforeFiring(own, open?.record.ts);
    const rec: AnomalyRecord = Object.assign(built, { kind: 'alert' as const, id: alertId(built.series, built.ts, built.state, built.severity, built.feature) });
    if (rec.state === 'resolved' && open) rec.firingId = firingIdOf(open.record);
    if (out) this.#publish(rec, tick.labels, cause, out);
    else if (cause.warmupFull === true) for (const f of this.#d.followers) f.replayed?.(rec, tick.labels);
    return rec;
  }

  /** `partition`: the series' input partition (its alert state goes there); the cause's when absent. */
  #publish(rec: AnomalyRecord, labels: Tick['labels'], cause: RawRecord | null, out: OutMessage[], partition = cause?.source?.partition): void {
    const d = this.#d;
    const trace = cause ? d.trace : () => ({});
    d.recentAnomalies.add(rec);
    d.observer?.anomaly?.(rec);
    d.observer?.live?.({ type: 'anomaly', record: rec });
    const encoded = encodeAlertRecord(rec);
    out.push({ stream: 'anomalies', key: encoded.key, value: encoded.value, headers: cause ? { ...d.trace(cause) } : {} });
    const state = d.alertState?.writable(partition) ? alertStateMessage(rec, encoded.value, partition) : null;
    if (state) out.push(state);
    for (const f of d.followers) pushFollowerRecords(f.alert?.(rec, labels), cause ?? ({} as RawRecord), trace, out);
  }

  /**
   * The series is leaving this instance's memory (before its state is forgotten). Evicted for
   * good — idle or at the cap — while alerts of it fire: a `resolved` record per firing feature
   * with `reason: "evicted"` (the state that would have resolved them is gone; docs/schemas.md),
   * held until `drain`. Reset by an operator (POST /v1/series/{id}/reset): the same with
   * `reason: "reset"` (before 7 Dec 2026 there was no reset). Removed (its partition went to another
   * instance): nothing — the new owner resolves it only if its snapshot or replay has it firing
   * (docs/schemas.md "Partitions that move").
   */
  departed(series: string, reason: EvictionReason): void {
    const entry = this.#d.outlook.peek(series);
    if (reason === 'removed' || !entry?.open) return;
    const why = reason === 'reset' ? { reason: 'reset' as const } : { reason: 'evicted' as const, eviction: reason === 'idle' ? ('idle' as const) : ('cap' as const) };
    for (const feature of Object.keys(entry.open).sort()) this.#resolveOpen(entry, feature, why);
    this.#d.outlook.closeAllOpen(series);
  }

  /**
   * Open alerts no detector state stands behind any more: a restart from a snapshot whose
   * detector state was not installed (the detector's configuration changed) restores the outlook
   * with its open alerts but a fresh detector, which would never resolve them
   * (series-state.ts clears their firing state). So are the open alerts of a feature no longer
   * scored (anomaly.features changed from all to targets across the restart): nothing observes it
   * again. Resolved with `reason: "reset"`.
   */
  #orphans(series: string, entry: OutlookEntry): void {
    for (const feature of Object.keys(entry.open!).sort()) {
      const scored = this.#names.has(feature);
      if (scored && (entry.firingFeatures.has(feature) || legacyFiring(entry))) continue;
      this.#resolveOpen(entry, feature, { reason: 'reset' });
      this.#d.outlook.closeOpen(series, feature);
      if (scored || !entry.firingFeatures.delete(feature)) continue;
      entry.firing = entry.firingFeatures.size > 0;
    }
  }

  /** Queue the `resolved` record of the open alert of `feature` that its state no longer will (`drain`). */
  #resolveOpen(entry: OutlookEntry, feature: string, why: Pick<AnomalyRecord, 'reason' | 'eviction'>): void {
    const { record, ts, value } = entry.open![feature];
    this.#publish(resolvedFrom(record, ts, value, why), undefined, null, this.#departed, record.source?.partition);
  }

  /**
   * Inherited alerts read before `before` whose series has not ticked here since (an idle
   * series, gone quiet before or at the move): resolved with `reason: "moved"` at the firing's own
   * tick (no later tick is known), held until `drain`/`flush` like the evicted resolves. Without
   * this they stayed open downstream until the partition moved again. Returns how many.
   */
  expireInherited(before: number): number {
    const expired = this.#d.alertState?.expire(before) ?? [];
    for (const { record, partition } of expired) this.#publish(resolvedFrom(record, record.ts, record.value, { reason: 'moved' }), undefined, null, this.#departed, partition);
    return expired.length;
  }

  /** Move the records of `departed` series to `out` (the chunk being handled). */
  drain(out: OutMessage[]): void {
    if (this.#departed.length === 0) return;
    out.push(...this.#departed);
    this.#departed = [];
  }

  /**
   * Send the records of `departed` series now, when no chunk may come to carry them (the idle
   * loop evicted the series of a feed gone quiet; the service stops). Kept on failure, for the
   * next chunk or flush. Returns how many were sent. `inheritedBefore`: first `expireInherited`.
   * A flush in flight ends first (the revocation's, src/app.ts onRevoking, must not return while
   * the idle loop's send of what it took off the queue is still going; what a failure kept goes now).
   */
  flush(sink: OutputSink, inheritedBefore?: number): Promise<number> {
    const run = this.#flushing.then(() => this.#flushNow(sink, inheritedBefore));
    this.#flushing = run.then(() => undefined, () => undefined);
    return run;
  }

  async #flushNow(sink: OutputSink, inheritedBefore: number | undefined): Promise<number> {
    if (inheritedBefore !== undefined) this.expireInherited(inheritedBefore);
    const out = this.#departed;
    if (out.length === 0) return 0;
    this.#departed = [];
    try {
      await sink.send(out);
    } catch (err) {
      this.#departed = [...out, ...this.#departed];
      throw err;
    }
    return out.length;
  }
}

/** The `resolved` record of an open alert whose state is gone (`why`), at the feature's tick `ts` with `value`. */
function resolvedFrom(record: AnomalyRecord, ts: number, value: number, why: Pick<AnomalyRecord, 'reason' | 'eviction'>): AnomalyRecord {
  const { view: _v, source: _s, id: _i, heldUntilTs: _h, ...rest } = record;
  const rec = notBeforeFiring<AnomalyRecord>({ ...rest, ts, value, state: 'resolved', ...why }, record.ts);
  rec.id = alertId(rec.series, rec.ts, rec.state, rec.severity, rec.feature);
  rec.firingId = firingIdOf(record);
  return rec;
}

/** The id of firing record `record` (one kept without its id: the id it was published with, made again). */
function firingIdOf(record: AnomalyRecord): string {
  return record.id ?? alertId(record.series, record.ts, 'firing', record.severity, record.feature);
}

/** Whether input record `a` comes before `b` in the same partition (either unknown: no). */
function before(a: SourceRef | undefined, b: SourceRef | undefined): boolean {
  if (!a || !b || a.topic !== b.topic || a.partition !== b.partition) return false;
  try {
    return BigInt(a.offset) < BigInt(b.offset);
  } catch {
    return false;
  }
}

/** An entry from a snapshot written before per-feature alerts: firing, with no features named. */
function legacyFiring(entry: OutlookEntry): boolean {
  return entry.firing && entry.firingFeatures.size === 0;
}

