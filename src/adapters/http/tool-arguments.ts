/**
 * A tool's arguments checked against its inputSchema, plus the one rule the schema only states in
 * words: exactly one of two fields (`forecast`: `window` or `series`). JSON Schema can say it only
 * with a combinator at the schema's top level (`oneOf`, `if`/`then`/`else`, `not`), and agent clients
 * refuse or drop such tools: the Anthropic API answers 400 to every request listing a tool whose
 * input_schema has `oneOf`/`anyOf`/`allOf` at the top level, Claude Code drops tools with a root
 * `allOf`/`if`/`then` (anthropics/claude-code#95504), OpenAI strict function calling wants a plain
 * object root. So the schema stays a plain object, its descriptions state the rule, and it is
 * checked here after the rest of the schema (a misspelt field is named as such) with one sentence
 * for neither/both.
 */
import { ErrorCodes } from '../../errors/index.ts';
import { toErrorResponse, type ErrorBody } from './errors.ts';
import type { Validators } from './validation.ts';

/** A tool's arguments as ./tool-definition.ts declares them: the schema, and the pair of which exactly one must be sent. */
export interface ToolArguments {
  inputSchema: { description?: string };
  exactlyOne?: readonly [string, string];
}

/** The error body for arguments that do not fit the tool's schema and rule, or null; fills in the schema's defaults. */
export function argumentsChecker(validators: Validators, tool: ToolArguments): (args: Record<string, unknown>) => ErrorBody | null {
  const check = validators.compileBody(tool.inputSchema);
  const pair = tool.exactlyOne;
  return (args) => {
    if (!check(args)) return toErrorResponse({ validation: check.errors ?? [], validationContext: 'arguments' }).body;
    const given = pair?.filter((k) => args[k] !== undefined).length;
    if (pair === undefined || given === 1) return null;
    const message = `arguments needs exactly one of "${pair[0]}" or "${pair[1]}"; got ${given === 0 ? 'neither' : 'both'}`;
    const hint = tool.inputSchema.description !== undefined ? { hint: tool.inputSchema.description } : {};
    return { error: { code: ErrorCodes.HTTP_BAD_REQUEST, message, ...hint, details: { problems: [message] }, retriable: false } };
  };
}
