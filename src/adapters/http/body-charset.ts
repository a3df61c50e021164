/**
 * The `charset` parameter of a JSON body's Content-Type. JSON text is UTF-8 (RFC 8259 § 8.1) and
 * application/json defines no charset parameter, but clients send one (old Java and PHP stacks
 * default to ISO-8859-1). Until 7 Dec 2026 any charset was ignored and the bytes read as UTF-8: a
 * body sent as `charset=latin1` with "é" (0xe9) was 400 "not valid UTF-8" although it said how it
 * was encoded, and one whose Latin-1 bytes happened to form UTF-8 ("Ã©" → "é") was taken as other
 * text than was sent. Decided then: UTF-8 (and its subset US-ASCII) is read strictly, ISO-8859-1
 * is decoded as ISO-8859-1 (every byte is a character: nothing to refuse), and any other charset
 * (utf-16, windows-1252, …) is 415 naming the ones read.
 */
import type { FastifyRequest } from 'fastify';
import { ErrorCodes } from '../../errors/index.ts';
import { httpError } from './errors.ts';

export type BodyCharset = 'utf-8' | 'latin1';

const UTF8 = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);
const LATIN1 = new Set(['iso-8859-1', 'iso_8859-1', 'iso8859-1', 'latin1', 'l1']);

/** The charset named in `contentType` (lower case, unquoted), or undefined when there is none. */
function charsetParameter(contentType: string): string | undefined {
  for (const part of contentType.split(';').slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

/** How to decode a body sent with `contentType`; throws the 415 for a charset this server does not read. */
export function bodyCharset(contentType: string | undefined): BodyCharset {
  const name = contentType === undefined ? undefined : charsetParameter(contentType);
  if (name === undefined || UTF8.has(name)) return 'utf-8';
  if (LATIN1.has(name)) return 'latin1';
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
  throw httpError(ErrorCodes.HTTP_UNSUPPORTED_MEDIA_TYPE, 415, `charset ${shown} is not supported; JSON bodies are read as utf-8 (or iso-8859-1 when the Content-Type says so)`, {
    hint: 'send UTF-8 with "Content-Type: application/json" (no charset, or charset=utf-8)',
    details: { supportedCharsets: ['utf-8', 'us-ascii', 'iso-8859-1'] },
  });
}

/**
 * The same 415 before the body is read (./body-presence.ts's preParsing hook), for a request the
 * JSON parser would read: until the review of 7 Dec 2026 only the parser told it, after the body
 * was read, so a client sending `Expect: 100-continue` was sent the 100 and uploaded its whole body
 * to be refused for its Content-Type header.
 */
export function refuseUnreadCharset(req: FastifyRequest): void {
  if (req.is404 || req.routeOptions.config?.refuses === true) return;
  const type = req.headers['content-type'];
  if (type !== undefined && isJsonType(type)) bodyCharset(type);
}

/** Whether `contentType` is application/json (any case, any parameters): the one media type read (./json-body.ts). */
export function isJsonType(contentType: string): boolean {
  return contentType.split(';')[0].trim().toLowerCase() === 'application/json';
}
