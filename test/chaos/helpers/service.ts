/**
 * The real service as a child process for the reliability suite: `node --import tsx src/main.ts`
 * configured only through the environment, as an operator would run it. Gives the test what an
 * operator sees from outside: the logs (pino JSON lines), GET /metrics, /v1/*, the process' RSS
 * from /proc, its exit code — and lets it send SIGKILL/SIGTERM.
 *
 *   const svc = await startService({ brokers, topics, groupId, modelDir, env: { ... } });
 *   try { ... await svc.metric('tickcast_forecasts_total') ... } finally { await svc.stop(); }
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/**
 * Where `src/main.ts` is run from: the repository (default) or CHAOS_SERVICE_ROOT, e.g. a snapshot
 * of a commit (`git archive HEAD | tar -x -C /tmp/snap && ln -s $PWD/node_modules /tmp/snap/`) so
 * a long chaos run is not disturbed by edits in a shared working tree.
 */
const ROOT = process.env.CHAOS_SERVICE_ROOT ? path.resolve(process.env.CHAOS_SERVICE_ROOT) : REPO;
/**
 * The service runs with the V8 heap limit it gets as shipped: the image's entrypoint gives it
 * `heapPercent` (60 %) of the Helm chart's default memory limit (2 GiB), both read from helm/tickcast/values.yaml (deploy/docker/entrypoint.sh).
 * Without a limit V8 sizes itself for this 24 GiB machine (~4 GiB) and lets the heap grow to 4× the
 * live set between full collections; under 1,228 MB it allows ~1.7×. Measured under 3× overload:
 * RSS idle + 385 MiB without, + 158 MiB with, the live heap 96 MB in both (docs/reliability.md, 8).
 */
const DEPLOYED_HEAP_MB = deployedHeapMb();

/** The entrypoint's formula (limit in MiB × heapPercent / 100) on the chart's default values. */
function deployedHeapMb(): number {
  const values = parseYaml(readFileSync(path.join(REPO, 'helm/tickcast/values.yaml'), 'utf8')) as { resources: { limits: { memory: string } }; heapPercent: number };
  const m = /^(\d+)(Mi|Gi)$/.exec(values.resources.limits.memory);
  if (!m) throw new Error(`helm values resources.limits.memory "${values.resources.limits.memory}": expected <n>Mi or <n>Gi`);
  const limitMb = Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
  return Math.floor((limitMb * values.heapPercent) / 100);
}
/** Node.js flags for every service this suite starts, after the heap limit (so they may override it), e.g. `--heapsnapshot-signal=SIGUSR2` to diagnose one. */
const NODE_ARGS = [`--max-old-space-size=${DEPLOYED_HEAP_MB}`, ...(process.env.CHAOS_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean)];
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface ServiceTopics {
  ticks: string;
  forecasts: string;
  anomalies: string;
  dlq: string;
}

export interface StartServiceOptions {
  brokers: string[];
  topics: ServiceTopics;
  groupId: string;
  /** Checkpoint directory (a fresh temp dir per test). */
  modelDir: string;
  /** Extra TICKCAST_* variables (override the defaults below). */
  env?: Record<string, string>;
  /** Where to append the service's raw log lines (for a human reading a failure). */
  logFile?: string;
  /** How long to wait for "tickcast running" and /readyz. Default 120 s (a busy 2-core machine). */
  readyTimeoutMs?: number;
  /** Wait for /readyz (consumer group joined: for a lone instance, its partitions assigned) as well as the start log. Default true. */
  waitReady?: boolean;
  /** Extra Node.js flags before `--import tsx` (e.g. `--trace-gc`). */
  nodeArgs?: string[];
  /** Called with every raw line the service writes (stdout and stderr), before it is parsed. */
  onLine?: (line: string) => void;
}

export interface ServiceProcess {
  readonly pid: number;
  readonly url: string;
  /** Log lines parsed as JSON (non-JSON lines are kept as { msg: line }), oldest first, bounded. */
  readonly logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code / signal once the process is gone. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Resident set size in bytes from /proc/<pid>/status (VmRSS). */
  rssBytes(): number;
  /** GET /metrics parsed: metric name (with labels) → value. */
  metrics(): Promise<Map<string, number>>;
  /** Sum of every sample of `name` (all label sets); NaN when absent. */
  metric(name: string): Promise<number>;
  fetch(pathname: string, init?: RequestInit): Promise<Response>;
  waitForLog(pred: (l: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>>;
  kill9(): Promise<void>;
  /** SIGTERM and wait for exit (SIGKILL after `graceMs`); returns the exit code. Safe to call twice. */
  stop(graceMs?: number): Promise<number | null>;
}

/** A free TCP port on 127.0.0.1 (bind :0, read, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The environment without any tickcast/Kafka/OTel variables of the test process itself. */
function cleanEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('TICKCAST_') || k.startsWith('CHAOS_') || k === 'KAFKA_BROKERS' || k.startsWith('OTEL_')) continue;
    out[k] = v;
  }
  return out;
}

/** Small model and test-friendly Kafka timings; see docs/reliability.md. */
export function serviceEnv(o: StartServiceOptions, port: number): Record<string, string> {
  return {
    ...cleanEnv(),
    KAFKA_BROKERS: o.brokers.join(','),
    TICKCAST_TOPICS_TICKS: o.topics.ticks,
    TICKCAST_TOPICS_FORECASTS: o.topics.forecasts,
    TICKCAST_TOPICS_ANOMALIES: o.topics.anomalies,
    TICKCAST_TOPICS_DLQ: o.topics.dlq,
    TICKCAST_KAFKA_GROUP_ID: o.groupId,
    TICKCAST_KAFKA_FROM_BEGINNING: 'true',
    TICKCAST_KAFKA_SESSION_TIMEOUT_MS: '6000',
    TICKCAST_KAFKA_HEARTBEAT_INTERVAL_MS: '500',
    TICKCAST_HTTP_PORT: String(port),
    TICKCAST_HTTP_HOST: '127.0.0.1',
    TICKCAST_WINDOWS_LENGTH: '16',
    TICKCAST_MODEL_HORIZON: '4',
    TICKCAST_MODEL_D_MODEL: '8',
    TICKCAST_MODEL_BOOTSTRAP_EPOCHS: '0',
    TICKCAST_MODEL_ENGINE: 'onnx',
    TICKCAST_MODEL_DIR: o.modelDir,
    TICKCAST_LOG_LEVEL: 'info',
    ...o.env,
  };
}

export async function startService(o: StartServiceOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [...NODE_ARGS, ...(o.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: serviceEnv(o, port), stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  const logs: Array<Record<string, unknown>> = [];
  const file: WriteStream | null = o.logFile ? createWriteStream(o.logFile, { flags: 'a' }) : null;
  file?.write(`--- pid ${child.pid} started ${new Date().toISOString()}\n`);
  const onLine = (line: string) => {
    if (!line.trim()) return;
    o.onLine?.(line);
    file?.write(line + '\n');
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(line) as Record<string, unknown>;
    } catch {
      rec = { msg: line };
    }
    logs.push(rec);
    if (logs.length > 20_000) logs.splice(0, 5_000);
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      file?.end(`--- pid ${child.pid} exited code=${code} signal=${signal}\n`);
      resolve({ code, signal });
    });
  });
  const alive = () => child.exitCode === null && child.signalCode === null;

  const fetchSvc = (pathname: string, init?: RequestInit) => fetch(url + pathname, { ...init, signal: init?.signal ?? AbortSignal.timeout(30_000) });
  const metrics = async () => {
    const text = await (await fetchSvc('/metrics')).text();
    const m = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const sp = line.lastIndexOf(' ');
      m.set(line.slice(0, sp), Number(line.slice(sp + 1)));
    }
    return m;
  };
  const waitForLog = async (pred: (l: Record<string, unknown>) => boolean, timeoutMs: number, what: string) => {
    const t0 = Date.now();
    for (let seen = 0; ; ) {
      for (; seen < logs.length; seen++) if (pred(logs[seen])) return logs[seen];
      if (!alive()) throw new Error(`service exited while waiting for ${what}; last logs:\n${tail(logs)}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`no log "${what}" within ${timeoutMs} ms; last logs:\n${tail(logs)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  let stopping: Promise<number | null> | undefined;
  const svc: ServiceProcess = {
    pid: child.pid!,
    url,
    logs,
    exited,
    alive,
    rssBytes: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : NaN;
    },
    metrics,
    async metric(name) {
      let sum = NaN;
      for (const [k, v] of await metrics()) {
        if (k === name || k.startsWith(name + '{')) sum = (Number.isNaN(sum) ? 0 : sum) + v;
      }
      return sum;
    },
    fetch: fetchSvc,
    waitForLog,
    async kill9() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    stop(graceMs = 30_000) {
      stopping ??= (async () => {
        if (!alive()) return (await exited).code;
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        const r = await exited;
        clearTimeout(timer);
        return r.code;
      })();
      return stopping;
    },
  };

  try {
    await waitForLog((l) => l.msg === 'tickcast running', o.readyTimeoutMs ?? 120_000, 'tickcast running');
    if (o.waitReady ?? true) {
      const t0 = Date.now();
      for (;;) {
        const r = await fetchSvc('/readyz').catch(() => null);
        if (r?.status === 200) break;
        await r?.body?.cancel();
        if (Date.now() - t0 > (o.readyTimeoutMs ?? 120_000)) throw new Error(`/readyz not 200 within ${o.readyTimeoutMs ?? 120_000} ms`);
        await new Promise((r2) => setTimeout(r2, 100));
      }
    }
  } catch (err) {
    await svc.kill9();
    throw err;
  }
  return svc;
}

export function tail(logs: Array<Record<string, unknown>>, n = 15): string {
  return logs
    .slice(-n)
    .map((l) => JSON.stringify(l).slice(0, 400))
    .join('\n');
}

/** The directory the service runs from (see CHAOS_SERVICE_ROOT). */
export function serviceRoot(): string {
  return ROOT;
}
