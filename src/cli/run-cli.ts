/**
 * Dispatch `tickcast <command> [options]` to a registered command and map failures to exit codes:
 * 0 ok, 64 usage error (EX_USAGE), 65 bad input data (EX_DATAERR), 66 unreadable input
 * (EX_NOINPUT: unreadable data or no model directory), 73 an output that cannot be written (EX_CANTCREAT,
 * checked before the work starts), 78 invalid configuration or an unusable model (EX_CONFIG), 130/143 stopped by
 * SIGINT/SIGTERM (nothing written), 141 the reader of a pipe written to went away (`| head`: quiet,
 * as SIGPIPE ends a Unix tool), 1 anything else. Errors are printed to
 * stderr as `tickcast <command>: <message> [<code>]`; stdout stays empty so a JSON consumer
 * never parses half a result.
 */
import { closest } from '../config/problems.ts';
import { ErrorCodes, describeError, isTickcastError } from '../errors/index.ts';
import { COMMANDS, type CommandEntry } from './commands.ts';
import type { CliIo } from './io.ts';

/** 128 + SIGPIPE (13): what a shell shows for a Unix tool whose reader went away (`seq 1e9 | head`). */
export const EXIT_PIPE_CLOSED = 141;

export function exitCodeFor(err: unknown): number {
  if (!isTickcastError(err)) return 1;
  if (err.code === ErrorCodes.CLI_USAGE) return 64;
  if (err.code === ErrorCodes.CLI_CANNOT_CREATE) return 73;
  if (err.code === ErrorCodes.CLI_OUTPUT_CLOSED) return EXIT_PIPE_CLOSED;
  if (err.code === ErrorCodes.CLI_INTERRUPTED) return err.details?.signal === 'SIGTERM' ? 143 : 130;
  if (err.code === ErrorCodes.DATA_UNREADABLE || err.code === ErrorCodes.MODEL_NOT_LOADED) return 66;
  if (err.code.startsWith('TC_DATA_')) return 65;
  if (err.code === ErrorCodes.CONFIG_INVALID || err.code === ErrorCodes.MODEL_ARTIFACT_CORRUPT || err.code === ErrorCodes.MODEL_ARTIFACT_MISMATCH) return 78;
  return 1;
}

export function generalHelp(commands: readonly CommandEntry[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'usage: tickcast <command> [options]',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Run "tickcast <command> --help" for the options of one command.',
    '',
  ].join('\n');
}

/** `tickcast --version` and `-V` are `tickcast version`. */
const VERSION_FLAGS: readonly string[] = ['--version', '-V'];

export async function runCli(argv: readonly string[], io: CliIo, commands: readonly CommandEntry[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  const name = first !== undefined && VERSION_FLAGS.includes(first) ? 'version' : first;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(generalHelp(commands));
    return name === undefined ? 64 : 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    const near = closest(name, commands.map((c) => c.name));
    io.stderr.write(`tickcast: unknown command ${JSON.stringify(name)}${near ? `; did you mean "${near}"?` : ''}; commands: ${commands.map((c) => c.name).join(', ')} [${ErrorCodes.CLI_USAGE}]\n`);
    return 64;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (err) {
    // The reader has what it wanted (`| head`): stop without a word, as SIGPIPE stops a Unix tool.
    if (isTickcastError(err) && err.code === ErrorCodes.CLI_OUTPUT_CLOSED) return EXIT_PIPE_CLOSED;
    const code = isTickcastError(err) ? ` [${err.code}]` : '';
    const text = isTickcastError(err) ? err.message : describeError(err);
    io.stderr.write(`tickcast ${name}: ${text}${code}\n`);
    if (!isTickcastError(err) && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return exitCodeFor(err);
  }
}
