/** Test helper: an in-memory CliIo that records what a command writes. */
import type { CliIo } from '../../../src/cli/io.ts';

export interface Captured extends CliIo {
  out: () => string;
  err: () => string;
}

export function captureIo(opts: { tty?: boolean; now?: () => number } = {}): Captured {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s), isTTY: opts.tty ?? false, columns: 200 },
    now: opts.now,
    out: () => out,
    err: () => err,
  };
}
