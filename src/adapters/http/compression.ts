/**
 * gzip for answers a client accepts compressed (`Accept-Encoding: gzip`): Prometheus asks for it on
 * every scrape, browsers for the dashboard's files, and a page of /v1/series or /docs/json is
 * mostly repeated keys. Only whole text bodies (JSON, the exposition format, HTML/JS/CSS, SVG) of
 * at least `minBytes` are compressed, on libuv's thread pool (zlib's async API), so a large
 * /metrics does not block the event loop. Streams (SSE) and hijacked answers (MCP) never pass
 * here. `Vary: Accept-Encoding` goes with every answer that could have been compressed, so a
 * cache in front never hands a gzip body to a client that did not ask for one.
 */
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const gzip = promisify(gzipCb);
const COMPRESSIBLE = /^(text\/(?!event-stream)|application\/(json|javascript|xml|openmetrics-text|[\w.+-]*\+(json|xml))|image\/svg\+xml)/i;

/** Whether an `Accept-Encoding` header allows gzip (RFC 9110 §12.5.3: `gzip`, `x-gzip` or `*`, with q > 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined || header === '') return false;
  let star: boolean | null = null;
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    const name = coding.trim();
    if (name === 'gzip' || name === 'x-gzip') return allowed;
    if (name === '*') star = allowed;
  }
  return star === true;
}

function compressible(reply: FastifyReply, payload: unknown, minBytes: number): payload is string | Buffer {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return false;
  if (reply.statusCode < 200 || reply.statusCode === 204 || reply.statusCode === 304) return false;
  if (reply.hasHeader('content-encoding')) return false;
  const type = reply.getHeader('content-type');
  if (typeof type !== 'string' || !COMPRESSIBLE.test(type)) return false;
  return Buffer.byteLength(payload) >= minBytes;
}

function addVary(reply: FastifyReply): void {
  const vary = reply.getHeader('vary');
  const now = typeof vary === 'string' ? vary : Array.isArray(vary) ? vary.join(', ') : '';
  if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(now)) void reply.header('vary', now === '' ? 'Accept-Encoding' : `${now}, Accept-Encoding`);
}

/** Compress answers of at least `minBytes` for clients that accept gzip; `minBytes` 0 turns it off. */
export function installCompression(app: FastifyInstance, minBytes: number): void {
  if (minBytes <= 0) return;
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!compressible(reply, payload, minBytes)) return payload;
    addVary(reply);
    if (!acceptsGzip(req.headers['accept-encoding'])) return payload;
    const body = await gzip(payload);
    void reply.header('content-encoding', 'gzip');
    void reply.removeHeader('content-length');
    return body;
  });
}
