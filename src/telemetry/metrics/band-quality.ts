import { Gauge, type Registry } from 'prom-client';

/** Forecast band quality (issue 16), set at each scrape by ../band-quality-metrics.ts. */
export function bandQualityMetrics(r: Registry[]) {
  return {
    bandCoverageSeries: new Gauge({ name: 'tickcast_band_coverage_series', help: 'Series whose rolling p10–p90 coverage is ≤ at_most (a histogram across series, recomputed at scrape; not `le`, which Prometheus keeps for histogram buckets).', labelNames: ['at_most'] as const, registers: r }),
    bandPinballSeries: new Gauge({ name: 'tickcast_band_pinball_scaled_series', help: 'Series whose rolling scaled pinball loss is ≤ at_most (a histogram across series, recomputed at scrape; not `le`, which Prometheus keeps for histogram buckets).', labelNames: ['at_most'] as const, registers: r }),
    bandCoverage: new Gauge({ name: 'tickcast_band_coverage', help: 'Rolling p10–p90 coverage of the top-k worst-calibrated series (bounded label set).', labelNames: ['series'] as const, registers: r }),
    bandPinball: new Gauge({ name: 'tickcast_band_pinball_scaled', help: 'Rolling scaled pinball loss of the same top-k series.', labelNames: ['series'] as const, registers: r }),
    bandNominal: new Gauge({ name: 'tickcast_band_nominal_coverage', help: 'Coverage a calibrated band has (upper − lower quantile level, 0.8 for p10–p90).', registers: r }),
  };
}
