/**
 * The JSON body parser: fastify's own (secure-json-parse, "__proto__"/"constructor" keys refused),
 * except that a route whose body is optional (route config `optionalBody`: rollback, DELETE
 * feedback) takes an empty or blank body as no body. `curl -X POST -H 'content-type:
 * application/json' -d ''` then works there as it does without the header; a route that needs a
 * body still refuses an empty one (400 TC_HTTP_BAD_REQUEST, "this route needs a JSON body").
 * On those routes a body of length 0 is no body whatever its Content-Type: `curl -X POST -d ''`
 * sends application/x-www-form-urlencoded, which would otherwise be 415 for a body that is not there.
 */
import type { FastifyInstance } from 'fastify';

export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.addHook('onRequest', async (req) => {
    const h = req.headers;
    if (req.routeOptions.config?.optionalBody === true && h['content-length'] === '0' && h['transfer-encoding'] === undefined) delete h['content-type'];
  });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (req.routeOptions.config?.optionalBody === true && text.trim().length === 0) {
      done(null, undefined);
      return;
    }
    parse(req, text, done);
  });
}
