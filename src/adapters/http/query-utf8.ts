/**
 * Query strings are UTF-8, strictly, on every route: fastify's query parser (fast-querystring)
 * leaves a percent escape that does not decode as UTF-8 undecoded, so `?series=caf%E9` (Latin-1)
 * looked up the series "caf%E9" and answered 200 with nothing, while the same bytes in the path are
 * a 400 ("the URL is malformed") and in a JSON body a 400 naming the byte (./json-body.ts). Here
 * each parameter's percent-decoded name and value go through the strict decoder
 * (../../domain/utf8-text.ts); the first that is not UTF-8 is a 400 TC_HTTP_BAD_REQUEST naming it.
 *
 * A preParsing hook (it runs on every request, a GET's and a 404's too): after the onRequest
 * hooks, so a caller refused by auth, rate limit or load shedding gets its 401/429/503 first, and
 * before the body is read, as a malformed body is refused; server.ts installs it ahead of
 * ./body-presence.ts, whose peek at a chunked body sends the 100 Continue first.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes } from '../../errors/index.ts';
import { strictUtf8 } from '../../domain/utf8-text.ts';
import { httpError } from './errors.ts';

const HEX = /^[0-9a-fA-F]{2}$/;

/** The bytes `part` stands for: `+` is a space, `%XX` one byte, other characters their UTF-8 (an escape that is not two hex digits stays as sent, as fastify's parser keeps it). */
function percentBytes(part: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c === '%' && HEX.test(part.slice(i + 1, i + 3))) {
      out.push(parseInt(part.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') out.push(0x20);
    else for (const b of Buffer.from(c, 'utf8')) out.push(b);
  }
  return Uint8Array.from(out);
}

/** Why the query string of `url` is refused: the first parameter whose name or value is not UTF-8 (null: all are). */
export function queryNotUtf8(url: string): { parameter: string; why: string; fix: string } | null {
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('%', q)) return null;
  for (const pair of url.slice(q + 1).split('&')) {
    if (!pair.includes('%')) continue;
    const eq = pair.indexOf('=');
    const rawName = eq < 0 ? pair : pair.slice(0, eq);
    const name = strictUtf8(percentBytes(rawName));
    const value = eq < 0 ? { text: '' } : strictUtf8(percentBytes(pair.slice(eq + 1)));
    const [part, bad] = 'error' in name ? ['name', name.error] : 'error' in value ? ['value', value.error] : [null, null];
    if (bad === null) continue;
    // "not valid UTF-8 (byte 0xe9 at offset 3); send UTF-8 text (…)": the message, then the hint.
    const [why, fix] = bad.split('; ');
    return { parameter: 'text' in name ? name.text : rawName, why: `its ${part} is ${why}`, fix };
  }
  return null;
}

export function installQueryUtf8Check(app: FastifyInstance): void {
  app.addHook('preParsing', async (req) => {
    const bad = queryNotUtf8(req.url);
    if (!bad) return;
    throw httpError(ErrorCodes.HTTP_BAD_REQUEST, 400, `query parameter "${bad.parameter}": ${bad.why}`, {
      hint: `percent-encode the UTF-8 bytes of the text (café is caf%C3%A9): ${bad.fix}`,
      details: { parameter: bad.parameter },
    });
  });
}
