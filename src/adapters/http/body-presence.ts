/**
 * Whether a request has a body: one rule for every route and every check that depends on it (the
 * Content-Encoding refusal, the Content-Type of an optional-body route, fastify's own "a body but no
 * Content-Type"). RFC 9112 §6.3 and RFC 9110 §6.4.1: a request's content is framed by
 * Transfer-Encoding or Content-Length, and has none without either; a Content-Length of 0 (`0`,
 * `00`: a number, which node's parser has already checked is digits) or a chunked message whose
 * chunks hold no byte (`0\r\n\r\n` at once) has zero-length content, i.e. no body.
 *
 * Until 7 Dec 2026 three tests disagreed: a chunked empty POST with `Content-Encoding: gzip` was 415
 * where the same request with `Content-Length: 0` was not; on rollback (body optional) a chunked
 * empty body with an x-www-form-urlencoded or no Content-Type was 415 where `Content-Length: 0` was
 * 200; and `Content-Length: 00` counted as a body (415) where `0` did not (string comparisons).
 *
 * A chunked body is peeked at (its first chunk, or its end) before any of them decide. A request
 * found to have no body is handed on as `Content-Length: 0`, so that fastify, the JSON parser and
 * the hooks after this one all see it so.
 */
import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../errors/index.ts';
import { ClientGoneError, httpError } from './errors.ts';
import { continueNow, expectsContinue } from './expect-continue.ts';
import { isJsonType, refuseUnreadCharset } from './body-charset.ts';

type Headers = FastifyRequest['headers'];

/** The methods fastify never reads a body for (its `bodyless` set). */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

/** What the headers say: no body, a body of this many bytes, or chunked (look at the chunks). */
export function framedLength(headers: Headers): number | 'chunked' {
  if (headers['transfer-encoding'] !== undefined) return 'chunked';
  const length = headers['content-length'];
  if (length === undefined) return 0;
  const n = Number(length);
  return Number.isFinite(n) ? n : 0;
}

/** Resolves whether `stream` holds at least one byte (put back if so), once its first chunk or its end arrives. */
export function peekNotEmpty(stream: Readable): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const settle = (fn: () => void) => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      fn();
    };
    const onReadable = () => {
      const chunk: unknown = stream.read();
      if (chunk !== null) settle(() => (stream.unshift(chunk), resolve(true)));
    };
    const onEnd = () => settle(() => resolve(false));
    const onError = (err: Error) => settle(() => reject(err));
    const onClose = () => settle(() => reject(new ClientGoneError()));
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/**
 * Discard what is left of a peeked body once the response is sent. node does so itself for a body
 * nobody read, but the peek's read() counts as reading: a body refused after it (415) stayed on
 * the socket, which stopped once the buffers filled, and the next request on the connection was
 * never answered (until the review of 7 Dec 2026).
 */
function drainAfterResponse(stream: Readable, res: ServerResponse): void {
  res.once('finish', () => {
    if (!stream.readableEnded) stream.resume();
  });
}

/** Hand a request without a body on as `Content-Length: 0` (fastify compares the header with "0"). */
function markEmpty(req: FastifyRequest): void {
  const h = req.headers;
  if (h['transfer-encoding'] === undefined && h['content-length'] === undefined) return;
  delete h['transfer-encoding'];
  h['content-length'] = '0';
  // An optional-body route (rollback): no body, so no media type to refuse (`curl -X POST -d ''` sends a form type).
  if (req.routeOptions.config?.optionalBody === true) delete h['content-type'];
}

/**
 * A chunked body on a route that needs one, with a Content-Type other than JSON: fastify's own 415
 * (errors.ts words it), thrown before the 100 that the peek needs. Until the review of 7 Dec 2026
 * the 100 went out first and the client uploaded a body that was then refused for its header
 * (fastify picks the parser after the preParsing hooks; a Content-Length body meets it before any read).
 */
function refuseChunkedMediaType(req: FastifyRequest): void {
  const type = req.headers['content-type'];
  if (type === undefined || isJsonType(type) || req.is404 || req.routeOptions.config?.refuses === true) return;
  throw new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE(type);
}

/** fastify would hand a gzip body to the JSON parser ("not valid JSON"): say what is wrong instead. */
function refuseEncoded(req: FastifyRequest): void {
  // No route reads it: the 404 or 405 says what is wrong (until the review of 7 Dec 2026 this 415 did, unlike the media type's).
  if (req.is404 || req.routeOptions.config?.refuses === true) return;
  const enc = req.headers['content-encoding'];
  if (enc === undefined || enc.trim().toLowerCase() === 'identity') return;
  throw httpError(ErrorCodes.HTTP_UNSUPPORTED_MEDIA_TYPE, 415, `Content-Encoding "${enc}" is not accepted`, { hint: 'send the JSON body uncompressed (no Content-Encoding header)' });
}

export function installBodyPresence(app: FastifyInstance): void {
  app.addHook('preParsing', async (req, reply, payload) => {
    if (BODYLESS.has(req.method)) return payload;
    const framed = framedLength(req.headers);
    // A client sending `Expect: 100-continue` sends no chunk before the 100 (./expect-continue.ts). It
    // has a body to send (RFC 9110 §10.1.1), so what its headers say is refused before: until the
    // review of 7 Dec 2026 the 100 went out, the client uploaded its body, then came the 415 (for an
    // optional body, rollback's, its media type and charset too: the peek came first).
    const waits = framed === 'chunked' && expectsContinue(req.raw);
    // An optional chunked body not announced so is peeked at first: no body, no media type to refuse.
    const unsure = framed === 'chunked' && req.routeOptions.config?.optionalBody === true && !waits;
    // A charset the JSON parser refuses: 415 before the 100 and the upload (an unsure body's is told once it is found present).
    if (framed !== 0 && !unsure) refuseUnreadCharset(req);
    if (framed === 'chunked' && !unsure) refuseChunkedMediaType(req);
    if (waits) refuseEncoded(req);
    if (framed === 'chunked') continueNow(req, reply);
    const present = framed === 'chunked' ? await peekNotEmpty(payload) : framed > 0;
    if (present && framed === 'chunked') drainAfterResponse(payload, reply.raw);
    if (!present) {
      markEmpty(req);
      // The peeked stream has ended: fastify's reader would wait for an 'end' already past.
      return framed === 'chunked' ? Readable.from([]) : payload;
    }
    refuseEncoded(req);
    return payload;
  });
}
