/**
 * The `outputSchema` of every agent tool (MCP 2025-06-18, "Structured content"): the JSON Schema of
 * the `structuredContent` a successful call returns, so a client can check and type the result
 * instead of parsing text. Where a tool mirrors a REST route its schema is the route's response
 * schema, made self-contained: fastify's shared `ForecastStep#` is inlined and the OpenAPI-only
 * keywords (`nullable`, `example`, `$id`) become plain JSON Schema, which any validator (the SDK
 * client's Ajv among them) compiles. test/unit/http/mcp-output-schema.test.ts validates real results.
 */
import { feedbackEntrySchema, feedbackResultSchema, incidentSchema } from './alert-schemas.ts';
import { anomalyRecordSchema, forecastStepSchema, predictResponseSchema } from './schemas.ts';
import { seriesPageSchema } from './series-page.ts';
import { bandQualitySchema, snapshotStatusSchema } from './status-schemas.ts';

/** A JSON Schema whose instances are objects: MCP requires `type: "object"` at the top of an outputSchema. */
export type ObjectSchema = { type: 'object'; properties: Record<string, unknown>; required?: string[] } & Record<string, unknown>;

const OPENAPI_ONLY = new Set(['$id', 'example', 'nullable']);

/** A REST schema as standalone JSON Schema: `ForecastStep#` inlined, `nullable: true` → a `null` type, OpenAPI-only keywords dropped. */
export function standalone(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(standalone);
  if (schema === null || typeof schema !== 'object') return schema;
  const s = schema as Record<string, unknown>;
  if (s.$ref === 'ForecastStep#') return forecastStep();
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(s)) {
    if (OPENAPI_ONLY.has(key)) continue;
    // Under `properties` the keys are field names, not keywords: keep them all, convert their schemas.
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, standalone(v)])) : standalone(value);
  }
  if (s.nullable === true) out.type = [s.type, 'null'].flat();
  return out;
}

/**
 * One forecast step. A quantile may be null, not only p50: a window holding a missing value (NaN)
 * gives NaN quantiles, which JSON writes as null (REST does the same, server.ts).
 */
function forecastStep(): unknown {
  return { ...(standalone(forecastStepSchema) as object), additionalProperties: { type: ['number', 'null'] } };
}

function object(properties: Record<string, unknown>, required: string[], description?: string): ObjectSchema {
  return { type: 'object', ...(description === undefined ? {} : { description }), properties, required };
}

function itemsOf(item: unknown, description: string): ObjectSchema {
  return object({ items: { type: 'array', items: standalone(item) } }, ['items'], description);
}

function forecastOutput(): ObjectSchema {
  const s = standalone(predictResponseSchema) as ObjectSchema;
  return { ...s, description: 'The forecast: `horizon` holds one entry per step with the p10/p50/p90 quantiles; `model` is the version that answered.' };
}

function explainOutput(): ObjectSchema {
  const base = forecastOutput();
  const attended = object({ index: { type: 'integer', minimum: 0 }, stepsAgo: { type: 'integer', minimum: 1 }, weight: { type: 'number' } }, ['index', 'stepsAgo', 'weight']);
  return {
    ...base,
    description: 'The forecast plus `attention` (one weight per window step, oldest first; absent when the model gives none) and `mostAttended` (the top 5 steps, heaviest first).',
    properties: { ...base.properties, mostAttended: { type: 'array', maxItems: 5, items: attended } },
    required: [...(base.required ?? []), 'mostAttended'],
  };
}

/** outputSchema by tool name: every tool has one (tools.ts checks). */
export function toolOutputSchemas(): Record<string, ObjectSchema> {
  const page = standalone(seriesPageSchema) as ObjectSchema;
  const feedbackResult = standalone(feedbackResultSchema) as ObjectSchema;
  return {
    forecast: forecastOutput(),
    explain_forecast: explainOutput(),
    list_series: { ...page, required: ['total', 'offset', 'limit', 'nextOffset', 'items'] },
    recent_anomalies: itemsOf(anomalyRecordSchema, 'Anomaly alert records, newest first.'),
    give_alert_feedback: { ...feedbackResult, required: ['alertId', 'series', 'feedback', 'effect'] },
    list_alert_feedback: itemsOf(feedbackEntrySchema, 'Feedback in effect, most recent first.'),
    list_incidents: itemsOf(incidentSchema, 'Incidents, open first, newest first.'),
    band_quality: standalone(bandQualitySchema) as ObjectSchema,
    snapshot_status: standalone(snapshotStatusSchema) as ObjectSchema,
  };
}
