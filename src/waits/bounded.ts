/**
 * Waits with a time bound and nothing else: no signal, no logging, no error codes. A leaf layer
 * (imports nothing) so that both the composition root (the drain's waits for the brokers,
 * src/app-lifecycle.ts) and the process entry (the trace flush at exit, src/main.ts, which may not
 * import src/lifecycle/) use the one copy.
 */

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
