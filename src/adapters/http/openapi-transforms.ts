import type { SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';

/**
 * A route's `swaggerTransform`: its body is "exactly one of `a` and `b`" in the OpenAPI document, as
 * `oneOf` two whole objects, one with `a` required and without `b`, the other the reverse, the other
 * fields in both (OpenAPI 3.0 has no if/then/else). In the document only, not in validation: the
 * handler says "neither"/"both" in one sentence, which ajv's oneOf error would replace. Until 7 Dec
 * 2026 the document said it in prose only, so a client generated from it typed `{}` (a 400) as a
 * valid body; then, the same day, as branches holding only `required` beside the fields, which
 * generators type from the branches (openapi-typescript: `{…} & (unknown | unknown)`, `{}` still valid).
 */
export function documentExactlyOne(a: string, b: string): SwaggerTransform {
  return ({ schema, url }) => {
    const { properties = {}, ...body } = schema.body as { properties?: Record<string, unknown> };
    const without = (drop: string) => Object.fromEntries(Object.entries(properties).filter(([k]) => k !== drop));
    const branch = (need: string, drop: string) => ({ type: 'object', additionalProperties: false, required: [need], properties: without(drop) });
    const { type: _type, additionalProperties: _closed, ...rest } = body as Record<string, unknown>;
    return { schema: { ...schema, body: { ...rest, oneOf: [branch(a, b), branch(b, a)] } }, url };
  };
}

/**
 * The document's `transformObject`: @fastify/swagger marks every request body required, but a route
 * with `optionalBody` (POST /v1/model/rollback) takes none (./json-body.ts); `optional` holds their
 * `method path` (OpenAPI form, `{id}`). Until 7 Dec 2026 a generated client had to send one.
 */
export function unrequireOptionalBodies(optional: ReadonlySet<string>): SwaggerTransformObject {
  return (doc) => {
    if (!('openapiObject' in doc)) return doc.swaggerObject;
    const { openapiObject } = doc;
    const paths = (openapiObject.paths ?? {}) as Record<string, Record<string, Operation>>;
    for (const [path, ops] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (op.requestBody !== undefined && optional.has(`${method} ${path}`)) op.requestBody.required = false;
        documentRetryAfter(op);
      }
    }
    return openapiObject;
  };
}

type Operation = { requestBody?: { required?: boolean }; responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }>; headers?: Record<string, unknown> }> };

/**
 * Every 429 and every 503 in the error body carries Retry-After, whole seconds (the rate limit,
 * load shedding, closing; ./errors.ts sends 1 on a 503 that names none): said on those responses,
 * so a generated client can read it. Until 7 Dec 2026 no response listed the header. The probes'
 * 503 (their own health body) sends none and lists none.
 */
function documentRetryAfter(op: Operation): void {
  for (const status of ['429', '503']) {
    const r = op.responses?.[status];
    if (r?.content?.['application/json']?.schema?.$ref?.endsWith('/ErrorBody') !== true) continue;
    r.headers = { ...r.headers, 'Retry-After': { description: 'Seconds to wait before sending the request again.', schema: { type: 'integer', minimum: 1 } } };
  }
}

/**
 * Each operation's `operationId`: the method name a client generated from the document gets
 * (openapi-generator, orval, openapi-typescript-codegen). Without one (until 7 Dec 2026, none had
 * one) each generator makes its own from the path (`postV1ModelRollback`), and they change when a
 * path does. Keys: `METHOD url` as fastify registers it. openapi-document.test.ts fails on an
 * operation without one, so a new route gets its name here.
 */
export const OPERATION_IDS: Readonly<Record<string, string>> = {
  'GET /healthz': 'getLiveness',
  'GET /readyz': 'getReadiness',
  'GET /metrics': 'getMetrics',
  'GET /v1/snapshots': 'getSnapshotStatus',
  'POST /v1/predict': 'forecast',
  'GET /v1/series': 'listSeries',
  'GET /v1/series/:id': 'getSeries',
  'GET /v1/anomalies': 'listAnomalies',
  'GET /v1/model': 'getModel',
  'POST /v1/model/rollback': 'rollbackModel',
  'GET /v1/events': 'streamEvents',
  'POST /v1/anomalies/:id/feedback': 'giveAlertFeedback',
  'DELETE /v1/anomalies/:id/feedback': 'clearAlertFeedback',
  'GET /v1/feedback': 'listAlertFeedback',
  'GET /v1/incidents': 'listIncidents',
  'GET /v1/band-quality': 'getBandQuality',
  'GET /v1/tools': 'listTools',
};
