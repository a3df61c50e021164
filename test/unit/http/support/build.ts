/** Build the HTTP server over a TrendServing for tests; returns both plus the captured log lines. */
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildHttpServer } from '../../../../src/adapters/http/server.ts';
import type { HttpConfigInput } from '../../../../src/adapters/http/config.ts';
import type { ServingApi } from '../../../../src/pipeline/ports.ts';
import { TrendServing } from './trend-serving.ts';

export const KEY = 'test-key-0123456789abcdef';

export async function build(config: HttpConfigInput = {}, serving: ServingApi = new TrendServing()) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const registry = new Registry();
  const app = await buildHttpServer({
    serving,
    registry,
    logger,
    config: { loadShedding: { enabled: false }, ...config },
  });
  await app.ready();
  return { app, serving: serving as TrendServing, registry, lines };
}
