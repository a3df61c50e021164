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
