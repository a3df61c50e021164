// Anomaly alerts and what follows them: feedback, incidents, band quality.
// Part of the one configuration schema (src/config/schema.ts assembles it; docs/configuration.md
// is generated from the doc comments here by scripts/gen-config-doc.ts).
import { z } from 'zod';
import { positiveInt, nonNegInt, regexSource, timeZone } from './primitives.ts';

export const anomalySection = z
  .object({
    /** Score the series for anomalies (anomaly.features) and publish alerts (the anomalies topic, GET /v1/anomalies, SSE). false → forecasts only: no detector state per series, and alert feedback and incidents are off too. */
    enabled: z.boolean().default(true),
    /** Alert thresholds on the score in [0,1]; unset → the detector's tuned defaults (docs/anomaly.md). */
    warningThreshold: z.number().min(0).max(1).optional(),
    /** Score in [0,1] at or above which an alert is critical: one that fires with such a tick in its debounce window is critical, and a firing warning is raised to critical (a new firing record). At least warningThreshold; also the ceiling of the bar false-positive feedback raises, so critical alerts always get through. Unset → 0.7. */
    criticalThreshold: z.number().min(0).max(1).optional(),
    /** Fire only when N of the last M ticks are above the warning threshold. */
    debounceN: positiveInt.optional(),
    /** The M of debounceN: how many of the latest ticks are looked at (1 … 32, at least debounceN). Unset, with debounceN unset (1 of 1): any tick at or over the warning threshold may fire; 3 of 5 ignores lone spikes. Unset → 1. */
    debounceM: positiveInt.max(32, 'must be at most 32 (the detector keeps the last ticks as a bit mask)').optional(),
    /** Minimum time (event time) between two alerts of one series' feature: each scored feature (anomaly.features) has its own cooldown, so one feature in cooldown does not hold back another's alert. */
    cooldownMs: nonNegInt.optional(),
    /** A firing alert of a feature that stops arriving (input.missingFeature carry: the series' ticks come without it) resolves once the feature has had no value for longer than this (event time, checked on the series' ticks), with reason "stale" on the anomalies topic — as the alert of a series that stops altogether resolves at idle eviction (reason "evicted"). 0: never; the alert stays open until the feature recovers or its series is evicted. Univariate series are not affected (a tick without its one value is refused). Unset → windows.idleEvictMs. */
    staleFeatureMs: nonNegInt.optional(),
    /** Series exported individually on the score gauge (empty → top-k by score). */
    scoreGaugeSeries: z.array(z.string()).default([]),
    /** With scoreGaugeSeries empty: how many of the highest-scoring series get their own tickcast_anomaly_score{series} gauge (a bounded label set for Prometheus). Ignored when scoreGaugeSeries lists series. */
    scoreGaugeTopK: positiveInt.default(20),
    /** Features scored for anomalies, each with its own alert: the model's targets, or every input feature. */
    features: z.enum(['targets', 'all']).default('targets'),
    /** The seasonal view of surprise (a value unlike the same phase of the last cycles); off saves ≈ 24 KiB per scored feature. */
    seasonalView: z.boolean().default(true),
    /** A tick more than this many typical intervals after the last ends a gap: the value may have moved meanwhile (residuals ÷ √(interval/typical) for 5 ticks). 0: ticks are judged by order only. Unset → 3. */
    gapFactor: z.number().refine((v) => v === 0 || v >= 1, 'must be 0 (off) or ≥ 1').optional(),
    /** A series read on a clock (most intervals a whole number of typical ones) whose tick comes 2 to gapFactor intervals late has missed readings: the detector fills them with what it expected, so its forecaster and seasonal view stay aligned with event time (pollers and radios that drop a reading now and then), and a gap of up to 6 readings on such a series does not silence its seasonal view. Off with gapFactor 0 too. */
    missedTicks: z.boolean().default(true),
    /** Learn the UTC hours each feed reads in (the window store's rule, windows.openHours): a tick after hours it is never read in (a market's night, a weekend) follows no missed reading and ends no gap, so closures are neither filled in nor counted on tickcast_series_missed_readings_total / tickcast_series_gaps_total; a long closure still quiets the seasonal view and divides the next residuals by √(interval/typical). Learned after a day (nightly closures) or three weeks (weekends). */
    openHours: z.boolean().default(true),
    /** Judge event counts in log space: a feature whose first learning ticks are non-negative integers skewed right (bursts) is scored on ln(1 + x), so a burst at night and one at noon are the same news. */
    countTransform: z.boolean().default(true),
    /** Floor the detector's error scales at what rounding to a quantised series' step costs (integer mph, a gauge read to one decimal), so one-step moves of a series that is usually forecast to the digit are not taken for spikes. */
    resolutionFloor: z.boolean().default(true),
    /** A value beyond the range of the last ≈ this many ticks by more than that range's own width, that the detector's forecaster did not expect scores 1, like one beyond the all-time range: a drift or a step to a level the series left long ago. 0: only the all-time range counts. Unset → 500. */
    recentRangeTicks: nonNegInt.optional(),
    /** Hourly means of each series, searched for a period longer than the seasonal view reaches (a week of 5-minute ticks), up to this many hours: a level that matches the same hour of the last two such cycles is not judged by the forecast and seasonal views (weekday/weekend edges on the hour stop alerting). 0: off. Unset → 200. */
    longCycleMaxPeriod: nonNegInt.max(100_000).refine((v) => v === 0 || v >= 2, 'must be 0 (off) or ≥ 2').optional(),
    /** The IANA time zone whose clock hours the long-cycle filter keeps: where the series' business rhythm lives (a weekday level that starts at local midnight in "Asia/Kolkata" is 18:30 UTC; "America/New_York" follows daylight saving). Unset → "UTC". */
    longCycleTimeZone: timeZone.optional(),
    /** Per-series time zones for the long-cycle filter: series-key prefix → IANA zone (YAML map, or TICKCAST_ANOMALY_LONG_CYCLE_TIME_ZONES="in/=Asia/Kolkata,us-east/=America/New_York"); the longest matching prefix wins, other series use longCycleTimeZone. */
    longCycleTimeZones: z.record(z.string().min(1), timeZone).optional(),
  })
  .strict()
  .default({});

export const feedbackSection = z
  .object({
    /** Accept alert feedback (REST, MCP, topic); needs anomaly.enabled. */
    enabled: z.boolean().default(true),
    /** JSON-lines feedback log (fsync'd). Empty → <model.dir>/feedback.jsonl when model.dir is set, else in memory only. Created when first written; when it exists it must be a readable file (checked at start). */
    file: z.string().default(''),
    /** Topic consumed for feedback from other systems (e.g. "anomalies.feedback"); empty → not consumed. Bad records go to the DLQ. */
    topic: z.string().regex(/^([A-Za-z0-9._-]{1,249})?$/, 'a Kafka topic name or empty').default(''),
    /** Half-life (event time) of the bar raise a false positive causes. */
    falsePositiveHalfLifeMs: positiveInt.default(72 * 3_600_000),
    /** A false positive at score s raises its series' bar to s + this (never above the critical threshold). */
    marginScore: z.number().min(0).max(1).default(0.05),
    /** Default maintenance span of an "expected" verdict, from the alert's ts. */
    expectedSpanMs: positiveInt.default(2 * 3_600_000),
    /** Feedback entries kept per series; beyond it the series' oldest entry is dropped (its effect with it). */
    maxPerSeries: positiveInt.default(50),
    /** Feedback entries kept in all series together; beyond it the oldest recorded is dropped (memory, and the size of feedback.file, which is compacted to what is kept). */
    maxEntries: positiveInt.default(100_000),
    /** Recent firing alerts kept by id for feedback lookups. */
    alertIndexSize: positiveInt.default(10_000),
  })
  .strict()
  .default({});

export const incidentsSection = z
  .object({
    /** Group alerts into incidents by a tick label, by a series-id prefix, or not at all. */
    groupBy: z.enum(['off', 'label', 'prefix']).default('prefix'),
    /** groupBy "label": the tick label holding the key (ticks send "labels":{"host":"web-1"}). */
    label: z.string().min(1).default('host'),
    /** groupBy "prefix": regular expression on the series id; its first capture group is the key. Series that do not match are not grouped. */
    prefixPattern: regexSource.default('^([^:]+):'),
    /** Alerts of one key at most this far apart (event time) belong to one incident; it closes once its key's own ticks are more than this past its last alert. */
    spanMs: positiveInt.default(5 * 60_000),
    /** An open incident whose key has had no tick for this long (wall time, while the instance receives ticks of others) closes: its feed stopped (or its partitions moved to another instance). Set it above the longest pause of a feed that delivers in batches. At least spanMs is used. */
    idleCloseMs: positiveInt.default(30 * 60_000),
    /** Distinct series an incident needs before it is published. */
    minSeries: positiveInt.default(2),
    /** Incident keys tracked at once; beyond it the one alerting least recently closes (its `closed` record published if it was published). */
    maxOpen: positiveInt.default(1_000),
    /** Member alerts, and member series (at least minSeries), listed per incident; `count` counts every alert. */
    maxMembers: positiveInt.default(100),
    /** Closed incidents kept for GET /v1/incidents. */
    keepClosed: positiveInt.default(200),
  })
  .strict()
  .default({});

export const bandQualitySection = z
  .object({
    /** Realised ticks per series over which coverage and pinball loss roll (17 bytes a tick per series, held from its first tick: at most 100,000). */
    windowTicks: positiveInt.max(100_000).default(500),
    /** Series with fewer realised ticks are left out of the histograms and top-k. */
    minTicks: positiveInt.default(50),
    /** Worst-calibrated series exported individually (bounded label set). */
    topK: nonNegInt.default(10),
  })
  .strict()
  .default({});
