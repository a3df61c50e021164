/**
 * Phase 3's anomaly part: score each scored feature of a tick against the forecast made before it,
 * keep the series' alert state and last score in the outlook, and turn alert events into alert
 * records (anomalies stream, recent anomalies, observer, live events) followed by what the
 * followers publish for them (incidents), in that order.
 */
import { band } from '../domain/forecast.ts';
import { buildAlertRecord, encodeAlertRecord, type AnomalyEvent } from '../domain/anomaly/index.ts';
import { alertId } from '../domain/alerts/alert-id.ts';
import type { ForecastStep, ModelSpec, RawRecord, Tick } from '../domain/types.ts';
import type { PipelineFollower } from './followers.ts';
import { pushFollowerRecords } from './out-messages.ts';
import type { AnomalyRecord, AnomalyScorer, OutMessage, PipelineObserver } from './ports.ts';
import type { RecentAnomalies } from './recent-anomalies.ts';
import type { OutlookEntry, SeriesOutlook } from './series-outlook.ts';

export interface TickAlertsDeps {
  scorer: AnomalyScorer;
  outlook: SeriesOutlook;
  recentAnomalies: RecentAnomalies;
  /** The model's spec (its quantiles make the band). */
  spec: () => ModelSpec;
  /** Features scored: the model's targets or every input feature. */
  anomalyFeatures?: 'targets' | 'all';
  followers: PipelineFollower[];
  observer?: PipelineObserver;
  trace: (rec: RawRecord) => Record<string, string>;
}

export class TickAlerts {
  readonly #d: TickAlertsDeps;
  /** Scored features: [index into tick values, feature name, index into the targets or −1]. */
  readonly #scored: Array<[number, string, number]>;

  constructor(deps: TickAlertsDeps) {
    this.#d = deps;
    const spec = deps.spec();
    const names = deps.anomalyFeatures === 'all' ? spec.features : spec.targets;
    this.#scored = names.map((f) => [spec.features.indexOf(f), f, spec.targets.indexOf(f)]);
  }

  /**
   * Score every scored feature of the tick; the series-level score is the highest of them.
   * `expected`: per target, the step made before this tick. `quiet` (full warm-up): state only.
   */
  score(tick: Tick, rec: RawRecord, quiet: boolean, expected: Array<ForecastStep | null> | null, out: OutMessage[]): void {
    const d = this.#d;
    const spec = d.spec();
    const series = tick.series;
    const entry = d.outlook.entry(series);
    let top = 0;
    for (const [fi, feature, ti] of this.#scored) {
      const step = ti >= 0 ? (expected?.[ti] ?? null) : null;
      const { score, event, gap, missed } = d.scorer.observe(series, tick.tsMs, tick.values[fi], step ? band(step, spec) : null, feature);
      if (score > top) top = score;
      if (gap !== undefined && !quiet) d.observer?.gap?.(series, feature, gap);
      if (missed !== undefined && !quiet) d.observer?.missedReadings?.(series, feature, missed);
      if (!event) continue;
      if (event.state === 'firing') entry.firingFeatures.add(feature);
      else entry.firingFeatures.delete(feature);
      entry.firing = entry.firingFeatures.size > 0;
      if (!quiet) this.#alert(tick, rec, event, entry, out);
    }
    entry.lastScore = top;
    if (!quiet) d.observer?.score?.(series, top);
  }

  #alert(tick: Tick, cause: RawRecord, event: AnomalyEvent, entry: OutlookEntry, out: OutMessage[]): void {
    const d = this.#d;
    const built = buildAlertRecord(event, entry.forecast?.model ?? 'none', cause.source);
    const rec: AnomalyRecord = Object.assign(built, { kind: 'alert' as const, id: alertId(built.series, built.ts, built.state, built.severity, built.feature) });
    d.recentAnomalies.add(rec);
    d.observer?.anomaly?.(rec);
    d.observer?.live?.({ type: 'anomaly', record: rec });
    const encoded = encodeAlertRecord(rec);
    out.push({ stream: 'anomalies', key: encoded.key, value: encoded.value, headers: { ...d.trace(cause) } });
    for (const f of d.followers) pushFollowerRecords(f.alert?.(rec, tick.labels), cause, d.trace, out);
  }
}
