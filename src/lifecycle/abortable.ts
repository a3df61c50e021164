/**
 * Sleeps and loops that shutdown can interrupt: the service's own background loops (idle
 * eviction, the fine-tuner's loop, snapshots) run on `loop()` / `sleep()` under an AbortSignal.
 * The setIntervals left are adapter timers, each cleared on stop: the HTTP adapter's (load
 * shedder sampling, the idle-connection sweeper while closing, SSE heartbeats; cleared when the
 * server closes or the client goes) and the Kafka lag poller (src/adapters/kafka/lag.ts, unref'd,
 * cleared when the source stops).
 */

/** Resolves after `ms`, or early (without throwing) when `signal` aborts. Returns true if aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Run `body` every `intervalMs` until `signal` aborts. Errors from `body` go to `onError` and the
 * loop continues. Returns a promise that settles when the loop has fully stopped.
 */
export async function loop(
  intervalMs: number,
  signal: AbortSignal,
  body: (signal: AbortSignal) => Promise<void> | void,
  onError: (err: unknown) => void,
): Promise<void> {
  while (!signal.aborted) {
    if (await sleep(intervalMs, signal)) break;
    try {
      await body(signal);
    } catch (err) {
      onError(err);
    }
  }
}

/** A promise plus its resolve/reject (Promise.withResolvers is Node 22+). */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Waits for `work` at most `ms`: true when it settled (resolved or rejected) in time, false when
 * it is still pending then (it goes on; whoever gave up on it decides what that means).
 */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([work.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `ms` shared by several waits, one after the other: each gets what the earlier ones left (the
 * time between them is not counted). Each returns what `within` does.
 */
export function waitBudget(ms: number): (work: Promise<unknown>) => Promise<boolean> {
  let left = ms;
  return async (work) => {
    const t0 = performance.now();
    const settled = await within(work, left);
    left = Math.max(0, left - (performance.now() - t0));
    return settled;
  };
}

/**
 * `work`'s value, or null when `signal` aborts first (the work goes on; the caller leaves it to
 * finish or to end with the process). A rejection of `work` before that is thrown.
 */
export async function unlessAborted<T>(work: Promise<T>, signal?: AbortSignal): Promise<{ value: T } | null> {
  if (!signal) return { value: await work };
  if (signal.aborted) return null;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<null>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve(null)), { once: true }));
  try {
    return await Promise.race([work.then((value) => ({ value })), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
