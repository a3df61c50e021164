/**
 * GET /v1/events?series=ID — server-sent events for the dashboard: `tick`, `forecast` and
 * `anomaly` events from serving.subscribe(), filtered to one series (or all when omitted).
 * Bounded: at most `sse.maxClients` streams, `sse.maxPerClient` of them per client (its API key's
 * fingerprint, else its IP: one client cannot take every slot and lock the dashboards out); a client whose socket buffer grows past 1 MiB is
 * disconnected, its socket destroyed with what was queued for it (it reconnects and reloads), rather
 * than buffering without limit. Every stream is
 * ended in preClose so server.close() is not held up by open streams. A stream opened with an API
 * key that is later removed (the keys file re-read, ../api-key-reload.ts) gets a `revoked` event and
 * ends at once: a revoked key keeps no live view.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ErrorCodes } from '../../../errors/index.ts';
import type { LiveEvent, ServingApi } from '../../../pipeline/ports.ts';
import type { ApiKeyAuth } from '../auth.ts';
import type { HttpConfig } from '../config.ts';
import { httpError } from '../errors.ts';
import { SERIES_ID_MAX } from '../schemas.ts';

const MAX_BUFFERED_BYTES = 1024 * 1024;
const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
  'x-content-type-options': 'nosniff',
};

/**
 * A comment line for a stream of a series this instance does not track (yet): the stream stays open (a
 * dashboard may subscribe before a series' first tick), and says so, with the tracked ids close to it.
 * Until 7 Dec 2026 a misspelt id was a stream that stayed silent. EventSource ignores comments.
 */
function untrackedNote(serving: ServingApi, series: string): string {
  if (serving.hasSeries(series)) return '';
  const similar = serving.similarSeries(series);
  const guess = similar.length > 0 ? `; did you mean ${similar.map((s) => JSON.stringify(s)).join(' or ')}?` : '';
  return `: series not tracked (yet): its events start with its first tick (ids are case-sensitive; GET /v1/series lists them)${guess}\n`; // JSON.stringify escapes CR and LF: one line
}

/** GET /v1/events: its query and the stream it answers (OpenAPI; ../schemas.ts adds the refusals). */
const EVENTS_SCHEMA = {
  summary: 'Live events (server-sent events): tick, forecast, anomaly; optionally for one series',
  tags: ['series'],
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { series: { type: 'string', minLength: 1, maxLength: SERIES_ID_MAX, description: 'Only this series\' events (case-sensitive); every series when absent. An id not tracked (yet) is still a stream, whose second comment says so and names tracked ids close to it.' } },
  },
  // 429 with or without the rate limit: the per-client stream cap (clientSlots) answers it too.
  response: { 200: { description: 'The event stream (never ends on its own)', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 429: { $ref: 'ErrorBody#' } },
};

export function registerEventsRoute(app: FastifyInstance, deps: { serving: ServingApi; config: HttpConfig; logger: Logger; auth?: ApiKeyAuth }): void {
  const streams = openStreams(app, deps.auth);
  const perClient = clientSlots(deps.config.sse.maxPerClient);

  app.get<{ Querystring: { series?: string } }>(
    '/v1/events',
    {
      config: { work: true },
      schema: EVENTS_SCHEMA,
    },
    async (req, reply) => {
      checkCapacity(streams.size, deps.config.sse.maxClients, reply);
      const client = perClient.check(req, reply);
      // HEAD (fastify adds it for every GET): the headers a stream would start with, and no stream.
      // An empty stream as payload, not none: fastify's HEAD handler then drops it without a
      // Content-Length, as GET's endless stream has none (RFC 9110 § 8.6; until 7 Dec 2026 `0`).
      if (req.method === 'HEAD') return reply.code(200).headers(SSE_HEADERS).send(Readable.from([]));
      perClient.take(client);
      const wanted = req.query.series;
      const res = reply.raw;
      reply.hijack();
      res.writeHead(200, SSE_HEADERS);
      res.write(`retry: 2000\n: connected${wanted ? ` to ${wanted.replace(/[\r\n]/g, '')}` : ''}\n${wanted !== undefined ? untrackedNote(deps.serving, wanted) : ''}\n`);

      let ended = false;
      const end: EndStream = (why) => {
        if (ended) return;
        ended = true;
        unsubscribe();
        clearInterval(heartbeat);
        streams.delete(end);
        perClient.give(client);
        if (why === 'revoked') res.write(`event: revoked\ndata: ${JSON.stringify({ reason: 'the API key this stream was opened with is no longer accepted' })}\n\n`);
        // A slow client's socket is destroyed, not ended: end() would wait for it to read what is
        // queued, holding that buffer (over 1 MiB) for as long as it keeps the socket open, and its
        // slot would be free for the next stalled stream.
        if (why === 'slow') res.destroy();
        else res.end();
      };
      const tooSlow = (): boolean => {
        if (res.writableLength <= MAX_BUFFERED_BYTES) return false;
        deps.logger.warn({ series: wanted }, 'SSE client too slow; disconnecting');
        end('slow');
        return true;
      };
      const unsubscribe = deps.serving.subscribe((e: LiveEvent) => {
        if (ended) return;
        const series = e.type === 'anomaly' ? e.record.series : e.series;
        if (wanted !== undefined && series !== wanted) return;
        if (tooSlow()) return;
        res.write(frame(e));
      });
      const heartbeat = setInterval(() => {
        if (!ended && !tooSlow()) res.write(': keep-alive\n\n');
      }, deps.config.sse.heartbeatMs);
      heartbeat.unref();
      streams.set(end, req.auth?.kind === 'valid' ? req.auth.fingerprint : null);
      res.on('close', () => end());
    },
  );
}

/**
 * An event's SSE frame, serialised once however many streams send it (every subscriber gets the
 * same object): with 100 dashboards on every series, serialising per stream tripled the server's
 * CPU per tick (measured: 4,000 ticks to 100 streams read in the same process, 9.0 s of CPU before,
 * 3.6 s after, on a shared 2-core machine).
 */
const frames = new WeakMap<LiveEvent, string>();
function frame(e: LiveEvent): string {
  let f = frames.get(e);
  if (f === undefined) frames.set(e, (f = `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`));
  return f;
}

type EndStream = (why?: 'revoked' | 'slow') => void;

/** Throw the 503 (with Retry-After) when `open` streams already fill the `max` slots. */
function checkCapacity(open: number, max: number, reply: FastifyReply): void {
  if (open < max) return;
  void reply.header('retry-after', '5');
  throw httpError(ErrorCodes.OVERLOADED, 503, `too many live event streams (${max})`, {
    hint: 'close other dashboard tabs or retry later',
    details: { retryAfterSeconds: 5 },
    retriable: true,
  });
}

/**
 * The open streams: each one's end, with the fingerprint of the key that opened it (null: none).
 * All end in preClose; those whose key the auth no longer accepts end when the keys change.
 */
function openStreams(app: FastifyInstance, auth: ApiKeyAuth | undefined): Map<EndStream, string | null> {
  const streams = new Map<EndStream, string | null>();
  app.addHook('preClose', async () => {
    for (const end of [...streams.keys()]) end();
  });
  if (auth === undefined) return streams;
  const unwatch = auth.onKeysChanged(() => {
    for (const [end, fingerprint] of [...streams]) if (fingerprint !== null && !auth.accepts(fingerprint)) end('revoked');
  });
  app.addHook('onClose', async () => unwatch());
  return streams;
}

/** Open streams per client (the rate-limit identity: key fingerprint, else IP), at most `max` each. */
function clientSlots(max: number) {
  const held = new Map<string, number>();
  return {
    /** The request's client, or throw the 429 when it holds `max` streams already. */
    check(req: FastifyRequest, reply: FastifyReply): string {
      const client = req.auth?.kind === 'valid' ? `key:${req.auth.fingerprint}` : `ip:${req.ip}`;
      const n = held.get(client) ?? 0;
      if (n < max) return client;
      void reply.header('retry-after', '5');
      throw httpError(ErrorCodes.HTTP_RATE_LIMITED, 429, `this client already holds ${n} live event streams (at most ${max} each)`, {
        hint: 'close other dashboard tabs, or share one stream (GET /v1/events without ?series= streams every series)',
        details: { retryAfterSeconds: 5 },
        retriable: true,
      });
    },
    take: (client: string): void => void held.set(client, (held.get(client) ?? 0) + 1),
    give(client: string): void {
      const left = (held.get(client) ?? 1) - 1;
      if (left > 0) held.set(client, left);
      else held.delete(client);
    },
  };
}
