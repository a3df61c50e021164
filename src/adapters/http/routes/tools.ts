/** GET /v1/tools: the agent tools as function-calling schemas (the same definitions as /mcp). */
import type { FastifyInstance } from 'fastify';
import type { HttpConfig } from '../config.ts';
import { functionCallingSchemas, toolDefinitions } from '../tools.ts';

export function registerToolRoutes(app: FastifyInstance, deps: { config: HttpConfig }): void {
  const body = {
    tools: functionCallingSchemas(toolDefinitions(deps.config)),
    mcp: deps.config.mcp.enabled ? { url: '/mcp', transport: 'streamable-http' } : null,
  };
  app.get(
    '/v1/tools',
    {
      schema: {
        summary: 'Agent tools as function-calling schemas (same tools as the MCP server at /mcp)',
        tags: ['agents'],
        response: {
          200: {
            type: 'object',
            properties: {
              tools: { type: 'array', items: { type: 'object', additionalProperties: true } },
              mcp: { type: 'object', nullable: true, properties: { url: { type: 'string' }, transport: { type: 'string' } } },
            },
          },
        },
      },
    },
    async () => body,
  );
}
