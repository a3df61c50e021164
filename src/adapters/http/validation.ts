/**
 * Request validation. Bodies are validated strictly (no type coercion, so "1.5" is not a number;
 * NaN/Infinity rejected; unknown fields rejected rather than silently dropped). Query strings and
 * path params are text by nature, so there integers are coerced ("?limit=10"); ajv coerces
 * "Infinity" and "1e400" too and then skips minimum/maximum, so a coerced value must also be finite.
 * Request schemas do not use $ref (only response schemas do, and those go to the serialiser, not here).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifySchemaCompiler } from 'fastify';

// verbose: an error carries the value and its schema, so a message can quote what came and list the accepted fields (errors.ts).
const common = { allErrors: false, strict: false, useDefaults: true, removeAdditional: false, verbose: true } as const;

export interface Validators {
  /** For fastify.setValidatorCompiler. */
  compiler: FastifySchemaCompiler<unknown>;
  /** Strict validator for JSON bodies outside fastify routes (MCP tool arguments). */
  compileBody(schema: object): ValidateFunction;
}

/** `validate` plus: no top-level field of the (coerced) object may be a non-finite number. */
function finiteFields(validate: ValidateFunction): ValidateFunction {
  const check = ((data: unknown) => {
    const ok = validate(data);
    check.errors = validate.errors;
    if (!ok || data === null || typeof data !== 'object') return ok;
    for (const [k, v] of Object.entries(data)) {
      if (typeof v === 'number' && !Number.isFinite(v)) {
        check.errors = [{ instancePath: `/${k}`, schemaPath: '#/finite', keyword: 'type', params: { type: 'finite number' }, message: 'must be a finite number' }];
        return false;
      }
    }
    return true;
  }) as ValidateFunction;
  check.errors = null;
  return check;
}

/**
 * `validate` plus: no query parameter may be given twice. `?limit=1&limit=2` parses as an array,
 * which no route's query takes; said as such rather than "must be an integer".
 */
function onceEach(validate: ValidateFunction): ValidateFunction {
  const check = ((data: unknown) => {
    const repeated = data !== null && typeof data === 'object' ? Object.entries(data).find(([, v]) => Array.isArray(v)) : undefined;
    if (repeated !== undefined) {
      const [k, v] = repeated as [string, unknown[]];
      check.errors = [{ instancePath: `/${k}`, schemaPath: '#/once', keyword: 'repeated', params: {}, message: `is given ${v.length} times; give it once` }];
      return false;
    }
    const ok = validate(data);
    check.errors = validate.errors;
    return ok;
  }) as ValidateFunction;
  check.errors = null;
  return check;
}

export function createValidators(): Validators {
  const bodyAjv = new Ajv({ ...common, coerceTypes: false, strictNumbers: true });
  const textAjv = new Ajv({ ...common, coerceTypes: true, strictNumbers: true });
  return {
    compiler: ({ schema, httpPart }) => {
      if (httpPart === 'querystring') return onceEach(finiteFields(textAjv.compile(schema as object)));
      if (httpPart !== 'body') return finiteFields(textAjv.compile(schema as object));
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
