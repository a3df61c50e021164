/**
 * Band quality as Prometheus series with a bounded label set, computed when Prometheus scrapes:
 *  - tickcast_band_coverage_series{at_most} / tickcast_band_pinball_scaled_series{at_most}: how many
 *    series fall at or under each bucket bound (cumulative, like a histogram's buckets; at_most="+Inf"
 *    is the series count), so "share of series under 0.6" works across series. The label is not `le`:
 *    Prometheus reserves that for a histogram's `_bucket` series (promtool flags it on a gauge, and
 *    OpenMetrics parsers may refuse it); before 7 Dec 2026 it was `le`;
 *  - tickcast_band_coverage{series} / tickcast_band_pinball_scaled{series}: the k series whose
 *    coverage is farthest from nominal (TopKSeriesGauge, the same guard as the score gauge).
 */
import { TopKSeriesGauge } from '../domain/anomaly/index.ts';
import type { BandQualityTracker } from '../domain/band-quality.ts';
import type { Metrics } from './metrics.ts';

export const COVERAGE_BUCKETS = [0.2, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];
export const PINBALL_BUCKETS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 5];

export function installBandQualityMetrics(m: Metrics, tracker: BandQualityTracker, opts: { minTicks: number; topK: number }): void {
  m.bandNominal.set(tracker.nominal);
  const worst = new TopKSeriesGauge({ k: opts.topK });
  const pinball = new Map<string, number>();
  const collectCoverage = () => {
    const cov = new Array<number>(COVERAGE_BUCKETS.length + 1).fill(0);
    const pin = new Array<number>(PINBALL_BUCKETS.length + 1).fill(0);
    const seen = new Set<string>();
    for (const [series, s] of tracker.summaries(opts.minTicks)) {
      seen.add(series);
      bump(cov, COVERAGE_BUCKETS, s.coverage);
      if (s.scaledPinball !== null) bump(pin, PINBALL_BUCKETS, s.scaledPinball);
      worst.observe(series, Math.abs(s.coverage - s.nominal));
      pinball.set(series, s.scaledPinball ?? Number.NaN);
    }
    for (const s of [...pinball.keys()]) {
      if (!seen.has(s)) {
        worst.forget(s);
        pinball.delete(s);
      }
    }
    writeBuckets(m.bandCoverageSeries, COVERAGE_BUCKETS, cov);
    writeBuckets(m.bandPinballSeries, PINBALL_BUCKETS, pin);
    const { set, remove } = worst.select();
    for (const series of remove) {
      m.bandCoverage.remove({ series });
      m.bandPinball.remove({ series });
    }
    for (const { series } of set) {
      const s = tracker.get(series)!;
      m.bandCoverage.set({ series }, s.coverage);
      m.bandPinball.set({ series }, pinball.get(series) ?? Number.NaN);
    }
  };
  // One pass serves all four gauges: the coverage histogram is collected first in registry order.
  (m.bandCoverageSeries as unknown as { collect: () => void }).collect = collectCoverage;
}

/** Count `v` into the first bucket whose bound is ≥ v (the last slot is +Inf). */
function bump(counts: number[], bounds: readonly number[], v: number): void {
  let i = 0;
  while (i < bounds.length && v > bounds[i]) i++;
  counts[i]++;
}

function writeBuckets(g: Metrics['bandCoverageSeries'], bounds: readonly number[], counts: number[]): void {
  let cum = 0;
  bounds.forEach((b, i) => {
    cum += counts[i];
    g.set({ at_most: String(b) }, cum);
  });
  g.set({ at_most: '+Inf' }, cum + counts[bounds.length]);
}
