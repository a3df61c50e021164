/** pino JSON logs; one root logger made in app.ts, a child per module (`{ module: 'kafka' }`). */
import { pino, destination, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export function createLogger(opts: { level: string; name: string; destination?: NodeJS.WritableStream }): Logger {
  return pino(
    {
      name: opts.name,
      level: opts.level,
      // Secrets never reach the logs, whichever module tries.
      redact: { paths: ['*.password', '*.apiKeys', 'req.headers.authorization', 'headers.authorization', '*.sasl'], censor: '[redacted]' },
      base: { pid: process.pid },
    },
    (opts.destination as DestinationStream | undefined) ?? destination({ sync: false }),
  );
}
