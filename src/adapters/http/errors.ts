/**
 * One error handler for every route: TickcastError (code, statusCode), fastify's own errors
 * (validation, body parsing, body size, content type) and anything unexpected are turned into
 * `{ error: { code, message, hint?, details?, retriable } }`. 4xx bodies say what is wrong and how to fix
 * it; 5xx bodies never carry a stack trace or an internal message. `retriable` is the error's own
 * flag (TickcastError.retriable, set where it is raised; docs/errors.md's Retriable column, checked
 * by test/unit/http/errors-doc.test.ts) and false for everything else: REST answers and MCP tool
 * errors both read it from here (toErrorResponse), so the two never disagree.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ErrorCodes, isTickcastError, TickcastError, type ErrorCode } from '../../errors/index.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';
import { methodNotAllowed, type RouteMethods } from './method-not-allowed.ts';
import { notFoundBody } from './not-found.ts';
import { numberInString, numberNotFit, objectNotFit } from './number-problems.ts';
import { tooLarge, unsupportedMediaType, type Refusal, type RefusedRequest } from './body-refusals.ts';

export interface ErrorBody {
  /** `retriable`: whether the same request may succeed later unchanged (since 6 Dec 2026 on REST; MCP tool errors had it before). */
  error: { code: string; message: string; hint?: string; details?: Record<string, unknown>; retriable: boolean };
}

/** Build a TickcastError meant for an HTTP caller. */
export function httpError(
  code: ErrorCode,
  statusCode: number,
  message: string,
  extra: { hint?: string; details?: Record<string, unknown>; retriable?: boolean } = {},
): TickcastError {
  const details = extra.hint === undefined ? extra.details : { ...extra.details, hint: extra.hint };
  return new TickcastError(code, message, { statusCode, details, retriable: extra.retriable ?? statusCode >= 500 });
}

/**
 * The reason a request's work is dropped when its client hangs up before the answer
 * (routes/api.ts clientGoneSignal): not a server failure, so never a 500 in the log.
 */
export class ClientGoneError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientGoneError';
  }
}

interface AjvLikeError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
  /** The value that failed and its schema (ajv's `verbose`). */
  data?: unknown;
  parentSchema?: { properties?: Record<string, unknown> };
}

/** Turn one ajv error into a sentence a caller can act on. */
function describeValidation(part: string, e: AjvLikeError): { message: string; hint?: string } {
  const where = `${part}${(e.instancePath ?? '').replace(/\//g, '.').replace(/\.(\d+)/g, '[$1]')}`;
  const p = e.params ?? {};
  switch (e.keyword) {
    case 'type': {
      const want = String(p.type);
      const inText = part === 'querystring' || part === 'params';
      const hint = inText
        ? textHint(part, e, want)
        : want === 'number' || want === 'integer'
          ? 'send JSON numbers (1.5, not "1.5"); NaN and Infinity are not valid JSON numbers'
          : `send a JSON ${want}`;
      const message = `${where} must be ${/^[aeiou]/.test(want) ? 'an' : 'a'} ${want}`;
      if (inText) return { message: `${message}${gotText(e.data)}`, hint };
      const object = objectNotFit(message, e.data, where, want);
      if (object !== null) return object;
      if (want !== 'number' && want !== 'integer') return { message, hint };
      return typeof e.data === 'string' ? numberInString(message, e.data, where) : (numberNotFit(message, e.data) ?? { message, hint });
    }
    case 'additionalProperties': {
      const accepted = Object.keys(e.parentSchema?.properties ?? {});
      return {
        message: `${where} has an unknown field "${String(p.additionalProperty).slice(0, 100)}"`,
        hint: accepted.length > 0 ? `remove it; the accepted fields are ${accepted.join(', ')}` : 'remove the field; see /docs for the accepted fields',
      };
    }
    case 'required':
      return { message: `${where} is missing the required field "${String(p.missingProperty)}"` };
    case 'maxItems':
      return { message: `${where} has too many items (at most ${String(p.limit)})`, hint: 'send a shorter array' };
    case 'minItems':
      return { message: `${where} has too few items (at least ${String(p.limit)})` };
    case 'enum':
      return { message: `${where} must be one of ${((p.allowedValues as unknown[]) ?? []).map((v) => JSON.stringify(v)).join(', ')}` };
    // Strings too (since 7 Dec 2026: a rollback `version` of "x" got the bare pattern, no hint): the description says the form.
    case 'maximum':
    case 'minimum':
    case 'pattern':
    case 'minLength':
    case 'maxLength': {
      // The value sent, and the field's description as the hint: it says the unit (durationMs: milliseconds, not seconds).
      const got = typeof e.data === 'number' ? `; got ${e.data}` : typeof e.data === 'string' ? `; got ${JSON.stringify(e.data.length > 40 ? `${e.data.slice(0, 40)}…` : e.data)}` : '';
      const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
      return { message: `${where} ${e.message ?? 'is out of range'}${got}`, ...(typeof description === 'string' ? { hint: description } : {}) };
    }
    case 'anyOf':
    case 'oneOf':
      return {
        message: `${where} has the wrong shape`,
        hint: 'window must be number[] (one feature) or number[][] as [time][feature]',
      };
    default:
      return { message: `${where} ${e.message ?? 'is invalid'}` };
  }
}

/** What came in a query or path value, quoted (first 40 characters); until 7 Dec 2026 `?offset=abc` was told only "must be an integer". */
function gotText(data: unknown): string {
  if (typeof data !== 'string') return '';
  return `; got ${JSON.stringify(data.length > 40 ? `${data.slice(0, 40)}…` : data)}`;
}

/**
 * How to write a query or path value: a number's example names the field that failed and fits its
 * range (until 7 Dec 2026 every one said "e.g. ?limit=100", for ?offset=abc too).
 */
function textHint(part: string, e: AjvLikeError, want: string): string {
  if (want !== 'integer' && want !== 'finite number') return `write a ${want}`;
  const field = (e.instancePath ?? '').split('/').pop() ?? '';
  const range = (e.parentSchema ?? {}) as { minimum?: unknown; maximum?: unknown };
  const example = typeof range.maximum === 'number' && range.maximum < 100 ? (typeof range.minimum === 'number' ? range.minimum : range.maximum) : 100;
  return part === 'querystring' && field !== '' ? `write a plain decimal number, e.g. ?${field}=${example}` : 'write a plain decimal number';
}

/**
 * The error to report first. ajv reports a failed `anyOf` (the window: number[] or number[][]) as
 * each branch's first error followed by the anyOf itself, so the first error is always the 1-D
 * branch's: `[[1],[2],["3"]]` would be reported as "window[0] must be a number". The branch that
 * got furthest into the data failed where the caller actually went wrong (window[2][0]); a tie
 * goes to the earlier branch.
 */
function primaryValidationError(errors: AjvLikeError[]): AjvLikeError {
  const alt = errors.findIndex((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  if (alt <= 0) return errors[0];
  const at = errors[alt].instancePath ?? '';
  const branches = errors.slice(0, alt).filter((e) => (e.instancePath ?? '').startsWith(at));
  let best = branches[0] ?? errors[0];
  for (const e of branches) if (furtherInto(e.instancePath ?? '', best.instancePath ?? '')) best = e;
  return best;
}

/** Whether JSON pointer `a` lies past `b` in document order (array indices compared as numbers; deeper beats its own prefix). */
function furtherInto(a: string, b: string): boolean {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = Number(pa[i]);
    const nb = Number(pb[i]);
    return Number.isInteger(na) && Number.isInteger(nb) && pa[i] !== '' && pb[i] !== '' ? na > nb : false;
  }
  return pa.length > pb.length;
}

/** Map anything thrown in a route to a status code and body. Exported for tests and the MCP adapter. */
export function toErrorResponse(err: unknown, req?: RefusedRequest): { statusCode: number; body: ErrorBody } {
  if (isTickcastError(err)) {
    const status = err.statusCode >= 400 && err.statusCode <= 599 ? err.statusCode : 500;
    if (status >= 500 && err.code === ErrorCodes.INTERNAL) {
      return { statusCode: status, body: { error: { code: err.code, message: 'internal error; see the server log', retriable: err.retriable } } };
    }
    const { hint, ...rest } = err.details ?? {};
    return { statusCode: status, body: { error: { code: err.code, message: err.message, ...(typeof hint === 'string' ? { hint } : {}), ...(Object.keys(rest).length > 0 ? { details: rest } : {}), retriable: err.retriable } } };
  }
  const fe = err as Partial<FastifyError> & { validation?: AjvLikeError[]; validationContext?: string };
  if (Array.isArray(fe.validation) && fe.validation.length > 0) {
    const part = fe.validationContext ?? 'body';
    const primary = primaryValidationError(fe.validation);
    const first = describeValidation(part, primary);
    const problems = [primary, ...fe.validation.filter((v) => v !== primary)].map((v) => describeValidation(part, v).message);
    const details = { problems: [...new Set(problems)].slice(0, 5) };
    return { statusCode: 400, body: { error: { code: ErrorCodes.HTTP_BAD_REQUEST, message: first.message, ...(first.hint !== undefined ? { hint: first.hint } : {}), details, retriable: false } } };
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return refused(413, ErrorCodes.HTTP_PAYLOAD_TOO_LARGE, tooLarge(req));
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return refused(415, ErrorCodes.HTTP_UNSUPPORTED_MEDIA_TYPE, unsupportedMediaType(req));
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return bad(400, ErrorCodes.HTTP_BAD_REQUEST, 'this route needs a JSON body, and the body is empty', 'send the JSON object this route expects (see /docs)');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // fastify's parser (secure-json-parse) refuses "__proto__" and "constructor" keys with this same code.
      return bad(400, ErrorCodes.HTTP_BAD_REQUEST, 'the body is not valid JSON, or holds a "__proto__" or "constructor" key', 'check quotes and commas (NaN and Infinity are not JSON); rename any __proto__/constructor key');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return bad(400, ErrorCodes.HTTP_BAD_REQUEST, 'Content-Length does not match the body sent', 'let your HTTP client set Content-Length');
    case 'FST_ERR_BAD_URL':
      return bad(400, ErrorCodes.HTTP_BAD_REQUEST, 'the URL is malformed', 'percent-encode special characters in the path');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // Its own code since 7 Dec 2026 (before, TC_HTTP_BAD_REQUEST, which every malformed request shares).
      return bad(414, ErrorCodes.HTTP_URI_TOO_LONG, 'a path segment is longer than this server accepts', 'series and alert ids are at most 256 characters');
  }
  if (err instanceof SyntaxError || (fe.statusCode === 400 && typeof fe.message === 'string')) {
    // secure-json-parse (e.g. "__proto__" keys) and JSON.parse failures.
    return bad(400, ErrorCodes.HTTP_BAD_REQUEST, 'the body is not acceptable JSON', 'send a plain JSON object without __proto__ or constructor keys');
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return bad(fe.statusCode, ErrorCodes.HTTP_BAD_REQUEST, 'the request was rejected', fe.message);
  }
  // Not raised on purpose: nothing says a retry would do better.
  return { statusCode: 500, body: { error: { code: ErrorCodes.INTERNAL, message: 'internal error; see the server log', retriable: false } } };
}

function refused(statusCode: number, code: ErrorCode, r: Refusal): { statusCode: number; body: ErrorBody } {
  return { statusCode, body: { error: { code, message: r.message, hint: r.hint, ...(r.details !== undefined ? { details: r.details } : {}), retriable: false } } };
}

/** A request refused as sent (framing, size, media type, URL): retrying it unchanged fails again. */
function bad(statusCode: number, code: ErrorCode, message: string, hint?: string): { statusCode: number; body: ErrorBody } {
  return { statusCode, body: { error: { code, message, ...(hint !== undefined ? { hint } : {}), retriable: false } } };
}

/**
 * Node's HTTP parser refusing a request (bad framing or Content-Length, headers too large, too
 * slow) before fastify sees it: answered with the same error body as every route (fastify's
 * default writes its own shape). Passed as fastify's clientErrorHandler (fastify binds `this` to
 * the instance). The answer carries an X-Request-Id and nosniff like every other one, and the id is
 * on the debug line logged for it; until 7 Dec 2026 it had neither header, so a client could not
 * quote the refusal. The id is always a new one: the head that would carry the client's did not parse.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // The 408 has its own code since 7 Dec 2026 (before, TC_HTTP_BAD_REQUEST, so a client could not tell "too slow, send again" from "malformed").
  const [status, reason, code, message, hint] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'Request Timeout', ErrorCodes.HTTP_REQUEST_TIMEOUT, 'the request did not arrive in time', 'send the whole request promptly']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', ErrorCodes.HTTP_BAD_REQUEST, 'the request headers are larger than this server accepts', 'send fewer or shorter headers']
        : [400, 'Bad Request', ErrorCodes.HTTP_BAD_REQUEST, `the request is not valid HTTP (${err.code ?? 'parse error'})`, 'let your HTTP client set Content-Length and framing'];
  // A 408 may be sent again as is (RFC 9110 § 15.5.9); bad framing or headers too large may not.
  const body = JSON.stringify({ error: { code, message, hint, retriable: status === 408 } } satisfies ErrorBody);
  const reqId = randomUUID();
  this.log.debug({ reqId, err: { code: err.code, message: err.message }, status }, 'request refused by the HTTP parser');
  const head = `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n${REQUEST_ID_HEADER}: ${reqId}`;
  if (socket.writable) socket.write(`${head}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  socket.destroy(err);
}

/** Why a series id "." or ".." never reaches a path route from most clients, and what works instead. */
export { DOT_SEGMENT_HINT } from './not-found.ts';

/** `routes`: the methods each path is served with, so that a known path with another method is 405, not 404. */
export function installErrorHandlers(app: FastifyInstance, logger: Logger, routes: RouteMethods): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof ClientGoneError) {
      // Nobody is left to answer; 499 (nginx's "client closed request") in case anything records it.
      logger.debug({ reqId: req.id, url: req.routeOptions.url }, 'client closed the connection before the answer; its work was dropped');
      return reply.code(499).send({ error: { code: ErrorCodes.HTTP_BAD_REQUEST, message: err.message, retriable: false } } satisfies ErrorBody);
    }
    const { statusCode, body } = toErrorResponse(err, req);
    if (statusCode === 503 && isTickcastError(err) && err.retriable) {
      // Shed or refused for now (saturated, draining, too many streams): the caller retries; no stack.
      logger.warn({ reqId: req.id, url: req.routeOptions.url, code: body.error.code }, body.error.message);
    } else if (statusCode >= 500) {
      logger.error({ err, reqId: req.id, url: req.routeOptions.url, code: body.error.code }, 'request failed');
    } else {
      logger.debug({ reqId: req.id, code: body.error.code, statusCode }, body.error.message);
    }
    // A 5xx's cause is only in the log: name the line to look for (also the X-Request-Id header, request-id.ts).
    if (statusCode >= 500) body.error.details = { ...body.error.details, requestId: req.id };
    const retryAfter = isTickcastError(err) ? err.details?.retryAfterSeconds : undefined;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    else if (statusCode === 503 && !reply.hasHeader('retry-after')) void reply.header('retry-after', '1');
    // RFC 9110 § 15.5.2 / RFC 6750 § 3: a 401 names the scheme that would be accepted.
    if (statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="tickcast"');
    return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0];
    const allow = routes.allowed(path);
    if (allow.length > 0 && req.method === 'OPTIONS') return reply.code(204).header('allow', allow.join(', ')).send();
    const notAllowed = methodNotAllowed(req.method, path, allow);
    if (notAllowed !== null) return reply.code(405).header('allow', allow.join(', ')).send(notAllowed);
    return reply.code(404).send(notFoundBody(req.method, req.url, routes));
  });
}
