/**
 * Every error tickcast raises on purpose carries a stable `code` (see ./catalogue.ts), a
 * `retriable` flag that retry logic reads (never the message), and an optional `cause`.
 * Messages say what was wrong and what to do about it.
 */
export class TickcastError extends Error {
  readonly code: string;
  readonly retriable: boolean;
  /** HTTP status to answer with when this error reaches a client (4xx for caller mistakes). */
  readonly statusCode: number;
  /** Extra structured detail (field paths, limits) safe to show to a caller. */
  readonly details?: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    opts: { retriable?: boolean; cause?: unknown; statusCode?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'TickcastError';
    this.code = code;
    this.retriable = opts.retriable ?? false;
    this.statusCode = opts.statusCode ?? 500;
    if (opts.details !== undefined) this.details = opts.details;
  }
}

export function isTickcastError(err: unknown): err is TickcastError {
  return err instanceof TickcastError;
}

/** A short, log-safe description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
