/**
 * SERVER spans for HTTP requests, as the (stable) HTTP semantic conventions name them: `GET
 * /v1/series/:id` (the method and the route template), the method alone when no route matched,
 * `HTTP` for a method outside the spec's list (recorded as `_OTHER`). `url.path` leaves the query
 * out: it may carry what a client should not have put there. A 5xx ends the span as an error with
 * `error.type`; a 4xx is the client's, so the server span stays unset. Before 7 Dec 2026 the name
 * was `HTTP GET /v1/…` and only method, route and status were recorded.
 */
import { SpanKind, SpanStatusCode, type Context, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { tracer } from './tracing.ts';

/** The methods the conventions name; any other is `_OTHER`. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'TRACE']);

export interface HttpRequestFacts {
  method: string;
  /** The matched route template; undefined when none matched (a 404). */
  route: string | undefined;
  /** The request target, path and query. */
  url: string;
  scheme: string;
  httpVersion: string;
}

export function startHttpServerSpan(req: HttpRequestFacts, parent: Context): Span {
  const known = KNOWN_METHODS.has(req.method);
  const name = `${known ? req.method : 'HTTP'}${req.route !== undefined ? ` ${req.route}` : ''}`;
  const q = req.url.indexOf('?');
  return tracer().startSpan(
    name,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: known ? req.method : '_OTHER',
        ...(known ? {} : { [ATTR_HTTP_REQUEST_METHOD_ORIGINAL]: req.method }),
        ...(req.route !== undefined ? { [ATTR_HTTP_ROUTE]: req.route } : {}),
        [ATTR_URL_PATH]: q < 0 ? req.url : req.url.slice(0, q),
        [ATTR_URL_SCHEME]: req.scheme,
        [ATTR_NETWORK_PROTOCOL_VERSION]: req.httpVersion,
      },
    },
    parent,
  );
}

export function endHttpServerSpan(span: Span, statusCode: number): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
  if (statusCode >= 500) {
    span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
