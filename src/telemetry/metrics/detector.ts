import { Counter, Gauge, type Registry } from 'prom-client';

/** The anomaly detector's view of the series: gaps, carried features, missed readings, alerts raised and resolved, scores. */
export function detectorMetrics(r: Registry[]) {
  return {
    feedGaps: new Counter({ name: 'tickcast_series_gaps_total', help: 'Ticks that ended a gap in their series\' event time (more than anomaly.gapFactor typical intervals after the previous tick: a feed back from an outage), by scored feature.', labelNames: ['feature'] as const, registers: r }),
    featureCarried: new Counter({ name: 'tickcast_feature_carried_total', help: 'Accepted ticks that came without a feature and got no reading of it merged in later (input.missingFeature carry): its last value was carried forward, by input feature. Counted when the series\' next tick comes.', labelNames: ['feature'] as const, registers: r }),
    missedReadings: new Counter({ name: 'tickcast_series_missed_readings_total', help: 'Readings a series read on a clock did not deliver: its next tick came 2 to anomaly.gapFactor typical intervals late (the detector filled them in), by scored feature.', labelNames: ['feature'] as const, registers: r }),
    anomalies: new Counter({ name: 'tickcast_anomalies_total', help: 'Anomaly alerts raised (state=firing), by severity, the feature that fired and the view of surprise that fired.', labelNames: ['severity', 'feature', 'view'] as const, registers: r }),
    anomalyResolved: new Counter({ name: 'tickcast_anomalies_resolved_total', help: 'Anomaly alerts resolved, by feature and reason (recovered, evicted, reset, moved, stale).', labelNames: ['feature', 'reason'] as const, registers: r }),
    anomalyScore: new Gauge({ name: 'tickcast_anomaly_score', help: 'Latest anomaly score in [0,1] for the configured or top-k series (bounded label set).', labelNames: ['series'] as const, registers: r }),
  };
}
