/**
 * What a 404 says: the path sent, and a hint at what the client meant (a series sub-resource, an
 * id holding "/", a dot segment resolved by the client, a trailing slash). errors.ts sends it.
 */
import { ErrorCodes } from '../../errors/index.ts';
import type { RouteMethods } from './method-not-allowed.ts';

/** errors.ts's ErrorBody for a 404 (not imported: errors.ts imports this file). */
interface NotFoundBody {
  error: { code: string; message: string; hint: string; details?: Record<string, unknown>; retriable: false };
}

export const DOT_SEGMENT_HINT =
  'the series ids "." and ".." cannot be sent as a path segment by most clients: they resolve it as "this/parent directory" before sending ' +
  '(browsers and fetch even when percent-encoded); curl keeps %2E and %2E%2E (or use --path-as-is), and POST /v1/predict {"series": ".."} takes any id';

const SLASH_IN_ID_HINT = 'a series id that contains "/" must be percent-encoded in the path (fx%2FEURUSD), e.g. with encodeURIComponent';

/** What a 404 suggests for `path` (no query). */
function notFoundHint(path: string): string {
  // A guess at a sub-resource of a series (`/v1/series/AAPL/forecast`): there are none; say where those live.
  const sub = /^\/v1\/series\/([^/]+)\/(forecasts?|predict(?:ions?)?|anomal(?:y|ies)|alerts?)\/?$/i.exec(path);
  if (sub) {
    const id = JSON.stringify(safeDecode(sub[1]));
    return `a series has no routes under it: forecast it with POST /v1/predict {"series":${id}}, list its alerts with GET /v1/anomalies?series=${sub[1]}; GET /v1/series/${sub[1]} shows its window and last forecast (or, if "${sub[2]}" is part of the id: ${SLASH_IN_ID_HINT})`;
  }
  // Series ids may hold '/' (input.seriesPattern): sent raw, the id spans path segments and matches no route.
  if (/^\/v1\/series\/[^/]+\/./.test(path)) return SLASH_IN_ID_HINT;
  // `/v1/series/..` (or %2E%2E) reaches us as `/v1/`: WHATWG clients resolve dot segments before sending.
  if (path === '/v1/' || path === '/v1') return `see /docs for the routes; if you asked for /v1/series/.. : ${DOT_SEGMENT_HINT}`;
  return 'see /docs for the routes this server offers';
}

/**
 * The 404 body. A path that a route serves but for a trailing slash (`/v1/predict/`: a proxy or a
 * client base URL ending in "/") names that route; until 7 Dec 2026 it got the generic "see /docs".
 * It is not served as the bare path (fastify's ignoreTrailingSlash): `/v1/series/` would then list
 * the series instead of saying that the id is empty, and a client would never learn its URL is off.
 */
export function notFoundBody(method: string, path: string, routes: RouteMethods): NotFoundBody {
  const bare = withoutTrailingSlashes(path);
  const allow = bare !== path && bare !== '' ? routes.allowed(bare) : [];
  if (allow.length === 0) return { error: { code: ErrorCodes.HTTP_NOT_FOUND, message: `no route ${method} ${path}`, hint: notFoundHint(path), retriable: false } };
  const takes = allow.includes(method) ? '' : ` (it takes ${allow.filter((m) => m !== 'HEAD' && m !== 'OPTIONS').join(', ')})`;
  return {
    error: {
      code: ErrorCodes.HTTP_NOT_FOUND,
      message: `no route ${method} ${path} (paths here have no trailing slash)`,
      hint: `send it to ${bare}${takes}; if a proxy or a client's base URL adds the "/", remove it there`,
      details: { route: bare, allow },
      retriable: false,
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * `path` less its trailing "/"s, by a scan: the regex /\/+$/ it replaced (7 Dec 2026) tried each
 * start in a run of slashes not at the end, quadratic: a 16 KiB path of them took 110 ms a 404.
 */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}
