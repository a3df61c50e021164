// The streaming path: record decoding, windows, cold start, series-state snapshots, micro-batching.
// Part of the one configuration schema (src/config/schema.ts assembles it; docs/configuration.md
// is generated from the doc comments here by scripts/gen-config-doc.ts).
import { z } from 'zod';
import { positiveInt, nonNegInt, regexSource, timerMs } from './primitives.ts';

/** windows.fillMissed's default (also the cap `tickcast train` reads a file's closures with). */
export const FILL_MISSED_DEFAULT = 8;

/**
 * Longest windows.length: what POST /v1/predict and the MCP forecast tool take (maxWindowLength in
 * src/adapters/http/config.ts, 4096 steps; a test keeps the two equal). A model with a longer
 * window could not be asked through them; its bootstrap data would also outgrow the bundled sample
 * (10,320 rows).
 */
export const MAX_WINDOW_LENGTH = 4096;

export const inputSection = z
  .object({
    /** Input feature names, in model order. A univariate record `{"value": x}` maps to the first. Each name once; names every JavaScript object has (`constructor`, `toString`, `__proto__`, …) are refused. */
    features: z.array(z.string().min(1)).min(1).default(['value']),
    /** Forecast feature(s); default: the first feature. */
    targets: z.array(z.string().min(1)).min(1).optional(),
    /** Features that never go below zero (counts, rates, utilisation, queue lengths): a forecast of one is raised to 0 wherever it falls below — every quantile, whether the model, a fused baseline or a cold-start baseline made it, on the forecasts topic and in `POST /v1/predict` (docs/model.md "Non-negative features"). Input values are not checked. */
    nonNegative: z.array(z.string().min(1)).default([]),
    /** Records whose value is larger than this many bytes go to the DLQ (TC_RECORD_TOO_LARGE); the key is the series id and is held to input.seriesPattern instead. */
    maxRecordBytes: positiveInt.default(64 * 1024),
    /**
     * Largest dead letter written (key + value + headers). A refused record larger than this keeps
     * the first bytes of its value, with tickcast-value-truncated-from-bytes and
     * tickcast-value-sha256 headers (its source offset says where the whole record is): one that the
     * producer or broker refuses would stop its partition. Keep it under the producer's
     * message.max.bytes (librdkafka default 1,000,000; kafka.properties) and the DLQ topic's
     * max.message.bytes (broker default 1,048,588).
     */
    deadLetterMaxBytes: positiveInt.min(4096).default(900_000),
    /** Allowed series id pattern; others go to the DLQ (TC_RECORD_BAD_SERIES). The default refuses the ids "." and ".." (browsers and fetch() resolve them as path segments, so the dashboard could not open them). */
    seriesPattern: regexSource.default('^(?!\\.{1,2}$)[A-Za-z0-9._:/@-]{1,128}$'),
    /** Missing feature values: 'reject' (DLQ) or 'carry' (carry the last value forward; a tick with none of the features, or with nothing earlier to carry, still goes to the DLQ). */
    missingFeature: z.enum(['reject', 'carry']).default('reject'),
    /**
     * Ticks stamped more than this ahead of when they were sent go to the DLQ (TC_RECORD_BAD_TS): a
     * device clock set wrong (an RTC reset, a year typed wrong) would otherwise make every later
     * tick of its series late, freezing it for good. When sent: the record's Kafka timestamp, at
     * most the host's clock — so a record re-read at a restart or by a lagging consumer is judged
     * as it was live. 0 = no bound. Kafka mode only: the embedded sample replay laps its data
     * forward past the clock by design, and the CLI reads files with no bound.
     */
    maxFutureMs: nonNegInt.default(86_400_000),
    /**
     * A tick stamped more than this ahead of when it was sent, within maxFutureMs (a device clock
     * minutes fast, a time zone wrong), is accepted as stamped and counted
     * (tickcast_ticks_ahead_total); its series' next ticks stamped at or after that send time, and
     * not ahead themselves, are taken, not dropped as late until real time catches up with it: the
     * series steps back onto its true clock. A tick less ahead than this keeps the strict order
     * (older than the last: late), and so does one itself ahead (a producer clock behind). Off where maxFutureMs is (0, the embedded replay); maxFutureMs or more: off.
     */
    clockSkewMs: nonNegInt.default(60_000),
    /**
     * Where a record holds the tick (since 7 Dec 2026), for payloads whose names cannot be changed
     * (device firmware, a bridge forwarding MQTT payloads as they are): e.g. series device_id, ts
     * timestamp, values "" reads {"device_id":"t-1","timestamp":1732060800123,"temperature":21.5}.
     * The defaults are the documented shape (docs/schemas.md § Input). Each is a path: dotted keys
     * for nested objects (state.reported, as an AWS IoT device shadow nests its readings), a key
     * holding a dot written a\.b (src/domain/field-path.ts). Checked at start: well-formed paths,
     * no two parts, nor "labels", under one name, no part inside the series or ts, no values
     * inside "labels" (strings only), and no feature under the name of the series or ts field.
     */
    fields: z
      .object({
        /** Field (path) holding the series id (a string, or a safe integer read as its decimal text: 17 is "17"), e.g. device_id or SystemProperties.connectionDeviceId; a record without it (or with null) takes its record key as the id. */
        series: z.string().min(1).default('series'),
        /** Field (path) holding the event time: epoch ms (or per input.tsUnit) or ISO-8601, as `ts` is read. */
        ts: z.string().min(1).default('ts'),
        /** Field (path) holding the features as an object of feature → number, e.g. state.reported; "" (empty): the features are the record's own top-level fields, other top-level fields ignored (the univariate shorthand "value" is then read only as a feature named value). */
        values: z.string().default('values'),
        /** A feature at a path of its own, for payloads that spread their readings over several objects: feature → path from the record's top level (YAML map, or TICKCAST_INPUT_FIELDS_FEATURES="temp=env.temp,w=power.w"); the features not named are read from values. Since 7 Dec 2026. */
        features: z.record(z.string().min(1), z.string().min(1)).optional(),
      })
      .strict()
      .default({}),
    /**
     * Unit of a numeric ts in the topic's records (since 7 Dec 2026): 'ms' (epoch milliseconds) or
     * 's' (epoch seconds, as much IoT firmware stamps them, a fraction kept: 1732060800.123 is read
     * as 1732060800123 ms) or 'auto' (each number by its size: below 1e11 seconds, else ms, for a
     * topic where devices differ; unambiguous in 1973–2200, docs/schemas.md § Epoch seconds:
     * `input.tsUnit`). ISO-8601 strings are read alike under each; the 1973–2200 range is
     * checked after the conversion. Kafka mode only, like input.fields: the embedded sample replay
     * and the CLI's files make their own records in ms.
     */
    tsUnit: z.enum(['ms', 's', 'auto']).default('ms'),
    /**
     * A record with no ts (input.fields.ts absent or null), as Zigbee2MQTT and many MQTT→Kafka
     * bridges send them (since 7 Dec 2026): 'reject' it (TC_RECORD_BAD_TS), or take its Kafka record
     * timestamp as the event time ('kafka'): the producer's CreateTime (when the bridge sent it, not
     * when the device measured it), or the broker's LogAppendTime on a topic with
     * message.timestamp.type=LogAppendTime (when the broker wrote it: a backlog flushed late gets
     * one time). A record with a ts keeps it. Kafka mode only, like input.fields: the embedded
     * sample replay and the CLI's files always carry a ts.
     */
    missingTs: z.enum(['reject', 'kafka']).default('reject'),
    /**
     * What a record's value is (since 7 Dec 2026): 'json', a tick object as docs/schemas.md § Input
     * describes it (input.fields, tsUnit and missingTs apply), or 'senml', a SenML pack (RFC 8428,
     * JSON): an array of records that may carry many readings of several series, resolved by the
     * RFC's rules (bn + n, bt + t in seconds, below 2^28 relative to when the record was sent,
     * bv + v); input.senmlSeries says what a series is. Kafka mode only: the embedded sample replay
     * and the CLI's files write tick objects.
     */
    format: z.enum(['json', 'senml']).default('json'),
    /**
     * With input.format senml, what a series is: 'name', each resolved SenML name (bn + n) a
     * univariate series (input.features must be one feature), or 'baseName', bn a series (less the
     * ":", "/" or "." it ends with, since 7 Dec 2026; the record key where no bn is in effect) whose
     * features are named by n, the readings of one bn at one time making one tick (a name that is
     * no feature is skipped, counted in tickcast_senml_skipped_total).
     */
    senmlSeries: z.enum(['name', 'baseName']).default('name'),
    /**
     * With input.format senml, which names a pack may carry (since 7 Dec 2026): 'rfc8428', only RFC
     * 8428 § 4.5.1's characters (A-Z a-z 0-9 - : . / _, starting with a letter, a digit or "/"), a
     * pack with another refused whole (TC_RECORD_BAD_SERIES); or 'legacy', any name that
     * input.seriesPattern (the series) and input.features (a feature, with 'baseName') take, for
     * gateways whose names predate the check ("room temp", "#1"). Other SenML readers may refuse them.
     */
    senmlNames: z.enum(['rfc8428', 'legacy']).default('rfc8428'),
    /**
     * With input.format senml, what a reading's unit (u, else bu) must be (since 7 Dec 2026):
     * 'first', the unit its series' feature was first sent in (a pack with another refused whole,
     * TC_RECORD_UNIT_MISMATCH; no unit is taken); or 'any', units not checked, for fleets whose
     * gateways spell one unit several ways ("%RH" and "%") or that switch units on purpose.
     */
    senmlUnits: z.enum(['first', 'any']).default('first'),
  })
  .strict()
  .default({});

export const windowsSection = z
  .object({
    /**
     * Look-back length (steps) of a model trained or seeded at start; a served model's own window
     * wins. At most 4096, the longest window POST /v1/predict takes. Training at start on the wasm
     * backend runs out of memory above about 400 tokens (window ÷ model.patchStride: about 3,000
     * steps with the default patches, about 400 with model.patchLength 1).
     */
    length: positiveInt.max(MAX_WINDOW_LENGTH, `must be at most ${MAX_WINDOW_LENGTH} (the longest window POST /v1/predict takes)`).default(64),
    /** Forecast every `stride` accepted ticks once the window is full. */
    stride: positiveInt.default(1),
    /** Series held in memory at once by this instance (window, statistics, latest forecast, detector, band quality, fine-tune pairs). A new series beyond it evicts the least recently seen (tickcast_series_evicted_total{reason="cap"}, a warning at most once a minute). Raise it with the memory limit (about 54 KiB of detector state per scored feature per series), or scale out. */
    maxSeries: positiveInt.default(10_000),
    /** Series with no tick for this long are evicted. */
    idleEvictMs: positiveInt.default(6 * 60 * 60 * 1000),
    /** Ticks older than the series' last ts: 'drop', the only policy (counted as tickcast_ticks_total{result="late"}; docs/schemas.md). */
    latePolicy: z.enum(['drop']).default('drop'),
    /** Equal timestamps: 'drop' the newcomer or 'replace' the last value. Either way a feature the last tick lacked (input.missingFeature carry) that the newcomer brings is written into it (a reading sent late in a record of its own; counted as tickcast_ticks_total{result="merged"}). Trade feeds: 'replace' keeps the millisecond's last trade; volumes are never summed (docs/schemas.md § Market data: trades in one millisecond, halts, prices (decided 7 Dec 2026)). */
    duplicatePolicy: z.enum(['drop', 'replace']).default('drop'),
    /** Half-life, in ticks, of the running per-series mean/variance used for normalisation. */
    normHalfLifeTicks: positiveInt.default(2_000),
    /**
     * Ticks inside a firing alert (or confirmed anomalies) enter their window but not the
     * normalisation statistics, for at most this many consecutive ticks per series; past it a
     * lasting level shift is learned. 0 = every tick updates the statistics.
     */
    holdStatsMaxTicks: nonNegInt.default(120),
    /**
     * On a series read on a clock, a tick 2 … fillMissed + 1 intervals late follows readings the
     * feed missed: they are filled into the window by linear interpolation, so the model's window
     * stays on the clock it was trained on. 0 = windows take ticks as they come.
     */
    fillMissed: nonNegInt.default(FILL_MISSED_DEFAULT),
    /**
     * With fillMissed: learn the hours a feed reads in (UTC hours of the day and of the week) and
     * fill no reading in hours it is closed (a market's night or weekend), so the window holds the
     * feed's rows as they came. 'auto': on when the model served at start was trained on rows with
     * such closures (`tickcast train` on a market's bars records them), off otherwise — the
     * shipped model, trained on series read around the clock, forecasts closure feeds better with
     * their closures filled (docs/architecture.md § Readings a feed missed, bench:missed-readings).
     */
    openHours: z.enum(['auto', 'on', 'off']).default('auto'),
    /**
     * On partition assignment, re-read up to this many records before the committed offset to
     * rebuild windows (no outputs), so forecasting resumes at once after a restart or
     * rebalance. 0 disables. Size it ≥ window × series per partition.
     */
    restoreRecordsPerPartition: nonNegInt.default(20_000),
  })
  .strict()
  .default({});

export const coldStartSection = z
  .object({
    /** Forecast series whose window is not full yet with a fast baseline (output `"model": "baseline:…"`); they switch to the model when the window fills. */
    enabled: z.boolean().default(true),
    /** Season length in ticks for the seasonal-naive baseline; 1 = plain naive (repeat the last value). Used once more ticks than a season are known. */
    seasonTicks: positiveInt.default(1),
    /** Ticks a series needs before its first baseline forecast (≥ 2: one error sizes the band). */
    minTicks: z.number().int().min(2).default(2),
  })
  .strict()
  .default({});

export const fusionSection = z
  .object({
    /** Serve each model forecast or a fast baseline (naive, seasonal naive, drift), whichever has the lowest recent error on the series (output `"model": "baseline:…"` when a baseline is served; docs/model.md "Fusion with fast baselines"). The detector keeps judging ticks against the model's band. */
    enabled: z.boolean().default(true),
    /** Half-life, in ticks, of the mean absolute errors the candidates are compared by. */
    halfLifeTicks: positiveInt.default(192),
    /** Ticks a series' forecasts must have been scored on before a baseline may be served. */
    minScoredTicks: positiveInt.default(8),
    /** A candidate replaces the one served only when its error is lower by more than this share. */
    margin: z.number().min(0).max(0.9).default(0.05),
    /** Season of the seasonal-naive baseline in ticks; 0: one day at the series' own tick spacing (used when a day fits the window). */
    seasonTicks: nonNegInt.default(0),
  })
  .strict()
  .default({});

export const snapshotsSection = z
  .object({
    /** Snapshot per-series state (windows, statistics, detector, last forecasts) with the input offsets it reflects; at start only the tail after them is replayed. Kafka mode only, and only with a directory (below). 10,000 series: restart 4–5 s instead of 11.6 s of replay, each snapshot holds intake ~1.8 s (docs/benchmarks.md § Restart). */
    enabled: z.boolean().default(true),
    /** Directory of this instance's snapshot file. Empty → `<model.dir>/series-state` (no snapshots when model.dir is empty too). One directory per instance. Created when first written; when it exists it must be a readable directory (checked at start). */
    dir: z.string().default(''),
    /** Time between periodic snapshots (one is also written at shutdown). 0: only at shutdown. */
    intervalMs: timerMs(0).default(60_000),
  })
  .strict()
  .default({});

export const batchingSection = z
  .object({
    /** Most windows in one model call. The stream and POST /v1/predict share the batcher; 64 kept up at 85% load with the lowest latency (docs/inference.md § Dynamic batching). Larger only pays on a GPU. */
    maxBatchSize: positiveInt.default(64),
    /** Longest a queued window waits for its batch to fill before the batch runs anyway (0: run at once, whatever is queued). Adds up to this much latency at light load; more windows per call under load. */
    maxWaitMs: timerMs(0).default(2),
    /** Model calls in flight at once. */
    maxInFlightBatches: positiveInt.default(2),
    /**
     * Queued windows above which the consumer pauses (and HTTP work is shed)… Intake per
     * round is at most partitionsConsumedConcurrently × 512 windows, so keep this below that
     * for pausing to ever engage. The queue holds at most 2 × this; stream hand-offs beyond it wait.
     */
    highWaterMark: positiveInt.default(1_024),
    /** …and below which it resumes. */
    lowWaterMark: nonNegInt.default(256),
  })
  .strict()
  .default({});
