/**
 * Local Kafka broker for tests and benchmarks: spawns the librdkafka mock-cluster binary built by
 * scripts/broker/build.sh (see docs/local-broker.md). Each call starts a private broker on
 * kernel-chosen 127.0.0.1 ports; it dies with the test process even when that is killed.
 *
 *   const broker = await startBroker({ topics: [{ name: 'ticks', partitions: 6 }] });
 *   try { ... new Kafka({ brokers: broker.brokers }) ... } finally { await broker.stop(); }
 *
 * Unknown topics are auto-created on first Metadata request with 4 partitions (the mock's
 * default); pre-create a topic when the partition count matters.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

export interface BrokerTopic {
  name: string;
  partitions: number;
}

export interface StartBrokerOptions {
  /** Topics created before the broker reports ready. */
  topics?: BrokerTopic[];
  /** Number of brokers in the mock cluster (ids 1..n). Default 1. */
  brokers?: number;
  /**
   * group.initial.rebalance.delay.ms: how long a brand-new (empty) group's first join waits for more
   * members, as real Kafka does (3 000 ms there by default). Default 0 (fresh groups start at once).
   */
  initialRebalanceDelayMs?: number;
  /** How long to wait for the bootstrap line. Default 15 000 ms. */
  readyTimeoutMs?: number;
}

export interface LocalBroker {
  /** Comma-separated bootstrap list, e.g. "127.0.0.1:37125". */
  bootstrap: string;
  /** The same list split into host:port entries (what kafkajs' `brokers` wants). */
  brokers: string[];
  /** OS process id of the broker. */
  pid: number;
  /**
   * All brokers go down: connections drop, new ones are refused (SIGUSR1). Sent as a signal, so it
   * takes effect a few ms later: a request already on the wire may still be answered.
   */
  down(): void;
  /** All brokers accept connections again on the same ports (SIGUSR2; same few-ms delay). */
  up(): void;
  /**
   * Grows `topic` to `count` partitions, as `kafka-topics --alter --partitions` does on a real
   * cluster (the mock's --commands; the existing partitions keep their records and offsets).
   * Resolves once the broker has done it; clients see it at their next metadata refresh.
   */
  addPartitions(topic: string, count: number): Promise<void>;
  /** Terminates the broker; safe to call twice (returns the same promise). */
  stop(): Promise<void>;
}

const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/broker/build.sh', import.meta.url));
const live = new Set<ChildProcess>();
let cachedBinary: string | undefined;

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Path of the mock broker binary: $TICKCAST_BROKER_BIN (set by scripts/test.mjs) or the result of
 * running scripts/broker/build.sh (instant when cached, a few minutes on a cold cache).
 */
export function brokerBinary(): string {
  if (cachedBinary !== undefined) return cachedBinary;
  const fromEnv = process.env.TICKCAST_BROKER_BIN;
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new Error(`TICKCAST_BROKER_BIN points at ${fromEnv}, which does not exist; unset it or run scripts/broker/build.sh`);
    }
    cachedBinary = fromEnv;
    return fromEnv;
  }
  const out = execFileSync('bash', [BUILD_SCRIPT], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const last = out.trim().split('\n').pop() ?? '';
  if (!last || !existsSync(last)) throw new Error(`scripts/broker/build.sh did not print a binary path; got ${JSON.stringify(out)}`);
  cachedBinary = last;
  return last;
}

export async function startBroker(opts: StartBrokerOptions = {}): Promise<LocalBroker> {
  const bin = brokerBinary();
  const args = ['--die-with-parent', '--commands', '--brokers', String(opts.brokers ?? 1)];
  for (const t of opts.topics ?? []) args.push('--topic', `${t.name}:${t.partitions}`);
  if (opts.initialRebalanceDelayMs !== undefined) args.push('--group-initial-rebalance-delay-ms', String(opts.initialRebalanceDelayMs));

  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  live.add(child);
  // A test that forgets stop() must not keep its process alive; the exit hook still kills it.
  child.unref();
  const stdout = child.stdout!;
  const stderr = child.stderr!;
  let stderrText = '';
  stderr.setEncoding('utf8');
  stderr.on('data', (d: string) => {
    stderrText = (stderrText + d).slice(-4000);
  });

  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      live.delete(child);
      resolve();
    });
  });

  const bootstrap = await new Promise<string>((resolve, reject) => {
    let buf = '';
    const timeoutMs = opts.readyTimeoutMs ?? 15_000;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mock broker printed no bootstrap line within ${timeoutMs} ms; stderr: ${stderrText}`));
    }, timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      reject(new Error(`mock broker ${why}; stderr: ${stderrText.trim()}`));
    };
    child.once('error', (err) => fail(`could not be spawned (${bin}): ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    stdout.setEncoding('utf8');
    stdout.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(buf.slice(0, nl).trim());
      }
    });
  });
  // Let the streams stop holding the event loop open once we have what we need.
  (stdout as unknown as { unref?: () => void }).unref?.();
  (stderr as unknown as { unref?: () => void }).unref?.();
  (child.stdin as unknown as { unref?: () => void }).unref?.();

  let stopping: Promise<void> | undefined;
  const signal = (sig: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  return {
    bootstrap,
    brokers: bootstrap.split(',').filter(Boolean),
    pid: child.pid!,
    down: () => signal('SIGUSR1'),
    up: () => signal('SIGUSR2'),
    addPartitions: (topic, count) =>
      new Promise<void>((resolve, reject) => {
        const prefix = `mock-broker: command partitions ${topic} ${count}: `;
        const onData = () => {
          const at = stderrText.lastIndexOf(prefix);
          const nl = at < 0 ? -1 : stderrText.indexOf('\n', at);
          if (nl < 0) return;
          stderr.off('data', onData);
          const answer = stderrText.slice(at + prefix.length, nl);
          if (answer === 'ok') resolve();
          else reject(new Error(`mock broker could not grow "${topic}" to ${count} partitions: ${answer}`));
        };
        stderr.on('data', onData);
        child.stdin!.write(`partitions ${topic} ${count}\n`);
      }),
    stop() {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
  };
}

let nameCounter = 0;
/** A fresh, valid Kafka topic or group name per call, e.g. "ticks-4f1c2a-3". */
export function uniqueName(prefix: string): string {
  nameCounter += 1;
  return `${prefix}-${process.pid.toString(36)}${randomBytes(3).toString('hex')}-${nameCounter}`;
}
