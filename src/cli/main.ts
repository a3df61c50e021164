/**
 * Process entry of the `tickcast` command line (bin/tickcast.js imports this file). Wires the real
 * stdout/stderr and Ctrl-C into runCli and sets the exit code — nothing else.
 *
 * The first SIGINT (Ctrl-C) or SIGTERM aborts the command's signal: it stops at its next check,
 * writes no output and exits 130 (143 for SIGTERM) with TC_CLI_INTERRUPTED. A repeat within 1 s is
 * the same Ctrl-C (under `npx` or `npm run` the terminal and npm each deliver it); a later one
 * ends the process at once.
 */
import { ErrorCodes, TickcastError } from '../errors/index.ts';
import { EXIT_PIPE_CLOSED, runCli } from './run-cli.ts';

const REPEAT_MS = 1000;
const controller = new AbortController();
let firstAt = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  if (firstAt === 0) {
    firstAt = Date.now();
    const again = signal === 'SIGINT' ? 'Ctrl-C' : signal;
    controller.abort(new TickcastError(ErrorCodes.CLI_INTERRUPTED, `interrupted by ${signal}; stopped without writing any output (a second ${again} stops at once)`, { details: { signal } }));
  } else if (Date.now() - firstAt >= REPEAT_MS) process.exit(signal === 'SIGTERM' ? 143 : 130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
// A reader of stdout or stderr that went away (`| head`, `| jq` that quit) has what it wanted: end
// quietly with 141, as SIGPIPE ends a Unix tool (Node ignores SIGPIPE; until 7 Dec 2026 the write's
// EPIPE was an unhandled 'error' event: exit 1 and a stack trace). Any other stream error is a bug.
const onStreamError = (err: NodeJS.ErrnoException): void => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(EXIT_PIPE_CLOSED);
};
process.stdout.on('error', onStreamError);
process.stderr.on('error', onStreamError);
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
