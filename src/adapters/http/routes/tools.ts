/** GET /v1/tools: the agent tools as function-calling schemas (the same definitions as /mcp). */
import type { FastifyInstance } from 'fastify';
import type { ServingApi } from '../../../pipeline/ports.ts';
import type { HttpConfig } from '../config.ts';
import { functionCallingSchemas, toolDefinitions } from '../tools.ts';

/** Built per request, as /mcp's tools/list: the forecast tools' descriptions state the serving model's window and horizon. */
export function registerToolRoutes(app: FastifyInstance, deps: { config: HttpConfig; serving: Pick<ServingApi, 'modelInfo'> }): void {
  const mcp = deps.config.mcp.enabled ? { url: '/mcp', transport: 'streamable-http' } : null;
  const body = () => ({ tools: functionCallingSchemas(toolDefinitions(deps.config, deps.serving.modelInfo().spec)), mcp });
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
    async () => body(),
  );
}
