/**
 * Checks that span several keys. Each rule names the keys it reads, so that the loader can run it
 * even when other keys are invalid (it skips only the rules that read an invalid key: their verdict
 * would be about a default the user did not choose) — every problem is reported together.
 */
import { DEFAULT_ANOMALY_CONFIG } from '../domain/anomaly/config.ts';
import { tickFieldProblems } from '../domain/tick-fields.ts';
import { senmlProblems } from './senml-settings.ts';
import { isClassicProtocol, kafkaSecurityProblems, type KafkaSecurityInput } from './kafka-security.ts';

/** The parsed config as the rules see it (the schema's output; kept loose to avoid a cycle). */
type Parsed = any;

export interface CrossFieldProblem {
  path: string[];
  message: string;
}

interface Rule {
  /** Config keys (dotted paths) the rule reads; a problem under one of them skips it. */
  reads: string[];
  check(c: Parsed): CrossFieldProblem[];
}

const KAFKA_SECURITY_KEYS = ['ssl', 'securityProtocol', 'tlsCaLocation', 'tlsCaPem', 'tlsCertLocation', 'tlsCertPem', 'tlsKeyLocation', 'tlsKeyPem', 'tlsKeyPassword', 'sasl', 'oidcTokenEndpointUrl', 'oidcClientId', 'oidcClientSecret', 'properties'];

/** Object.prototype's own names: reserved as feature names (see the rule below). */
const RESERVED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

function featureNameProblems(names: readonly string[], key: 'features' | 'targets'): CrossFieldProblem[] {
  const out: CrossFieldProblem[] = [];
  names.forEach((n, i) => {
    if (RESERVED_NAMES.has(n)) out.push({ path: ['input', key], message: `"${n}" is reserved (every JavaScript object has a member of that name); rename the feature` });
    else if (names.indexOf(n) < i) out.push({ path: ['input', key], message: `"${n}" is listed twice` });
  });
  return out;
}

const one = (cond: boolean, path: string, message: string): CrossFieldProblem[] => (cond ? [{ path: path.split('.'), message }] : []);

export const CROSS_FIELD_RULES: readonly Rule[] = [
  {
    reads: ['batching.lowWaterMark', 'batching.highWaterMark'],
    check: (c) => one(c.batching.lowWaterMark >= c.batching.highWaterMark, 'batching.lowWaterMark', 'must be below batching.highWaterMark'),
  },
  {
    // Unset thresholds are the detector's defaults (src/domain/anomaly/config.ts), which it checks the same way at start.
    reads: ['anomaly.warningThreshold', 'anomaly.criticalThreshold'],
    check: (c) => {
      const w = c.anomaly.warningThreshold ?? DEFAULT_ANOMALY_CONFIG.warningThreshold;
      const k = c.anomaly.criticalThreshold ?? DEFAULT_ANOMALY_CONFIG.criticalThreshold;
      const unset = c.anomaly.criticalThreshold === undefined ? ` (unset: the detector's ${k})` : '';
      return one(w > k, 'anomaly.warningThreshold', `must not exceed anomaly.criticalThreshold${unset}`);
    },
  },
  {
    reads: ['anomaly.debounceN', 'anomaly.debounceM'],
    check: (c) => {
      const n = c.anomaly.debounceN ?? DEFAULT_ANOMALY_CONFIG.debounceN;
      const m = c.anomaly.debounceM ?? DEFAULT_ANOMALY_CONFIG.debounceM;
      const unset = c.anomaly.debounceM === undefined ? ` (unset: the detector's ${m})` : '';
      return one(n > m, 'anomaly.debounceN', `must not exceed anomaly.debounceM${unset}: N of the last M ticks`);
    },
  },
  {
    // Feature names key per-feature state (open alerts, forecast targets, snapshots): a name every
    // JavaScript object already has ("constructor", "toString", "__proto__") read another object's
    // member there — an alert on it crashed the chunk, "__proto__" polluted Object.prototype — and a
    // name listed twice was scored twice per tick (anomaly.features: all).
    reads: ['input.features', 'input.targets'],
    check: (c) => [
      ...featureNameProblems(c.input.features, 'features'),
      ...featureNameProblems(c.input.targets ?? [], 'targets'),
    ],
  },
  {
    reads: ['input.targets', 'input.features'],
    check: (c) =>
      (c.input.targets ?? [])
        .filter((t: string) => !c.input.features.includes(t))
        .map((t: string) => ({ path: ['input', 'targets'], message: `target "${t}" is not one of input.features (${c.input.features.join(', ')})` })),
  },
  {
    // A record whose parts share a name could not be read one way (src/domain/tick-fields.ts).
    reads: ['input.fields', 'input.features'],
    check: (c) => tickFieldProblems(c.input.fields, c.input.features).map(({ key, message }) => ({ path: key.split('.'), message })),
  },
  {
    reads: ['input.format', 'input.senmlSeries', 'input.senmlNames', 'input.features', 'input.fields', 'input.tsUnit', 'input.missingTs'],
    check: (c) => senmlProblems(c.input),
  },
  {
    reads: ['input.nonNegative', 'input.features'],
    check: (c) =>
      c.input.nonNegative
        .filter((t: string) => !c.input.features.includes(t))
        .map((t: string) => ({ path: ['input', 'nonNegative'], message: `"${t}" is not one of input.features (${c.input.features.join(', ')})` })),
  },
  {
    reads: ['kafka.delivery', 'kafka.transactionalId'],
    check: (c) => one(c.kafka.delivery === 'exactly-once' && !c.kafka.transactionalId, 'kafka.transactionalId', 'is required when kafka.delivery is "exactly-once"'),
  },
  {
    // Under group.protocol=consumer (KIP-848) neither is used (the broker's settings apply).
    reads: ['kafka.heartbeatIntervalMs', 'kafka.sessionTimeoutMs', 'kafka.properties'],
    check: (c) => one(isClassicProtocol(c.kafka.properties) && c.kafka.heartbeatIntervalMs >= c.kafka.sessionTimeoutMs, 'kafka.heartbeatIntervalMs', 'must be below kafka.sessionTimeoutMs (the group would drop this consumer between heartbeats)'),
  },
  {
    reads: KAFKA_SECURITY_KEYS.map((k) => `kafka.${k}`),
    check: (c) => kafkaSecurityProblems(c.kafka as KafkaSecurityInput).map((p) => ({ path: ['kafka', ...p.path], message: p.message })),
  },
  {
    // Keys from http.apiKeysFile are in http.apiKeys by now (api-keys-file.ts). Until 7 Dec 2026 only
    // the HTTP adapter refused this, after the model had loaded, apart from every other problem.
    reads: ['http.requireAuthForReads', 'http.apiKeys'],
    check: (c) => one(c.http.requireAuthForReads && c.http.apiKeys.length === 0, 'http.requireAuthForReads', 'is true but http.apiKeys (TICKCAST_HTTP_API_KEYS, or a file: TICKCAST_HTTP_API_KEYS_FILE) holds no key: nobody could read; configure at least one key'),
  },
  {
    // With patchLength 0 the model's default length applies, which the model checks itself.
    reads: ['model.patchLength', 'model.patchStride'],
    check: (c) => one(c.model.patchLength > 0 && c.model.patchStride > c.model.patchLength, 'model.patchStride', 'must not exceed model.patchLength (steps between patches would be ignored)'),
  },
  {
    // A round takes its hold-out, min(minSamples, 512) pairs, and at least two batches of 32 before it from the recent half of the buffer (src/model/finetune/live-feed.ts roundData).
    reads: ['finetune.enabled', 'finetune.replayCapacity', 'finetune.minSamples'],
    check: (c) => {
      const holdout = Math.min(c.finetune.minSamples, 512);
      const need = 2 * (holdout + 64) - 1;
      return one(c.finetune.enabled && c.finetune.replayCapacity < need, 'finetune.replayCapacity', `must be at least ${need} with finetune.minSamples ${c.finetune.minSamples}: half the buffer holds the recent pairs a round takes its hold-out (${holdout} pairs) and two training batches (64) from; a smaller buffer never starts a round`);
    },
  },
];

/** Problems of every rule whose keys are all valid (`invalid`: dotted paths with a problem). */
export function crossFieldProblems(c: Parsed, invalid: readonly string[] = []): CrossFieldProblem[] {
  const bad = (key: string) => invalid.some((p) => p === key || p.startsWith(`${key}.`) || key.startsWith(`${p}.`));
  return CROSS_FIELD_RULES.filter((r) => !r.reads.some(bad)).flatMap((r) => r.check(c));
}
