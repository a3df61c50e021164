/**
 * What a command may touch of the outside world, passed in so tests can capture it: stdout gets
 * exactly one JSON document (the machine-readable result), stderr gets progress and messages.
 */
export interface CliStream {
  write(chunk: string): unknown;
  /** True when a person is watching (progress bars redraw in place only then). */
  isTTY?: boolean;
  /** Terminal width in columns, when known. */
  columns?: number;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /** Cancels long work (SIGINT in the real process). */
  signal?: AbortSignal;
  /** Clock for progress output; tests may pass a fake one. */
  now?: () => number;
}

/** A subcommand: parses its own argv and returns the process exit code. */
export interface CliCommand {
  run(argv: string[], io: CliIo): Promise<number>;
}

export function writeJson(stream: CliStream, value: unknown): void {
  stream.write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * After synchronous work (a linear fit): let the event loop read a signal that arrived meanwhile
 * (a process signal is handled in the loop's poll phase, which one setImmediate may not reach),
 * then throw the abort reason if it came.
 */
export async function throwIfInterrupted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return;
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
  signal.throwIfAborted();
}
