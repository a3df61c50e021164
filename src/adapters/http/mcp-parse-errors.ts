/**
 * The error handler of POST /mcp (./mcp.ts): a body fastify's parser refuses is JSON-RPC's parse
 * error, and a POST refused before its handler still pays its rate-limit token. Split from mcp.ts
 * on 7 Dec 2026 (at 296 of its 300 lines), no change in behaviour.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isBodyNotUtf8 } from './json-body.ts';
import { jsonRpcErrorBody, PARSE_ERROR_DATA } from './mcp-checks.ts';

/** Takes a POST's rate-limit tokens, or throws the 429 (./mcp.ts McpRouteDeps.chargeRateLimit). */
type ChargeRateLimit = (req: FastifyRequest, reply: FastifyReply, cost: number, calls: number) => void;

/**
 * A body that is not JSON (or not UTF-8) is JSON-RPC's parse error (-32700) here, not the REST error body; every other error (401, 413, 429…) keeps it.
 * A POST refused before its handler charged it (a wrong key, a body too large or not JSON) costs one rate-limit token here, so key guessing still meets the limit.
 */
export function parseErrorHandler(app: FastifyInstance, charged: WeakSet<FastifyRequest>, charge: ChargeRateLimit | undefined) {
  const fallback = app.errorHandler;
  return (err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    if (!charged.has(req)) {
      charged.add(req);
      try {
        charge?.(req, reply, 1, 1);
      } catch (limited) {
        return fallback.call(app, limited as Error, req, reply);
      }
    }
    return isJsonParseError(err)
      ? reply.code(400).type('application/json').send(jsonRpcErrorBody(-32700, PARSE_ERROR, PARSE_ERROR_DATA))
      : isBodyNotUtf8(err)
        ? reply.code(400).type('application/json').send(jsonRpcErrorBody(-32700, `Parse error: ${(err as Error).message}`, PARSE_ERROR_DATA))
        : fallback.call(app, err as Error, req, reply);
  };
}

const PARSE_ERROR = 'Parse error: the body is not valid JSON (or holds a "__proto__" or "constructor" key)';

/** fastify's JSON parser refused the body (bad JSON, or secure-json-parse's "__proto__"/"constructor" keys). */
function isJsonParseError(err: unknown): boolean {
  return (err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError;
}
