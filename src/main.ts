/**
 * Process entry: tracing first, then config, build the app, wire signals, set the exit code.
 * Exit codes: 0 clean stop (a signal, also one during start-up), 1 runtime failure or a stop that gave
 * up chunks in flight (their outputs never acknowledged: shutdown.flushMs), 78 invalid configuration (EX_CONFIG).
 */
import { startTracing } from './telemetry/tracing.ts';
import { loadConfig } from './config/load.ts';
import { parseResourceAttributes } from './config/otel-env.ts';
import { isTickcastError, ErrorCodes } from './errors/index.ts';
import type { Logger } from './telemetry/logger.ts';
import { within } from './waits/bounded.ts';

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

/**
 * Spans still queued when the drain is done get this long to reach the collector. Traces are best
 * effort: a collector that does not answer must not hold a drained process until shutdown.graceMs
 * ends it with exit 1 and a false "drain did not finish" (the OTLP exporter waits 10 s per try).
 */
const TRACES_FLUSH_MAX_MS = 3_000;

/** tracing.shutdown(), bounded by `maxMs`; a failure or the bound is a warning, never the exit code. */
async function flushTraces(tracing: { shutdown(): Promise<void> }, log: Logger, maxMs: number): Promise<void> {
  const flushed = tracing.shutdown().catch((err: unknown) => log.warn({ err }, 'spans not exported at shutdown: the export failed'));
  if (!(await within(flushed, maxMs))) log.warn({ waitedMs: Math.max(0, maxMs) }, 'spans not exported at shutdown: the OTLP collector did not answer in time; exiting without them');
}

/**
 * Counts the operator's signals (SIGTERM/SIGINT) once a drain is under way: `'force'` when this one
 * is a second signal, at least FORCE_EXIT_MIN_GAP_MS after the first. A drain a defect started has
 * had no signal yet, so the first SIGTERM then (Kubernetes stopping the pod) lets the drain go on;
 * only another signal after it cuts the drain short.
 */
function signalsDuringDrain(log: Logger): (signal: string) => 'first' | 'ignore' | 'force' {
  let firstAt: number | undefined;
  return (signal) => {
    const now = performance.now();
    if (firstAt === undefined) {
      firstAt = now;
      return 'first';
    }
    if (now - firstAt < FORCE_EXIT_MIN_GAP_MS) {
      log.info({ signal }, `repeated signal within ${FORCE_EXIT_MIN_GAP_MS} ms (one Ctrl-C delivered twice): still draining; signal again later to exit now`);
      return 'ignore';
    }
    log.warn({ signal }, 'second signal: exiting now');
    return 'force';
  };
}

/** What a signal stops: the app once built (drain), nothing while it is still being built. */
interface Stoppable {
  /** `complete` false: chunks in flight were given up (redelivered after the restart): exit 1. */
  stop(): Promise<{ complete: boolean }>;
}

/**
 * SIGTERM/SIGINT and unhandled rejections → drain (`target()`'s stop) and exit. Wired before the
 * app is built: a signal while the model is loaded or trained (minutes with bootstrap training)
 * exits 0 with a log line instead of the signal's default death (no line, 143 to Kubernetes).
 */
function wireShutdown(log: Logger, graceMs: number, target: () => Stoppable | null, tracing: { shutdown(): Promise<void> }): { requested(): boolean } {
  let firstSignalAt: number | undefined;
  let exitCode = 0;
  const signalled = signalsDuringDrain(log);
  /** A signal drains and exits 0; a defect (`failure`) drains the same way and exits 1. */
  const shutdown = (signal: string, failure = false) => {
    if (failure) exitCode = 1;
    if (firstSignalAt !== undefined) {
      // Already draining: a defect only sets the exit code; a signal may force the exit.
      if (failure) return;
      const seen = signalled(signal);
      if (seen === 'first') log.info({ signal }, 'signal during the drain a defect started: the drain goes on (exit 1 at its end); signal again later to exit now');
      if (seen === 'force') process.exit(1);
      return;
    }
    firstSignalAt = performance.now();
    if (!failure) signalled(signal);
    const app = target();
    if (app) log.info({ signal, graceMs }, 'shutting down');
    else log.info({ signal }, 'stop requested while starting (the model is being loaded or trained; nothing consumed yet): exiting');
    const force = setTimeout(() => {
      log.error('drain did not finish within shutdown.graceMs; exiting with work possibly redelivered');
      process.exit(1);
    }, graceMs);
    force.unref();
    (app ? app.stop() : Promise.resolve({ complete: true }))
      .then((outcome) => void (outcome.complete || (exitCode = 1)))
      // Within graceMs either way (its timer would say the drain failed).
      .then(() => flushTraces(tracing, log, Math.min(TRACES_FLUSH_MAX_MS, graceMs - (performance.now() - firstSignalAt!) - 250)))
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
  return { requested: () => firstSignalAt !== undefined };
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
    otlpProtocol: config.telemetry.otlpProtocol,
    resourceAttributes: parseResourceAttributes(config.telemetry.resourceAttributes),
  });
  // Imported after tracing so instrumentation can patch modules as they load.
  const [{ buildApp }, { createLogger }] = await Promise.all([import('./app.ts'), import('./telemetry/logger.ts')]);
  const logger = createLogger({ level: config.logLevel, name: config.serviceName });
  let app: Stoppable | null = null;
  const stop = wireShutdown(logger.child({ module: 'main' }), config.shutdown.graceMs, () => app, tracing);
  // A Kafka property librdkafka refuses (kafka.properties) is found when the client is configured.
  const built = await buildApp(config, { logger }).catch((err: unknown) => (exitIfConfigInvalid(err), Promise.reject(err)));
  if (stop.requested()) return; // signalled while it was built: exiting already
  app = built;
  // A listen the configuration can fix (http.port in use, src/adapters/http/listen.ts) exits 78 as a config problem.
  await built.start().catch((err: unknown) => (exitIfConfigInvalid(err), Promise.reject(err)));
}

main().catch((err) => {
  process.stderr.write(`tickcast: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
