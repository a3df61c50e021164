/** What the OpenAPI document says of each route beyond its own schema: the refusals before its handler, and who must send a key (server.ts applies it to every route). */

export const errorResponses = {
  400: { $ref: 'ErrorBody#' },
  401: { $ref: 'ErrorBody#' },
  429: { $ref: 'ErrorBody#' },
  503: { $ref: 'ErrorBody#' },
} as const;

/**
 * What the OpenAPI document says a route answers beyond its own schema (until 7 Dec 2026 it said
 * neither): a route that reads a body can also answer 413 (larger than http.bodyLimitBytes) and 415
 * (not application/json) before its handler runs, so a client generated from /docs/json has a type
 * for them; and who must send a key — the document's default is the bearer key, which the probes
 * (`open` routes) never need, and reads need only with `requireAuthForReads` (`{}`: no key is also
 * accepted). Mutating routes keep the default, except on a server started with no keys and
 * `allowUnauthenticatedMutations` (./auth.ts answers them without a key there; until 7 Dec 2026 the
 * document said a key was required there, and a client that sent one got 401 "not valid").
 * A server with no keys and no keys file to re-read refuses every key sent (a key sent must be
 * valid), so there its keyless routes list no key at all (`[]`); until 7 Dec 2026 they said a key
 * or none, and a client generated from that which sent a key got 401.
 * Every route that is not `open` also lists what server.ts's onRequest and preParsing hooks answer
 * before its handler: 400 (a query that is not UTF-8, ./query-utf8.ts), 401 (a key required or
 * a key sent that is not valid), 429 (rate limit; only with rateLimit.enabled, until 7 Dec 2026 listed
 * also where no 429 could come), 503 (closing, ./closing-sweep.ts; shed, for
 * `work` routes) and, with http.allowedHosts set, 403; a route with a path parameter, 414. Until 7 Dec 2026 /metrics, /v1/tools and
 * /v1/events listed only a 200, so a generated client had no type for those answers.
 * Every route, the probes too, lists what node's HTTP parser answers before any route (./errors.ts
 * clientErrorHandler): 408 when a request is not whole within http.requestTimeoutMs, or its headers within
 * node's headersTimeout (60 s, on also with http.requestTimeoutMs 0: until 7 Dec 2026, night, the 408 was not
 * listed there), and 431 for headers over node's limit; until 7 Dec 2026 neither was listed.
 */
export function documentRoute(
  route: { schema?: { body?: unknown; params?: unknown; response?: unknown; security?: unknown }; config?: unknown },
  auth: { requireAuthForReads: boolean; allowUnauthenticatedMutations: boolean; apiKeys: readonly string[]; apiKeysFile: string; apiKeysReloadMs: number; allowedHosts: readonly string[]; rateLimit: { enabled: boolean } },
): void {
  const s = route.schema;
  if (s === undefined) return;
  const flags = (route.config ?? {}) as { open?: boolean; mutating?: boolean };
  const keyless = flags.mutating === true ? auth.apiKeys.length === 0 && auth.allowUnauthenticatedMutations : !auth.requireAuthForReads;
  // No key now, and none can come (no keys file re-read): every key sent is refused, so a route answered without one takes none.
  const neverKeys = auth.apiKeys.length === 0 && (auth.apiKeysFile === '' || auth.apiKeysReloadMs <= 0);
  const security = flags.open === true || (keyless && neverKeys) ? [] : keyless ? [{ bearer: [] }, {}] : undefined;
  const own = typeof s.response === 'object' && s.response !== null ? s.response : undefined;
  // The query check runs on every route, the open ones too (until 7 Dec 2026 the probes did not list its 400).
  const { 429: limited, ...guarded } = errorResponses;
  const edge = flags.open === true ? { 400: errorResponses[400] } : { ...guarded, ...(auth.rateLimit.enabled ? { 429: limited } : {}), ...(auth.allowedHosts.length > 0 ? { 403: { $ref: 'ErrorBody#' } } : {}) };
  // A path parameter over the router's maxParamLength (3,072 bytes) is 414 before the route (errors.ts); until the review of 7 Dec 2026 not listed.
  const long = s.params !== undefined ? { 414: { $ref: 'ErrorBody#' } } : {};
  const parser = { 408: { $ref: 'ErrorBody#' }, 431: { $ref: 'ErrorBody#' } };
  const response = own === undefined ? undefined : { ...edge, ...parser, ...own, ...long, ...(s.body !== undefined ? { 413: { $ref: 'ErrorBody#' }, 415: { $ref: 'ErrorBody#' } } : {}) };
  route.schema = { ...s, response, ...(security !== undefined ? { security } : {}) };
}
