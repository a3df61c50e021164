/**
 * Where a command writes, checked before it starts work (a backtest that runs for minutes must not
 * lose its result to an output path that was never writable) and replaced only after it succeeded.
 *
 * Exit codes (./run-cli.ts): an output that cannot be created where it was asked for (a file where
 * a directory must go, a directory where a file must go, no permission) is TC_CLI_CANNOT_CREATE,
 * exit 73 (EX_CANTCREAT); an --out that the flags given do not allow to be replaced (a non-empty
 * directory without --force, or --force on one that holds no model) is a usage error, exit 64: the
 * path can be written, the user has to choose another one or another flag. See docs/cli.md.
 */
import { constants, rmSync, type Stats } from 'node:fs';
import { access, mkdir, open, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { usageError } from './args.ts';
import { LINEAR_FILE } from './model-dir.ts';

/** The hybrid artifact's manifest (src/model/artifact.ts MANIFEST_FILE; not imported: that module loads tfjs). */
const MANIFEST = 'model.json';

export function cannotCreate(message: string): TickcastError {
  return new TickcastError(ErrorCodes.CLI_CANNOT_CREATE, message, { statusCode: 400, retriable: false });
}

/**
 * The reader of a pipe the command writes to went away (`--out /dev/stdout | head`): not a disk
 * that is full but a reader that has what it wanted, so exit 141 without a word, as a Unix tool
 * killed by SIGPIPE (./run-cli.ts). Until 7 Dec 2026 it was exit 73 "nothing was written; free space".
 */
export function outputClosed(flag: string, path: string, cause: unknown): TickcastError {
  return new TickcastError(ErrorCodes.CLI_OUTPUT_CLOSED, `${flag} ${path}: the reader closed the pipe`, { statusCode: 400, retriable: false, cause });
}

const isEpipe = (err: unknown): boolean => (err as NodeJS.ErrnoException | null)?.code === 'EPIPE';

const statOf = (path: string): Promise<Stats | null> => stat(path).catch(() => null);

/**
 * The error for a write to an output that failed: TC_CLI_OUTPUT_CLOSED for a pipe whose reader
 * went away, else TC_CLI_CANNOT_CREATE saying what is left at `path` (`s`: what was there before):
 * an earlier file as it was, nothing, or — for a device or pipe, written as is — what it took
 * before the failure. writeOutputFile and openOutputFile both throw this (until 7 Dec 2026 each
 * worded its own: a device was "the file there is as it was" from one, "nothing was written"
 * from the other).
 */
function writeFailed(flag: string, path: string, s: Stats | null, err: unknown): TickcastError {
  if (isEpipe(err)) return outputClosed(flag, path, err);
  const left = s === null ? 'nothing was written' : s.isFile() ? 'the file there is as it was' : 'it is a device or pipe, written as is: what it took before the failure stays there';
  return cannotCreate(`${flag} ${path}: cannot write it: ${(err as Error).message}; ${left}; free space or give another path`);
}

/** The nearest existing ancestor of `path` must be a writable directory (so `mkdir -p` and a write will work). */
async function checkParent(path: string, flag: string): Promise<void> {
  let dir = dirname(resolve(path));
  let s = await statOf(dir);
  while (s === null && dirname(dir) !== dir) {
    dir = dirname(dir);
    s = await statOf(dir);
  }
  if (s === null || !s.isDirectory()) throw cannotCreate(`${flag} ${path}: ${dir} is not a directory; give a path inside a directory`);
  await access(dir, constants.W_OK).catch(() => {
    throw cannotCreate(`${flag} ${path}: no permission to write in ${dir}; give a path you can write to`);
  });
}

/** An output file (results CSV, plot): not a directory, and writable, or creatable in a writable directory. */
export async function checkOutputFile(path: string, flag: string): Promise<void> {
  const s = await statOf(path);
  if (s?.isDirectory()) throw cannotCreate(`${flag} ${path} is a directory; give a file path such as ${join(path, 'out' + (flag === '--plot' ? '.png' : '.csv'))}`);
  if (s) {
    await access(path, constants.W_OK).catch(() => {
      throw cannotCreate(`${flag} ${path} exists and is not writable; give another path`);
    });
    return;
  }
  await checkParent(path, flag);
}

/**
 * Write an output file that checkOutputFile accepted: its missing parent folders are created
 * first, as `train --out` creates its own (checkParent only checked that they can be). The bytes go
 * to a temporary sibling (`.<name>.tmp-*`) renamed over `path` only once written in full, so a
 * failed write (disk full, a file-size limit) or an interrupted run leaves no half-written file
 * and an earlier one as it was; the failure is TC_CLI_CANNOT_CREATE (exit 73). A symbolic link is
 * followed (its target is replaced); a device or pipe (`/dev/null`, `/dev/stdout`) is written as is.
 */
export async function writeOutputFile(path: string, data: string | Uint8Array, flag = '--out'): Promise<void> {
  const target = await realpath(path).catch(() => resolve(path));
  const s = await statOf(target);
  const fail = (err: unknown): never => {
    throw writeFailed(flag, path, s, err);
  };
  if (s && !s.isFile()) {
    await writeFile(target, data).catch(fail);
    return;
  }
  await mkdir(dirname(target), { recursive: true }).catch(fail);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, target);
  } catch (err) {
    await rm(tmp, { force: true });
    fail(err);
  }
}

/** An output file written as the work goes (`detect --out`): in place at `commit`, gone at `abort`. */
export interface OutputFile {
  write(text: string): Promise<void>;
  /** Put the file in place (rename the temporary file over `path`). */
  commit(): Promise<void>;
  /** Remove what was written (a device keeps what it got). Safe to call after commit. */
  abort(): Promise<void>;
}

/**
 * Open an output file that checkOutputFile accepted, to write it piece by piece in constant
 * memory, with writeOutputFile's guarantees: the pieces go to a temporary sibling renamed over
 * `path` by `commit` (an earlier file stays as it was until then; a failed write is
 * TC_CLI_CANNOT_CREATE, exit 73). The temporary file is removed by `abort`, and at process exit
 * (a second Ctrl-C) if neither ran. A device or pipe (`/dev/null`, `/dev/stdout`) is written as
 * is, piece by piece: what it got before a failure stays there.
 */
export async function openOutputFile(path: string, flag = '--out'): Promise<OutputFile> {
  const target = await realpath(path).catch(() => resolve(path));
  const s = await statOf(target);
  const fail = (err: unknown): never => {
    throw writeFailed(flag, path, s, err);
  };
  const device = s !== null && !s.isFile();
  if (!device) await mkdir(dirname(target), { recursive: true }).catch(fail);
  const tmp = device ? target : join(dirname(target), `.${basename(target)}.tmp-${process.pid}-${Date.now().toString(36)}`);
  const file = await open(tmp, 'w').catch(fail);
  const onExit = (): void => rmSync(tmp, { force: true });
  if (!device) process.once('exit', onExit);
  let isOpen = true;
  const end = async (keep: boolean): Promise<void> => {
    if (!isOpen) return;
    isOpen = false;
    process.off('exit', onExit);
    try {
      await file.close();
      if (!device && keep) await rename(tmp, target);
    } finally {
      if (!device && !keep) await rm(tmp, { force: true });
    }
  };
  return {
    write: async (text) => {
      // One write(2) may take only part (at a size limit, on a pipe); the rest goes again, so a full disk fails here.
      const bytes = Buffer.from(text);
      for (let at = 0; at < bytes.length; ) at += (await file.write(bytes, at).catch(fail)).bytesWritten;
    },
    commit: () =>
      end(true).catch(async (err) => {
        await rm(tmp, { force: true });
        fail(err);
      }),
    abort: () => end(false),
  };
}

/**
 * `detect --out -`: the results on the command's stdout stream, as most tools read `-` (until 7 Dec
 * 2026 it wrote a file named `-` in the current folder). Written as it comes, waiting for a slow
 * reader ('drain'); a reader that goes away ends the process (EPIPE, ./main.ts: exit 141).
 */
export function stdoutOutput(stream: { write(chunk: string): unknown; once?: (event: 'drain', listener: () => void) => unknown }): OutputFile {
  return {
    write: async (text) => {
      if (stream.write(text) === false && stream.once) await new Promise<void>((resolve) => stream.once!('drain', resolve));
    },
    commit: async () => {},
    abort: async () => {},
  };
}

/** True when `dir` itself holds a model `train` wrote (a linear baseline or a hybrid artifact). */
export async function holdsModel(dir: string): Promise<boolean> {
  for (const f of [LINEAR_FILE, MANIFEST]) if ((await statOf(join(dir, f)))?.isFile()) return true;
  return false;
}

/** A model directory `train` may write: checked up front, written in full beside it, then swapped in. */
export interface ModelOutput {
  /** Write the model into a temporary sibling with `save`, then put it in place of --out; --out is untouched when `save` fails. */
  write(save: (dir: string) => Promise<unknown>): Promise<void>;
}

/**
 * Check `train --out` before any work: a file there is exit 73; a non-empty directory needs
 * --force, and --force replaces only a directory that holds a model (never one with other files).
 */
export async function checkModelOutput(out: string, force: boolean): Promise<ModelOutput> {
  const s = await statOf(out);
  if (s && !s.isDirectory()) throw cannotCreate(`--out ${out} is a file; give a directory for the model`);
  const entries = s ? await readdir(out) : [];
  if (entries.length > 0 && !force) throw usageError(`--out ${out} exists and is not empty; choose another directory or pass --force to overwrite`);
  if (entries.length > 0 && !(await holdsModel(out))) {
    throw usageError(`--out ${out} holds no model (it has: ${entries.slice(0, 8).join(', ')}), so --force will not replace it; choose another directory`);
  }
  await checkParent(out, '--out');
  if (s) {
    await access(out, constants.W_OK).catch(() => {
      throw cannotCreate(`--out ${out}: no permission to write there; give a directory you can write to`);
    });
  }
  return { write: (save) => writeModelDir(out, save) };
}

async function writeModelDir(out: string, save: (dir: string) => Promise<unknown>): Promise<void> {
  const parent = dirname(resolve(out));
  await mkdir(parent, { recursive: true });
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const tmp = join(parent, `.${basename(out)}.tmp-${tag}`);
  const old = join(parent, `.${basename(out)}.old-${tag}`);
  try {
    await save(tmp);
    const existed = (await statOf(out)) !== null;
    if (existed) await rename(out, old);
    try {
      await rename(tmp, out);
    } catch (err) {
      if (existed) await rename(old, out);
      throw err;
    }
    if (existed) await rm(old, { recursive: true, force: true });
  } catch (err) {
    // The filesystem refused the model (disk full, a file-size or quota limit): the user's to fix, not a bug.
    if (isErrno(err)) throw cannotCreate(`--out ${out}: cannot write the model: ${err.message}; --out is as it was; free space or give another directory`);
    throw err;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

function isErrno(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!);
}
