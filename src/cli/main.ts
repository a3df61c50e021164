/**
 * Process entry of the `tickcast` command line (bin/tickcast.js imports this file). Wires the real
 * stdout/stderr and Ctrl-C into runCli and sets the exit code — nothing else.
 */
import { runCli } from './run-cli.ts';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted (SIGINT)')));
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
