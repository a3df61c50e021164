/**
 * GET / (the live dashboard) and its static assets under /static/. Files are read once at build
 * time and served from memory; uPlot comes from node_modules/uplot (no CDN). The page holds no
 * data itself, so these routes are `open`; the data it fetches follows the read auth policy.
 *
 * Caching: the page names every asset with a hash of its content (`static/dashboard.js?v=…`); an
 * asset asked for with its current hash is cached for good, and anything else (no hash, another
 * release's hash) with `no-cache` and an ETag, so a new page is never paired with stale scripts
 * and a pod of the previous release cannot pin its files under the new URLs.
 *
 * The page's one inline script (its first element) adds the trailing slash to the address when it
 * lacks one, before any relative URL is resolved: behind a proxy that strips a path prefix,
 * `/tickcast` and `/tickcast/` both reach this server as `/`, and only the latter resolves
 * `static/…` and `v1/…` under the prefix. That script then adds the page's styles and scripts
 * itself: as tags in the markup, Chromium's preload scanner fetched all six against the slashless
 * address before the script ran (six 404s behind such a proxy, until 6 Dec 2026). The CSP allows
 * it by its SHA-256 alone (`script-src 'self' 'sha256-…'`, no 'unsafe-inline'); the hash is
 * computed from the page here, after its asset names gained their content hashes.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const require = createRequire(import.meta.url);
const here = new URL('./dashboard/static/', import.meta.url);

const ASSETS: Record<string, { file: string | URL; type: string }> = {
  'dashboard-backoff.js': { file: new URL('dashboard-backoff.js', here), type: 'text/javascript; charset=utf-8' },
  'dashboard.js': { file: new URL('dashboard.js', here), type: 'text/javascript; charset=utf-8' },
  'dashboard-series.js': { file: new URL('dashboard-series.js', here), type: 'text/javascript; charset=utf-8' },
  'dashboard-alerts.js': { file: new URL('dashboard-alerts.js', here), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: new URL('dashboard.css', here), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/** The page's CSP; `inline`: the page's inline scripts, each allowed by its hash and nothing else. */
function pageCsp(inline: readonly string[]): string {
  const hashes = inline.map((s) => ` 'sha256-${createHash('sha256').update(s).digest('base64')}'`).join('');
  return [
    "default-src 'self'", "img-src 'self' data:", "style-src 'self'", `script-src 'self'${hashes}`, "connect-src 'self'",
    "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
  ].join('; ');
}
const pageHeaders = (html: string) => ({
  'content-security-policy': pageCsp([...html.matchAll(/<script>([^<]*)<\/script>/g)].map((m) => m[1])),
  'x-frame-options': 'DENY', // frame-ancestors' older form, for browsers and scanners that know only it
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
});
const FOREVER = 'public, max-age=31536000, immutable';

interface Served { body: Buffer; type: string; hash: string }

const served = (body: Buffer, type: string): Served => ({ body, type, hash: createHash('sha256').update(body).digest('hex').slice(0, 16) });

/** 304 when the client holds this version (If-None-Match), else the body; `W/`: gzip may re-encode it. */
function send(req: FastifyRequest, reply: FastifyReply, f: Served) {
  const etag = `W/"${f.hash}"`;
  void reply.type(f.type).header('etag', etag);
  const held = req.headers['if-none-match'];
  if (held !== undefined && held.split(',').some((t) => t.trim() === etag || t.trim() === '*')) return reply.code(304).send();
  return reply.send(f.body);
}

export function registerDashboard(app: FastifyInstance): void {
  const files = new Map(Object.entries(ASSETS).map(([name, a]) => [name, served(readFileSync(a.file), a.type)]));
  const html = readFileSync(new URL('index.html', here), 'utf8').replace(/"static\/([\w.-]+)"/g, (m, name: string) => {
    const f = files.get(name);
    return f === undefined ? m : `"static/${name}?v=${f.hash}"`;
  });
  const index = served(Buffer.from(html), 'text/html; charset=utf-8');
  const headers = pageHeaders(html);

  app.get('/', { config: { open: true }, schema: { hide: true } }, async (req, reply) => send(req, reply.headers(headers), index));
  app.get<{ Params: { name: string }; Querystring: { v?: unknown } }>('/static/:name', { config: { open: true }, schema: { hide: true } }, async (req, reply) => {
    const f = files.get(req.params.name);
    if (f === undefined) {
      return reply.code(404).send({ error: { code: 'TC_HTTP_NOT_FOUND', message: `no static file "${req.params.name}"`, retriable: false } });
    }
    return send(req, reply.header('cache-control', req.query.v === f.hash ? FOREVER : 'no-cache'), f);
  });
}
