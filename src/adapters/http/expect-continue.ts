/**
 * `Expect: 100-continue` (RFC 9110 §10.1.1): the client sends its headers and waits for an interim
 * 100 before it uploads the body, so that a request the server will refuse costs no upload. Node
 * answers 100 at once by default, before any route, key or limit is looked at; until 7 Dec 2026 a
 * POST that was then refused (401 without a key, 413 for a declared Content-Length over
 * http.bodyLimitBytes, 415, 404/405) had its whole body sent first (curl sends the header for
 * bodies over 1 MiB). Here the 100 goes out when the body is first read: after the onRequest
 * checks (auth, rate limit, load shedding) and the media-type and declared-size checks. A refusal
 * sent instead of it closes the connection (node does so when no 100 was sent), so the body a
 * client sends anyway is not read as the next request.
 *
 * A request whose framing says it has no body (no Transfer-Encoding, `Content-Length` absent or 0)
 * gets its 100 at once, as node would send it: there is no upload to spare, and node closes the
 * connection after any answer not preceded by a 100 — until 7 Dec 2026 a `POST` with
 * `Expect: 100-continue` and `Content-Length: 0` (rollback, from scripts that always send the
 * header) was answered `Connection: close` and cost the client a new connection each time.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const continued = new WeakSet<ServerResponse>();

/** Whether the client waits for a 100 before it sends its body (RFC 9110 §10.1.1: it has one to send). */
export function expectsContinue(req: IncomingMessage): boolean {
  return /^\s*100-continue\s*$/i.test(req.headers.expect ?? '');
}

/** Send the interim 100 to a client waiting for it (once); a no-op for any other request. */
export function continueNow(req: FastifyRequest, reply: FastifyReply): void {
  const res = reply.raw;
  if (!expectsContinue(req.raw) || continued.has(res) || res.headersSent) return;
  continued.add(res);
  res.writeContinue();
}

/** No Transfer-Encoding and a Content-Length that is absent or zero (node has checked it is digits). */
function framedEmpty(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] === undefined && (length === undefined || Number(length) === 0);
}

export function installExpectContinue(app: FastifyInstance): void {
  // With a listener, node leaves the 100 to us and the request is handled as any other.
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (framedEmpty(req)) {
      continued.add(res);
      res.writeContinue();
    }
    app.server.emit('request', req, res);
  });
  app.addHook('preParsing', async (req, reply, payload) => {
    // fastify's body reader resumes the stream; a request refused before that never sees a 100.
    if (expectsContinue(req.raw)) payload.once('resume', () => continueNow(req, reply));
    return payload;
  });
}
