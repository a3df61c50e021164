/**
 * What a 404 says: the path sent, and a hint at what the client meant (a series sub-resource, an
 * id holding "/", a dot segment resolved by the client, a trailing slash). errors.ts sends it.
 */
import { ErrorCodes } from '../../errors/index.ts';
import type { RouteMethods } from './method-not-allowed.ts';
import { SERIES_ID_MAX } from './schemas.ts';

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
  // Its id is repeated in the commands: only one that can be an id (256 characters, percent-encoded: 768).
  if (sub && sub[1].length <= 3 * SERIES_ID_MAX) {
    const id = JSON.stringify(safeDecode(sub[1]));
    return `a series has no routes under it: forecast it with POST /v1/predict {"series":${id}}, list its alerts with GET /v1/anomalies?series=${sub[1]}; GET /v1/series/${sub[1]} shows its window and last forecast (or, if "${sub[2]}" is part of the id: ${SLASH_IN_ID_HINT})`;
  }
  // Series ids may hold '/' (input.seriesPattern): sent raw, the id spans path segments and matches no route.
  if (/^\/v1\/series\/[^/]+\/./.test(path)) return SLASH_IN_ID_HINT;
  // `/v1/series/..` (or %2E%2E) reaches us as `/v1/`: WHATWG clients resolve dot segments before sending.
  if (path === '/v1/' || path === '/v1') return `see /docs for the routes; if you asked for /v1/series/.. : ${DOT_SEGMENT_HINT}`;
  return 'see /docs for the routes this server offers';
}

/** The most of a path or location a 404 repeats (a path may be up to node's 16 KiB header bound). */
export const ECHO_MAX = 256;

/** `text` as a 404 shows it: whole up to ECHO_MAX characters, else its start and its length. */
function echoed(text: string): string {
  return text.length <= ECHO_MAX ? text : `${text.slice(0, ECHO_MAX - 56)}… (${text.length} characters)`;
}

/**
 * The 404 body for `url` (path and query as sent). A path that a route serves but for a trailing
 * slash (`/v1/predict/`: a proxy or a client base URL ending in "/") names that route; until 7 Dec
 * 2026 it got the generic "see /docs". It is not served as the bare path (fastify's
 * ignoreTrailingSlash): `/v1/series/` would then list the series instead of saying that the id is
 * empty, and a client would never learn its URL is off. The path sent is repeated once (the
 * message), the location to use once (the hint; with the query sent, `details.location`), each
 * at most ECHO_MAX characters: until 7 Dec 2026 the path came back three times whole (message,
 * hint, details.route: 48 KiB for a 16 KiB path) and the suggestion dropped the query.
 */
export function notFoundBody(method: string, url: string, routes: RouteMethods): NotFoundBody {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const bare = withoutTrailingSlashes(path);
  const allow = bare !== path && bare !== '' ? routes.allowed(bare) : [];
  if (allow.length === 0) return { error: { code: ErrorCodes.HTTP_NOT_FOUND, message: `no route ${method} ${echoed(path)}`, hint: notFoundHint(path), retriable: false } };
  const takes = allow.includes(method) ? '' : ` (it takes ${allow.filter((m) => m !== 'HEAD' && m !== 'OPTIONS').join(', ')})`;
  const location = bare + (q < 0 ? '' : url.slice(q));
  const fits = location.length <= ECHO_MAX;
  return {
    error: {
      code: ErrorCodes.HTTP_NOT_FOUND,
      message: `no route ${method} ${echoed(path)} (paths here have no trailing slash)`,
      hint: `${fits ? `send it to ${location}` : 'send it to the same URL without the "/" before its query'}${takes}; if a proxy or a client's base URL adds the "/", remove it there`,
      details: { ...(fits ? { location } : {}), allow },
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
