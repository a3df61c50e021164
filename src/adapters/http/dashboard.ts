/**
 * GET / (the live dashboard) and its static assets under /static/. Files are read once at build
 * time and served from memory; uPlot comes from node_modules/uplot (no CDN). The page holds no
 * data itself, so these routes are `open`; the data it fetches follows the read auth policy.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

const require = createRequire(import.meta.url);
const here = new URL('./dashboard/static/', import.meta.url);

const ASSETS: Record<string, { file: string | URL; type: string }> = {
  'dashboard.js': { file: new URL('dashboard.js', here), type: 'text/javascript; charset=utf-8' },
  'dashboard-alerts.js': { file: new URL('dashboard-alerts.js', here), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: new URL('dashboard.css', here), type: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

export function registerDashboard(app: FastifyInstance): void {
  const index = readFileSync(new URL('index.html', here));
  const files = new Map(Object.entries(ASSETS).map(([name, a]) => [name, { body: readFileSync(a.file), type: a.type }]));

  app.get('/', { config: { open: true }, schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).header('cache-control', 'no-cache').send(index),
  );
  app.get<{ Params: { name: string } }>('/static/:name', { config: { open: true }, schema: { hide: true } }, async (req, reply) => {
    const f = files.get(req.params.name);
    if (f === undefined) {
      return reply.code(404).send({ error: { code: 'TC_HTTP_NOT_FOUND', message: `no static file "${req.params.name}"` } });
    }
    return reply.type(f.type).header('cache-control', 'public, max-age=300').send(f.body);
  });
}
