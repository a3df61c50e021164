import type { SwaggerTransform } from '@fastify/swagger';

/**
 * A route's `swaggerTransform`: its body is "exactly one of `a` and `b`" in the OpenAPI document, as
 * `oneOf: [{required: [a]}, {required: [b]}]` (OpenAPI 3.0 has no if/then/else). In the document
 * only, not in validation: the handler says "neither"/"both" in one sentence, which ajv's oneOf
 * error would replace. Until 7 Dec 2026 the document said it in prose only, so a client generated
 * from it typed `{}` (a 400) as a valid body.
 */
export function documentExactlyOne(a: string, b: string): SwaggerTransform {
  return ({ schema, url }) => ({ schema: { ...schema, body: { ...(schema.body as object), oneOf: [{ required: [a] }, { required: [b] }] } }, url });
}
