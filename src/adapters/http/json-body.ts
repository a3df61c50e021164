/**
 * The JSON body parser: fastify's own (secure-json-parse, "__proto__"/"constructor" keys refused),
 * except that a route whose body is optional (route config `optionalBody`: rollback, DELETE
 * feedback) takes an empty or blank body as no body. `curl -X POST -H 'content-type:
 * application/json' -d ''` then works there as it does without the header; a route that needs a
 * body still refuses an empty one (400 TC_HTTP_BAD_REQUEST, "this route needs a JSON body").
 * On those routes a body of length 0 is no body whatever its Content-Type: `curl -X POST -d ''`
 * sends application/x-www-form-urlencoded, which would otherwise be 415 for a body that is not there
 * (./body-presence.ts drops the header there; it also decides "length 0" for chunked bodies).
 *
 * The bytes are decoded strictly (../../domain/utf8-text.ts, as the Kafka tick decoder does): JSON
 * text is UTF-8 (RFC 8259), and fastify's own string decoding put U+FFFD in place of every
 * malformed sequence, so a Latin-1 feedback note was stored as other text than was sent. A body
 * whose Content-Type says `charset=iso-8859-1` is decoded as such; another charset is 415
 * (./body-charset.ts). Every
 * JSON route (predict, feedback, MCP, …) goes through this one parser.
 *
 * A request no route takes (an unknown path, or a known path with a method it does not serve, and
 * `GET`/`DELETE /mcp`, whose routes only say 405) is not parsed at all: it is answered 404 / 405
 * (errors.ts, mcp.ts) whatever its body. Until 7 Dec 2026 its
 * body was parsed first, so `DELETE /v1/series/x` from a client that sends `Content-Type:
 * application/json` on every request was 400 "this route needs a JSON body" instead of 405.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes } from '../../errors/index.ts';
import { strictUtf8 } from '../../domain/utf8-text.ts';
import { httpError } from './errors.ts';
import { bodyCharset } from './body-charset.ts';

const notUtf8 = new WeakSet<object>();

/** Whether `err` is this parser's refusal of a body that is not UTF-8 (MCP answers it as a JSON-RPC parse error). */
export function isBodyNotUtf8(err: unknown): boolean {
  return typeof err === 'object' && err !== null && notUtf8.has(err);
}

export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    if (req.is404 || req.routeOptions.config?.refuses === true) {
      done(null, undefined);
      return;
    }
    let charset;
    try {
      charset = bodyCharset(req.headers['content-type']);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    const decoded = charset === 'latin1' ? { text: (body as Buffer).toString('latin1') } : strictUtf8(body as Buffer);
    if ('error' in decoded) {
      // "not valid UTF-8 (byte 0xe9 at offset 35); send UTF-8 text (…)": the message, then the hint.
      const [why, fix] = decoded.error.split('; ');
      const err = httpError(ErrorCodes.HTTP_BAD_REQUEST, 400, `the body is ${why}`, { hint: `JSON text is UTF-8: ${fix}` });
      notUtf8.add(err);
      done(err, undefined);
      return;
    }
    const text = decoded.text;
    if (req.routeOptions.config?.optionalBody === true && text.trim().length === 0) {
      done(null, undefined);
      return;
    }
    parse(req, text, done);
  });
}
