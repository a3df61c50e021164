/** Waiting in tests: poll a condition until it holds or a deadline passes. */

/** Polls `cond` every `everyMs` (50 ms); rejects naming `what` after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string, everyMs = 50): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Polls `cond` (sync or async) every 100 ms; true once it holds, false after `timeoutMs`. */
export async function pollUntil(cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const by = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > by) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}
