import type { ServingApi } from '../../pipeline/ports.ts';
import type { ObjectSchema } from './tool-output-schemas.ts';

/** One MCP tool: its name, description, argument schema and what it runs (tools.ts, tools-alerts.ts). */
export interface ToolDefinition {
  name: string;
  /** Display name for people (MCP `title`, 2025-06-18); `name` is what a model calls. */
  title: string;
  description: string;
  /**
   * JSON Schema (draft-07 subset) of the arguments object: a plain object at its top level, without
   * allOf/anyOf/oneOf/not/if/then/else, which agent clients refuse or drop there (./tool-arguments.ts).
   */
  inputSchema: { type: 'object'; description?: string; properties: Record<string, unknown>; additionalProperties: false; required?: string[] };
  /** Exactly one of these two arguments must be sent: said in the fields' descriptions, checked by the server (./tool-arguments.ts). */
  exactlyOne?: readonly [string, string];
  /** JSON Schema of what `run` resolves to: the MCP result's `structuredContent` (./tool-output-schemas.ts). */
  outputSchema: ObjectSchema;
  /** Changes server state: needs an API key exactly as the REST route it mirrors (auth.ts), and MCP lists it with readOnlyHint false. */
  mutating?: true;
  /** A mutating tool whose repeat with the same arguments changes nothing more (MCP idempotentHint). */
  idempotent?: true;
  /** `caller`: who calls, as feedback records it (`key:<fingerprint>` when a valid key came with the call). */
  run(serving: ServingApi, args: Record<string, unknown>, signal?: AbortSignal, caller?: string): Promise<unknown>;
}
