/**
 * A failure that repeats at every retry until someone fixes the disk (a full or read-only volume
 * fails every lease renewal, every snapshot interval): logged once, again only when its errno
 * changes, and once when it works again, instead of a warning per attempt. Counters and status
 * fields keep counting every failure; only the log line is de-duplicated.
 */
export class FailureStreak {
  #errno: string | null = null;

  /** The errno of the failing streak (null: the last attempt worked). */
  get errno(): string | null {
    return this.#errno;
  }

  /** A failed attempt: its errno (an error's `code`, 'error' without one) and whether to log it (the first of a streak, or another errno). */
  failed(err: unknown): { errno: string; log: boolean } {
    const code = (err as { code?: unknown } | null)?.code;
    const errno = typeof code === 'string' ? code : 'error';
    const log = this.#errno !== errno;
    this.#errno = errno;
    return { errno, log };
  }

  /** A successful attempt: the errno of the streak it ends, to log the recovery once (null: none). */
  succeeded(): string | null {
    const was = this.#errno;
    this.#errno = null;
    return was;
  }
}
