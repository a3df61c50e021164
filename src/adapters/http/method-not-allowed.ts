/**
 * 405 Method Not Allowed (RFC 9110 § 15.5.6): a request for a path that a route serves, with a
 * method it does not serve, is told which methods it takes (`Allow`) instead of a 404 that says
 * the path does not exist. OPTIONS on such a path answers 204 with `Allow` (§ 9.3.7); a CORS
 * preflight from an origin in http.corsOrigins is answered before this (./cors.ts).
 * Paths no route serves stay 404 (errors.ts). The routes are learnt through the onRoute hook:
 * call `trackRouteMethods` before any route is registered.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes } from '../../errors/index.ts';

/** Each route template as a regular expression over the raw (still percent-encoded) path, with the methods it serves. */
export class RouteMethods {
  readonly #routes = new Map<string, { re: RegExp; methods: Set<string> }>();

  add(url: string, methods: string | string[]): void {
    let r = this.#routes.get(url);
    if (r === undefined) {
      r = { re: templateRegExp(url), methods: new Set() };
      this.#routes.set(url, r);
    }
    for (const m of Array.isArray(methods) ? methods : [methods]) r.methods.add(m.toUpperCase());
  }

  /** The methods the path is served with, sorted, OPTIONS included; empty when no route serves the path. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const { re, methods } of this.#routes.values()) if (re.test(path)) for (const m of methods) out.add(m);
    if (out.size === 0) return [];
    if (out.has('GET')) out.add('HEAD');
    out.add('OPTIONS');
    return [...out].sort();
  }
}

/** `/v1/series/:id` → ^/v1/series/[^/]+$ ; `/docs/*` → ^/docs/.*$ (fastify's own template syntax). */
function templateRegExp(url: string): RegExp {
  const parts = url.split(/(:[A-Za-z0-9_]+|\*)/).map((p) => (p === '*' ? '.*' : p.startsWith(':') ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

export function trackRouteMethods(app: FastifyInstance): RouteMethods {
  const routes = new RouteMethods();
  app.addHook('onRoute', (route) => {
    // A HEAD route fastify adds for a GET route copies its config: skip it with its GET.
    if ((route.config as { refuses?: boolean } | undefined)?.refuses !== true) routes.add(route.url, route.method);
  });
  return routes;
}

/** The 405 body (errors.ts's ErrorBody; not imported, errors.ts imports this) for `method` on `path`, or null when the path is unknown (a 404) or the method is served. */
export function methodNotAllowed(method: string, path: string, allow: string[]): { error: { code: string; message: string; hint: string; details: { allow: string[] }; retriable: false } } | null {
  if (allow.length === 0 || allow.includes(method)) return null;
  const served = allow.filter((m) => m !== 'OPTIONS' && m !== 'HEAD');
  return {
    error: {
      code: ErrorCodes.HTTP_METHOD_NOT_ALLOWED,
      message: `${method} is not allowed on ${path}`,
      hint: `this path takes ${served.join(', ')}; see /docs`,
      details: { allow },
      retriable: false,
    },
  };
}
