/**
 * The output contract of docs/schemas.md written as closed JSON schemas (an undocumented field
 * fails, as does a documented one of another type or a required one missing), and a check of one
 * output record — stream, key, headers and value — against it. Used by the contract tests on the
 * captured pipeline outputs (component) and on what the local broker holds (integration).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { SURPRISE_VIEWS } from '../../src/domain/anomaly/views.ts';

const quantileKey = '^p[0-9]+(\\.[0-9]+)?$';
const epochMs = { type: 'number', minimum: 1e11, maximum: 7.3e12 } as const;

/** `horizon[k]`: step k+1, its ts, one number per quantile level (p10, p50, p90 by default). */
const step = {
  type: 'object',
  required: ['step', 'ts', 'p50'],
  properties: { step: { type: 'integer', minimum: 1 }, ts: epochMs },
  patternProperties: { [quantileKey]: { type: 'number' } },
  additionalProperties: false,
} as const;

const steps = { type: 'array', minItems: 1, items: step } as const;

/** § Output: `forecasts` (model forecasts, cold-series baselines and fused baselines share the shape). */
export const forecastSchema = {
  type: 'object',
  required: ['series', 'ts', 'model', 'horizon', 'latencyMs'],
  properties: {
    series: { type: 'string', minLength: 1 },
    ts: epochMs,
    model: { type: 'string', minLength: 1 },
    horizon: steps,
    latencyMs: { type: 'number', minimum: 0 },
    targets: { type: 'object', minProperties: 2, additionalProperties: steps },
    closedSteps: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 1 } },
    replaces: { type: 'string', minLength: 1 },
  },
  additionalProperties: false,
} as const;

/** § Output: `anomalies` — an alert record (`kind` "alert"). */
export const alertSchema = {
  type: 'object',
  required: ['series', 'feature', 'ts', 'value', 'expected', 'lower', 'upper', 'score', 'severity', 'state', 'model', 'kind', 'id'],
  properties: {
    series: { type: 'string', minLength: 1 },
    feature: { type: 'string', minLength: 1 },
    ts: epochMs,
    value: { type: 'number' },
    expected: { type: 'number' },
    lower: { type: 'number' },
    upper: { type: 'number' },
    score: { type: 'number', minimum: 0, maximum: 1 },
    severity: { enum: ['warning', 'critical'] },
    state: { enum: ['firing', 'resolved'] },
    model: { type: 'string', minLength: 1 },
    view: { enum: [...SURPRISE_VIEWS] },
    source: {
      type: 'object',
      required: ['topic', 'partition', 'offset'],
      properties: { topic: { type: 'string' }, partition: { type: 'integer', minimum: 0 }, offset: { type: 'string', pattern: '^[0-9]+$' } },
      additionalProperties: false,
    },
    kind: { const: 'alert' },
    id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
    reason: { enum: ['evicted', 'reset', 'moved', 'stale'] },
    eviction: { enum: ['idle', 'cap'] },
    heldUntilTs: epochMs,
    tickTs: epochMs,
    firingId: { type: 'string', pattern: '^[0-9a-f]{16}$' },
  },
  additionalProperties: false,
  allOf: [
    // view and heldUntilTs: firing records only; reason and tickTs: resolved records only, which all name their firing record (firingId); eviction: with reason "evicted".
    { if: { properties: { state: { const: 'resolved' } } }, then: { required: ['firingId'], not: { anyOf: [{ required: ['view'] }, { required: ['heldUntilTs'] }] } } },
    { if: { properties: { state: { const: 'firing' } } }, then: { required: ['view'], not: { anyOf: [{ required: ['reason'] }, { required: ['tickTs'] }, { required: ['firingId'] }] } } },
    { if: { required: ['eviction'] }, then: { required: ['reason'], properties: { reason: { const: 'evicted' } } } },
    { if: { required: ['reason'], properties: { reason: { const: 'evicted' } } }, then: { required: ['eviction'], not: { required: ['source'] } } },
  ],
} as const;

/** § Incident records (`"kind":"incident"`, same topic). */
export const incidentSchema = {
  type: 'object',
  required: ['kind', 'id', 'group', 'groupBy', 'state', 'severity', 'firstTs', 'lastTs', 'series', 'alerts', 'count'],
  properties: {
    kind: { const: 'incident' },
    id: { type: 'string', pattern: '^inc-[0-9a-f]{16}$' },
    group: { type: 'string', minLength: 1 },
    groupBy: { type: 'string', pattern: '^(prefix|label:.+)$' },
    state: { enum: ['open', 'closed'] },
    severity: { enum: ['warning', 'critical'] },
    firstTs: epochMs,
    lastTs: epochMs,
    series: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string' } },
    alerts: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'series', 'feature', 'ts', 'severity', 'score'],
        properties: {
          id: { type: 'string', pattern: '^[0-9a-f]{16}$' },
          series: { type: 'string' },
          feature: { type: 'string', minLength: 1 },
          ts: epochMs,
          severity: { enum: ['warning', 'critical'] },
          score: { type: 'number', minimum: 0, maximum: 1 },
        },
        additionalProperties: false,
      },
    },
    count: { type: 'integer', minimum: 1 },
  },
  additionalProperties: false,
} as const;

/** § Output: `ticks.dlq` — the headers tickcast adds to an input record's dead letter. */
export const deadLetterHeadersSchema = {
  type: 'object',
  required: ['tickcast-error-code', 'tickcast-error-message', 'tickcast-source-topic', 'tickcast-source-partition', 'tickcast-source-offset', 'tickcast-failed-at'],
  properties: {
    'tickcast-error-code': { type: 'string', pattern: '^TC_[A-Z_]+$' },
    'tickcast-error-message': { type: 'string', minLength: 10 },
    'tickcast-source-topic': { type: 'string', minLength: 1 },
    'tickcast-source-partition': { type: 'string', pattern: '^[0-9]+$' },
    'tickcast-source-offset': { type: 'string', pattern: '^[0-9]+$' },
    'tickcast-failed-at': { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$' },
    'tickcast-source-timestamp': { type: 'string', pattern: '^[0-9]+$' },
  },
} as const;

/** § Outputs too large to write: the dead letter standing in for a forecast or alert (no value, no source headers). */
export const outputDeadLetterHeadersSchema = {
  type: 'object',
  required: ['tickcast-error-code', 'tickcast-error-message', 'tickcast-failed-at', 'tickcast-output-topic', 'tickcast-output-bytes', 'tickcast-value-sha256'],
  properties: {
    'tickcast-error-code': { const: 'TC_OUTPUT_TOO_LARGE' },
    'tickcast-error-message': { type: 'string', minLength: 10 },
    'tickcast-failed-at': deadLetterHeadersSchema.properties['tickcast-failed-at'],
    'tickcast-output-topic': { type: 'string', minLength: 1 },
    'tickcast-output-bytes': { type: 'string', pattern: '^[1-9][0-9]*$' },
    'tickcast-value-sha256': { type: 'string', pattern: '^[0-9a-f]{64}$' },
    traceparent: { type: 'string' },
    tracestate: { type: 'string' },
  },
  additionalProperties: false,
} as const;

/** Headers an output (forecast, alert, incident) may carry: the tick's valid trace context, nothing else. */
export const outputHeadersSchema = {
  type: 'object',
  properties: {
    traceparent: { type: 'string', pattern: '^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
    tracestate: { type: 'string', maxLength: 512 },
  },
  additionalProperties: false,
} as const;

/** One output record as the pipeline hands it to the sink, or as read back from the broker (headers as text). */
export interface OutputRecord {
  stream: 'forecasts' | 'anomalies' | 'dlq' | 'alertState';
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export function outputContract() {
  // strictRequired off: a step's required `p50` is one of its pattern properties (the quantile keys).
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true });
  const v = {
    forecast: ajv.compile(forecastSchema),
    alert: ajv.compile(alertSchema),
    incident: ajv.compile(incidentSchema),
    dlqHeaders: ajv.compile(deadLetterHeadersSchema),
    outputDlqHeaders: ajv.compile(outputDeadLetterHeadersSchema),
    headers: ajv.compile(outputHeadersSchema),
  };
  const fail = (what: string, validate: ValidateFunction, data: unknown) =>
    `${what}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(data)}`;
  /** The problems of one record, [] when it keeps the contract. */
  const check = (r: OutputRecord): string[] => {
    const problems: string[] = [];
    if (r.stream === 'dlq' && r.headers['tickcast-error-code'] === 'TC_OUTPUT_TOO_LARGE') {
      if (!v.outputDlqHeaders(r.headers)) problems.push(fail('output dead-letter headers', v.outputDlqHeaders, r.headers));
      if (r.value !== null && r.value !== '') problems.push(`an output dead letter has no value: ${r.value.slice(0, 80)}`);
      return problems;
    }
    if (r.stream === 'dlq') {
      if (!v.dlqHeaders(r.headers)) problems.push(fail('dead-letter headers', v.dlqHeaders, r.headers));
      return problems;
    }
    if (r.stream === 'alertState') {
      // A tombstone, or the open alert's firing record under the key [series, feature].
      if (r.value === null) return problems;
      const open = JSON.parse(r.value) as Record<string, unknown>;
      if (!v.alert(open)) problems.push(fail('alert state', v.alert, open));
      if (open.state !== 'firing' || r.key !== JSON.stringify([open.series, open.feature ?? ''])) problems.push(`alert state ${r.key} is not the firing record of its key: ${r.value.slice(0, 80)}`);
      return problems;
    }
    if (!v.headers(r.headers)) problems.push(fail(`${r.stream} headers`, v.headers, r.headers));
    const body = JSON.parse(r.value ?? 'null') as Record<string, unknown>;
    if (r.stream === 'forecasts') {
      if (!v.forecast(body)) problems.push(fail('forecast', v.forecast, body));
      if (r.key !== body.series) problems.push(`forecast key ${r.key} is not its series ${String(body.series)}`);
    } else if (body.kind === 'incident') {
      if (!v.incident(body)) problems.push(fail('incident', v.incident, body));
      if (r.key !== body.id) problems.push(`incident key ${r.key} is not its id ${String(body.id)}`);
    } else {
      if (!v.alert(body)) problems.push(fail('alert', v.alert, body));
      if (r.key !== body.series) problems.push(`alert key ${r.key} is not its series ${String(body.series)}`);
    }
    return problems;
  };
  return { check };
}
