export { AnomalyDetector, type AnomalyEvent, type Expectation, type Observation, type FeatureState, type SeriesAnomalyState, type SurpriseView, SURPRISE_VIEWS } from './detector.ts';
export { DEFAULT_ANOMALY_CONFIG, resolveAnomalyConfig, type AnomalyConfig } from './config.ts';
export { LEGACY_ANOMALY_CONFIG } from './legacy-config.ts';
export { AlertState, type Severity, type AlertPhase, type AlertTransition, type AlertRules } from './alert-state.ts';
export { AnalogueForecaster } from './analogue-forecaster.ts';
export { AnomalyLikelihood, logLikelihoodScore, logNormalTail, normalTail, tailScore } from './likelihood.ts';
export { buildAlertRecord, encodeAlertRecord, notBeforeFiring, FALLBACK_MODEL, RESOLVE_REASONS, type AnomalyAlertRecord, type ResolveReason } from './alert-record.ts';
export { TopKSeriesGauge, type TopKGaugeOptions, type GaugeSelection } from './top-k-gauge.ts';
