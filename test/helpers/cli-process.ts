/**
 * bin/tickcast.js run as a process, as a user runs it: the one copy of the spawn-and-collect code
 * the CLI tests wrote out in each file (until 7 Dec 2026 in stdin-name, pipe-closed, user-files,
 * cli and version tests, by spawn or execFile).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { envWithoutTickcast } from './tickcast-env.ts';

export const tickcastBin = join(new URL('../../', import.meta.url).pathname, 'bin/tickcast.js');

/** How a process ended: its exit code (null when a signal ended it) and what it wrote. */
export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnOptions {
  /** Written to its stdin, which is then closed; without it stdin is /dev/null. */
  stdin?: string;
  cwd?: string;
  /** 'inherit': stderr goes to the test runner's (and `Exited.stderr` stays empty). */
  stderr?: 'pipe' | 'inherit';
  /** Its environment; by default this process's without any TICKCAST_* variable. */
  env?: NodeJS.ProcessEnv;
}

/** `argv` quoted for bash, one word each. */
export const shellWords = (argv: readonly string[]): string => argv.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');

/** `node [nodeArgs] bin/tickcast.js args` as an argv. */
export const cliArgv = (args: readonly string[], nodeArgs: readonly string[] = []): string[] => [process.execPath, ...nodeArgs, tickcastBin, ...args];

/** Starts `cmd argv`, collecting stdout and stderr; the child (to signal it, or close its stdout) and how it ended. */
export function spawnCollect(cmd: string, argv: readonly string[], o: SpawnOptions = {}): { child: ChildProcess; exited: Promise<Exited> } {
  const child = spawn(cmd, argv, { env: o.env ?? envWithoutTickcast(), cwd: o.cwd, stdio: [o.stdin === undefined ? 'ignore' : 'pipe', 'pipe', o.stderr ?? 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out.stderr += c.toString()));
  if (o.stdin !== undefined) child.stdin!.end(o.stdin);
  return { child, exited: new Promise((resolve) => child.on('close', (code) => resolve({ code, ...out }))) };
}

/** Starts `node [nodeArgs] bin/tickcast.js args` (see spawnCollect). */
export function startTickcast(args: readonly string[], o: SpawnOptions & { nodeArgs?: readonly string[] } = {}): { child: ChildProcess; exited: Promise<Exited> } {
  const [cmd, ...argv] = cliArgv(args, o.nodeArgs);
  return spawnCollect(cmd!, argv, o);
}

/** `node [nodeArgs] bin/tickcast.js args` run to its end. */
export const runTickcast = (args: readonly string[], o: SpawnOptions & { nodeArgs?: readonly string[] } = {}): Promise<Exited> => startTickcast(args, o).exited;
