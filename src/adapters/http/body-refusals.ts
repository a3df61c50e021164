/**
 * What a 413 (body too large) and a 415 (not JSON) say, from the request they refuse: the limit in
 * bytes and the size sent, the Content-Type sent. Until 7 Dec 2026 they said "request body is
 * larger than this server accepts" and "unsupported Content-Type", so a client had to guess the
 * limit (an operator's setting, http.bodyLimitBytes) by bisecting, and could not tell a missing
 * header from a wrong one. errors.ts turns these into the error body.
 */

/** The parts of a fastify request these messages read (absent where the refusal has no request). */
export interface RefusedRequest {
  headers: Record<string, string | string[] | undefined>;
  routeOptions?: { bodyLimit?: number };
}

export interface Refusal {
  message: string;
  hint: string;
  details?: Record<string, unknown>;
}

const TOO_LARGE_HINT = 'send a smaller body (the limit is the operator\'s http.bodyLimitBytes); long windows can be replaced by {"series": id}';

export function tooLarge(req?: RefusedRequest): Refusal {
  const limit = req?.routeOptions?.bodyLimit;
  if (typeof limit !== 'number') return { message: 'request body is larger than this server accepts', hint: TOO_LARGE_HINT };
  const sent = Number(firstHeader(req?.headers['content-length']));
  const sentText = Number.isSafeInteger(sent) && sent > limit ? `; this one is ${sizeText(sent)}` : '';
  return {
    message: `request body is larger than this server accepts: at most ${sizeText(limit)}${sentText}`,
    hint: TOO_LARGE_HINT,
    details: { limitBytes: limit, ...(sentText !== '' ? { sentBytes: sent } : {}) },
  };
}

export function unsupportedMediaType(req?: RefusedRequest): Refusal {
  const hint = 'send the body as JSON with "Content-Type: application/json" (UTF-8; charset=iso-8859-1 is also read)';
  const type = firstHeader(req?.headers['content-type']);
  if (req === undefined) return { message: 'unsupported Content-Type', hint };
  if (type === undefined || type.trim() === '') return { message: 'the request has a body but no Content-Type', hint };
  const shown = JSON.stringify(type.length > 100 ? `${type.slice(0, 100)}…` : type);
  // application/problem+json, application/vnd.api+json…: JSON text, but a media type with its own rules this API does not follow.
  const suffix = /^\s*application\/[^;\s]+\+json\s*(;|$)/i.test(type) ? ' (a +json media type is not read as plain JSON here)' : '';
  return { message: `Content-Type ${shown} is not accepted${suffix}; this route takes application/json`, hint };
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** 1048576 → "1048576 bytes (1 MiB)". */
function sizeText(bytes: number): string {
  const mib = bytes / 1_048_576;
  const kib = bytes / 1024;
  const round = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  const unit = mib >= 1 ? ` (${round(mib)} MiB)` : kib >= 1 ? ` (${round(kib)} KiB)` : '';
  return `${bytes} bytes${unit}`;
}
