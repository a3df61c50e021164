/**
 * A tool's arguments checked against its inputSchema, plus the one rule JSON Schema says poorly for
 * agents: exactly one of two fields (`forecast`: `window` or `series`). The rule is in the schema an
 * agent reads, as top-level `if`/`then`/`else` — not `oneOf`/`anyOf`/`allOf`, which the Anthropic API
 * refuses at the top of a tool's input_schema ("input_schema does not support oneOf, allOf, or anyOf
 * at the top level": a 400 for every request that lists the tool, so one such tool breaks them all).
 * It is checked here after the rest of the schema, so a misspelt field is named as such (ajv checks
 * `if` first and would call `{"windows": …}` a missing "series"), and neither/both get one sentence.
 */
import { ErrorCodes } from '../../errors/index.ts';
import { toErrorResponse, type ErrorBody } from './errors.ts';
import type { Validators } from './validation.ts';

/** The schema rule "exactly one of `a` and `b`", for the top level of an inputSchema. */
export function exactlyOne(a: string, b: string): ExactlyOneRule {
  return { if: { required: [a] }, then: { not: { required: [b] } }, else: { required: [b] } };
}

export interface ExactlyOneRule {
  if: { required: [string] };
  then: { not: { required: [string] } };
  else: { required: [string] };
}

/** The error body for arguments that do not fit `schema`, or null; fills in the schema's defaults. */
export function argumentsChecker(validators: Validators, schema: { description?: string } & Partial<ExactlyOneRule>): (args: Record<string, unknown>) => ErrorBody | null {
  const { if: rule, then: _then, else: otherwise, ...plain } = schema;
  const check = validators.compileBody(plain);
  const pair = rule !== undefined && otherwise !== undefined ? [rule.required[0], otherwise.required[0]] : undefined;
  return (args) => {
    if (!check(args)) return toErrorResponse({ validation: check.errors ?? [], validationContext: 'arguments' }).body;
    const given = pair?.filter((k) => args[k] !== undefined).length;
    if (pair === undefined || given === 1) return null;
    const message = `arguments needs exactly one of "${pair[0]}" or "${pair[1]}"; got ${given === 0 ? 'neither' : 'both'}`;
    const hint = schema.description !== undefined ? { hint: schema.description } : {};
    return { error: { code: ErrorCodes.HTTP_BAD_REQUEST, message, ...hint, details: { problems: [message] }, retriable: false } };
  };
}
