/**
 * Build and start the real tickcast app in-process for component and integration tests: small
 * model sizes (window 16, horizon 4, dModel 8, seeded weights), HTTP on an ephemeral port, logs
 * silenced unless TICKCAST_TEST_LOGS=1.
 */
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config/load.ts';
import type { ConfigInput } from '../../src/config/schema.ts';
import { buildApp, type App, type AppOptions } from '../../src/app.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

export const TEST_WINDOW = 16;
export const TEST_HORIZON = 4;

function merge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] ? merge(a[k], v) : v;
  return out;
}

export function testConfig(overrides: ConfigInput = {}) {
  const base: ConfigInput = {
    logLevel: process.env.TICKCAST_TEST_LOGS ? 'info' : 'silent',
    windows: { length: TEST_WINDOW },
    model: { horizon: TEST_HORIZON, dModel: 8, bootstrapEpochs: 0, engine: 'onnx' },
    // Load shedding on event-loop delay is exercised by its own tests; here a busy CI machine must
    // not turn functional checks into 503s.
    http: { host: '127.0.0.1', port: 0, eventLoopDelayP99Ms: 10_000 },
    telemetry: { defaultMetrics: false },
  };
  return loadConfig({ env: {}, overrides: merge(base, overrides as Record<string, any>) as ConfigInput });
}

export async function startTestApp(overrides: ConfigInput = {}, opts: AppOptions = {}): Promise<App> {
  const config = testConfig(overrides);
  const quiet = new Writable({ write: (_c, _e, cb) => cb() });
  const logger = createLogger({ level: config.logLevel, name: 'tickcast-test', destination: process.env.TICKCAST_TEST_LOGS ? process.stderr : quiet });
  const app = await buildApp(config, { logger, ...opts });
  await app.start();
  return app;
}
