import type { ServingApi } from '../../pipeline/ports.ts';

/** One MCP tool: its name, description, argument schema and what it runs (tools.ts, tools-alerts.ts). */
export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema (draft-07 subset) of the arguments object. */
  inputSchema: { type: 'object'; properties: Record<string, unknown>; additionalProperties: false; required?: string[] };
  run(serving: ServingApi, args: Record<string, unknown>, signal?: AbortSignal): Promise<unknown>;
}
