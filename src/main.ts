/**
 * Process entry: tracing first, then config, build the app, wire signals, set the exit code.
 * Exit codes: 0 clean stop, 1 runtime failure, 78 invalid configuration (EX_CONFIG).
 */
import { startTracing } from './telemetry/tracing.ts';
import { loadConfig } from './config/load.ts';
import { parseResourceAttributes } from './config/otel-env.ts';
import { isTickcastError, ErrorCodes } from './errors/index.ts';

/**
 * A second SIGTERM/SIGINT forces an immediate exit (1, no drain) only when it comes at least this
 * long after the first. Ctrl-C on `npm start` in a terminal delivers SIGINT twice within ~10 ms:
 * once to every process in the terminal's foreground group, node included, and once more as npm
 * forwards it; taken as "exit now", one Ctrl-C would skip the drain, the last commit and the
 * snapshot. A person who means "now" presses again well after a second.
 */
const FORCE_EXIT_MIN_GAP_MS = 1_000;

/** A configuration problem: its lines on stderr, exit 78 (EX_CONFIG). */
function exitIfConfigInvalid(err: unknown): void {
  if (!isTickcastError(err) || err.code !== ErrorCodes.CONFIG_INVALID) return;
  process.stderr.write(`tickcast: ${err.message}\n`);
  process.exit(78);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    exitIfConfigInvalid(err);
    throw err;
  }
  const tracing = await startTracing({
    serviceName: config.serviceName,
    otlpEndpoint: config.telemetry.otlpEndpoint || undefined,
    resourceAttributes: parseResourceAttributes(config.telemetry.resourceAttributes),
  });
  // Imported after tracing so instrumentation can patch modules as they load.
  const { buildApp } = await import('./app.ts');
  // A Kafka property librdkafka refuses (kafka.properties) is found when the client is configured.
  const app = await buildApp(config).catch((err: unknown) => (exitIfConfigInvalid(err), Promise.reject(err)));
  const log = app.logger.child({ module: 'main' });

  let firstSignalAt: number | undefined;
  let exitCode = 0;
  /** A signal drains and exits 0; a defect (`failure`) drains the same way and exits 1. */
  const shutdown = (signal: string, failure = false) => {
    if (failure) exitCode = 1;
    if (firstSignalAt !== undefined) {
      if (failure) return; // already draining: the exit code says it failed
      if (performance.now() - firstSignalAt < FORCE_EXIT_MIN_GAP_MS) {
        log.info({ signal }, `repeated signal within ${FORCE_EXIT_MIN_GAP_MS} ms (one Ctrl-C delivered twice): still draining; signal again later to exit now`);
        return;
      }
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    firstSignalAt = performance.now();
    log.info({ signal, graceMs: config.shutdown.graceMs }, 'shutting down');
    const force = setTimeout(() => {
      log.error('drain did not finish within shutdown.graceMs; exiting with work possibly redelivered');
      process.exit(1);
    }, config.shutdown.graceMs);
    force.unref();
    app
      .stop()
      .then(() => tracing.shutdown())
      .then(() => process.exit(exitCode))
      .catch((err) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A promise rejected with nobody listening is a defect whose effects are unknown (a loop may have
  // stopped, state may be half-updated). Node's default crashes at once; like Temporal's worker,
  // tickcast drains first (nothing acknowledged is lost, the snapshot is taken) and then exits 1,
  // so the orchestrator restarts a clean process and the restart is visible (docs/reliability.md).
  process.on('unhandledRejection', (err) => {
    log.error({ err }, 'unhandled rejection (a defect): draining, then exiting 1');
    shutdown('unhandledRejection', true);
  });
  // A synchronous throw nobody caught: Node exits 1 at once (no drain: the state is suspect); this
  // only writes it as a JSON log line first, where log pipelines look.
  process.on('uncaughtExceptionMonitor', (err, origin) => log.fatal({ err, origin }, 'uncaught exception: exiting 1'));

  await app.start();
}

main().catch((err) => {
  process.stderr.write(`tickcast: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
