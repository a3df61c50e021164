/**
 * Request validation. Bodies are validated strictly (no type coercion, so "1.5" is not a number;
 * NaN/Infinity rejected; unknown fields rejected rather than silently dropped). Query strings and
 * path params are text by nature, so there integers are coerced ("?limit=10"). Request schemas do
 * not use $ref (only response schemas do, and those go to the serialiser, not here).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

const common = { allErrors: false, strict: false, useDefaults: true, removeAdditional: false } as const;

export interface Validators {
  /** For fastify.setValidatorCompiler. */
  compiler: FastifySchemaCompiler<unknown>;
  /** Strict validator for JSON bodies outside fastify routes (MCP tool arguments). */
  compileBody(schema: object): ValidateFunction;
}

export function createValidators(): Validators {
  const bodyAjv = new Ajv({ ...common, coerceTypes: false, strictNumbers: true });
  const textAjv = new Ajv({ ...common, coerceTypes: true, strictNumbers: true });
  return {
    compiler: ({ schema, httpPart }) => {
      if (httpPart !== 'body') return textAjv.compile(schema as object);
      // A request without a body (no Content-Type, no bytes) reaches validation as null/undefined; let
      // the handler decide (rollback takes no body; predict answers 400 saying what to send).
      const validate = bodyAjv.compile(schema as object);
      const optional = (data: unknown) => {
        if (data === undefined || data === null) return true;
        const ok = validate(data);
        optional.errors = validate.errors;
        return ok;
      };
      optional.errors = null as ValidateFunction['errors'];
      return optional;
    },
    compileBody: (schema) => bodyAjv.compile(schema),
  };
}
