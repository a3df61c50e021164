/**
 * For tests that run the service as a real process (`npm start`, `node src/main.ts`): a free port,
 * polling until a condition holds, and the environment of a small service on the embedded default
 * (window 16, horizon 4, seeded weights: no training at start) with nothing inherited from the
 * test runner's own TICKCAST_* variables (the config loader refuses unknown ones).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');

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

/** Waits until the service's log matches `re` (an observable state, not a guessed delay); throws after `ms` with the log's tail. */
export async function waitForLog(log: { text: string }, re: RegExp, ms = 30_000): Promise<void> {
  await waitFor(`a log line matching ${re}`, ms, () => (re.test(log.text) ? true : undefined), 20).catch((err: Error) => {
    throw new Error(`${err.message}; log:\n${log.text.slice(-3000)}`);
  });
}

/**
 * A module to preload (`startSourceService`'s `preload`): the first `signal` finds the service's
 * event loop busy for `ms` before its own handler runs — a stall (GC, a long synchronous step) as
 * the signal arrives, so the service takes the signal that much later than it was sent.
 */
export function stallOnFirst(signal: 'SIGINT' | 'SIGTERM', ms: number): string {
  return `data:text/javascript,process.once('${signal}', () => { const end = Date.now() + ${ms}; while (Date.now() < end); });`;
}

/**
 * Waits until `pid` has been handed `signal` sent to it (Linux: no longer pending in
 * /proc/PID/status): a signal sent again while the first is still pending merges with it (standard
 * signals are not queued), so a process not scheduled in between — a loaded machine — sees one.
 * Elsewhere (no /proc) it waits 10 ms.
 */
export async function signalTaken(pid: number, signal: 'SIGINT' | 'SIGTERM', ms = 10_000): Promise<void> {
  const bit = 1n << BigInt((signal === 'SIGINT' ? 2 : 15) - 1);
  const pending = (): boolean | undefined => {
    let status: string;
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      return undefined;
    }
    return [...status.matchAll(/^(?:SigPnd|ShdPnd):\s*([0-9a-f]+)$/gm)].some((m) => (BigInt(`0x${m[1]}`) & bit) !== 0n);
  };
  if (pending() === undefined) return void (await new Promise((r) => setTimeout(r, 10)));
  await waitFor(`${signal} taken by ${pid}`, ms, () => (pending() ? undefined : true), 1);
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

export interface SpawnedService {
  child: ChildProcess;
  port: number;
  /** Everything it wrote, stdout and stderr. */
  log: { text: string };
  exited: Promise<{ code: number | null; signal: string | null }>;
}

/**
 * The service from its sources (`node --import tsx [...preload] src/main.ts`) on the embedded default
 * with a small seeded model and fine-tuning off, started and healthy; killed and its model folder
 * removed after the test. `preload`: more `--import` modules; `env`: more variables.
 */
export async function startSourceService(t: { after: (fn: () => void) => void }, opts: { preload?: string[]; env?: Record<string, string> } = {}): Promise<SpawnedService> {
  const port = await freePort();
  const modelDir = mkdtempSync(join(tmpdir(), 'tc-spawned-'));
  const env = { ...smallServiceEnv(port, modelDir, { TICKCAST_FINETUNE_ENABLED: 'false' }), ...opts.env };
  const args = ['--import', 'tsx', ...(opts.preload ?? []).flatMap((m) => ['--import', m]), 'src/main.ts'];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = { text: '' };
  child.stdout!.on('data', (c) => (log.text += String(c)));
  child.stderr!.on('data', (c) => (log.text += String(c)));
  const exited = new Promise<{ code: number | null; signal: string | null }>((res) => child.once('exit', (code, signal) => res({ code, signal })));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(modelDir, { recursive: true, force: true });
  });
  await waitFor('GET /healthz', 120_000, async () => {
    if (child.exitCode !== null) throw new Error(`the service exited early (${child.exitCode}):\n${log.text.slice(-3000)}`);
    const r = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
    return r?.ok ? true : undefined;
  });
  return { child, port, log, exited };
}

/**
 * A request whose body never finishes keeps the HTTP close (the drain's last step) waiting, so the
 * service is still draining when a later signal comes (an idle service drains in a few ms).
 * Destroying the returned socket lets the drain complete.
 */
export async function holdDrain(t: { after: (fn: () => void) => void }, port: number): Promise<Socket> {
  const held: Socket = connect(port, '127.0.0.1');
  t.after(() => held.destroy());
  await new Promise<void>((res) => held.once('connect', () => res()));
  held.write('POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"window":[');
  await new Promise((r) => setTimeout(r, 200));
  return held;
}
