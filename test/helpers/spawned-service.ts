/**
 * For tests that run the service as a real process (`npm start`, `node src/main.ts`): a free port,
 * polling until a condition holds, and the environment of a small service on the embedded default
 * (window 16, horizon 4, seeded weights: no training at start) with nothing inherited from the
 * test runner's own TICKCAST_* variables (the config loader refuses unknown ones).
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** Poll `probe` every `everyMs` until it returns something other than undefined; throws after `ms`. */
export async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined> | T | undefined, everyMs = 100): Promise<T> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

export function smallServiceEnv(port: number, modelDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TICKCAST_')));
  return {
    ...inherited,
    TICKCAST_HTTP_HOST: '127.0.0.1',
    TICKCAST_HTTP_PORT: String(port),
    TICKCAST_MODEL_DIR: modelDir,
    TICKCAST_WINDOWS_LENGTH: '16',
    TICKCAST_MODEL_HORIZON: '4',
    TICKCAST_MODEL_D_MODEL: '8',
    TICKCAST_MODEL_BOOTSTRAP_EPOCHS: '0',
    TICKCAST_EMBEDDED_TICKS_PER_SECOND: '20',
    TICKCAST_TELEMETRY_DEFAULT_METRICS: 'false',
    TICKCAST_LOG_LEVEL: 'info',
    ...extra,
  };
}
